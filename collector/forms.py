"""Form bases shared by the feature blueprints: trimmed forms, and the base of every form
built from a schema with how the templates draw each field kind."""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import cache
from typing import Any

from flask_babel import get_locale, gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField

# The option type WTForms 3.2 takes in `choices`; its stubs (types-WTForms 3.2.1) predate it.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.i18n import get_translations as wtforms_translations
from wtforms.meta import DefaultMeta
from wtforms.widgets import CheckboxInput, ListWidget

from collector.schema.kinds import renderers
from collector.schema.kinds.base import PlainText
from collector.schema.spec import FieldSpec, FormSpec

__all__ = [
    "RENDERERS",
    "CheckboxesField",
    "EntryForm",
    "SchemaForm",
    "SelectChoice",
    "TranslatedMeta",
    "TrimmedForm",
]

# How the templates draw each field type: its kind names a template of templates/kinds/.
RENDERERS = renderers()


class FormTranslations:
    """How form checks speak the user's language: a message of this app's (a field kind's,
    marked in collector.schema.kinds) from its Flask-Babel catalogue, anything else from
    WTForms' own translation into the request's language (WTForms ships Russian)."""

    def gettext(self, string: str) -> str:
        ours = str(gettext(string))
        return ours if ours != string else str(_wtforms(str(get_locale())).gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(_wtforms(str(get_locale())).ngettext(singular, plural, n))


@cache
def _wtforms(language: str) -> Any:
    return wtforms_translations([language])


FORM_TRANSLATIONS = FormTranslations()


class TranslatedMeta(DefaultMeta):
    def get_translations(self, form: Any) -> Any:
        return FORM_TRANSLATIONS


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TrimmedForm(FlaskForm):
    """Text fields lose surrounding blanks (users paste names and codes from documents)
    and refuse control characters beside the field (PostgreSQL refuses a NUL: it must
    never reach the database)."""

    class Meta(TranslatedMeta):
        def bind_field(
            self, form: Any, unbound_field: Any, options: MutableMapping[str, Any]
        ) -> Any:
            if issubclass(unbound_field.field_class, StringField):
                filters = [_strip, *unbound_field.kwargs.get("filters", ())]
                field = unbound_field.bind(form=form, filters=filters, **options)
                field.validators = [PlainText(), *field.validators]
                return field
            return unbound_field.bind(form=form, **options)


class CheckboxesField(SelectMultipleField):
    """A multiple choice drawn as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchemaForm(FlaskForm):
    """The base of a form built from a schema (collector.schema.formbuild): its checks,
    and those of the forms inside its fields (a grid's cells, a table's rows), speak the
    user's language."""

    class Meta(TranslatedMeta):
        pass


class EntryForm(SchemaForm):
    """The base of every built data-entry form: it carries the revision the user started
    from, so a save over someone else's newer one is noticed."""

    revision = HiddenField()


def typed_problems(
    spec: FormSpec, form: Any, field_ids: list[str], language: str
) -> list[tuple[str, str]]:
    """What the checks of the typed values refused, as (field id, message), in the form's
    order: one entry per problem, a cell of a grid or a table named by its row and its
    column's label (never by an id), for the summary at the top of a refused save."""
    found: list[tuple[str, str]] = []
    for field_id in field_ids:
        if field_id not in form:
            continue
        field_spec = spec.field(field_id)
        errors = form[field_id].errors
        if isinstance(errors, dict):  # a grid's cells, a person's parts
            for name, messages in errors.items():
                where = _part_name(field_spec, form[field_id], name, language)
                found += [(field_id, f"{where}: {m}" if where else str(m)) for m in messages]
            continue
        for number, entry in enumerate(errors, start=1):
            if isinstance(entry, dict):  # a table's row
                columns = {c.id: c.label.get(language) for c in field_spec.columns}
                for column_id, messages in entry.items():
                    where = gettext(
                        "row %(row)d, column «%(column)s»",
                        row=number,
                        column=columns.get(column_id, ""),
                    )
                    found += [(field_id, f"{where}: {m}") for m in messages]
            elif isinstance(entry, str):
                found.append((field_id, entry))
    return found


def _part_name(spec: FieldSpec, field: Any, name: str | None, language: str) -> str:
    if name is None:
        return ""
    row_id, _sep, column_id = name.partition("__")
    rows = {r.value: r.label.get(language) for r in spec.rows}
    columns = {c.id: c.label.get(language) for c in spec.columns}
    if row_id in rows and column_id in columns:
        row, column = rows[row_id], columns[column_id]
        return str(gettext("row «%(row)s», column «%(column)s»", row=row, column=column))
    part = field.form[name] if name in field.form else None
    return str(part.label.text) if part is not None else ""


def error_ids(field: Any) -> list[str]:
    """The ids of a field's own messages as the templates draw them (kinds/_common.html,
    _form.html), one per message, for the control's aria-describedby."""
    return [f"{field.id}-error-{n}" for n in range(1, len(own_errors(field)) + 1)]


def control_attributes(field: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A control's attributes linking it to its messages (WCAG 3.3.1): aria-invalid and
    aria-describedby naming each message, after any description already in `extra`."""
    attributes = dict(extra or {})
    ids = error_ids(field)
    if ids:
        attributes["aria-invalid"] = "true"
        attributes["aria-describedby"] = " ".join(
            filter(None, [attributes.get("aria-describedby", ""), *ids])
        )
    return attributes


def own_errors(field: Any) -> list[str]:
    """The messages about a field itself, for under it: a grid's or a table's cells carry
    their own (WTForms gives a form field's errors as a dict by cell name)."""
    errors = field.errors
    if isinstance(errors, dict):
        return [str(e) for e in field.form.form_errors]
    # A table's rows carry their cells' messages as dicts; a message may be a lazy string.
    return [str(e) for e in errors if not isinstance(e, dict | list | tuple)]
