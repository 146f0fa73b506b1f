"""Form bases shared by the feature blueprints: trimmed forms, and the base of every form
built from a schema with how the templates draw each field kind."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField

# The option type WTForms 3.2 takes in `choices`; its stubs (types-WTForms 3.2.1) predate it.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.meta import DefaultMeta
from wtforms.widgets import CheckboxInput, ListWidget

from collector.schema.kinds import field_kinds, renderers
from collector.schema.kinds.base import PlainText

__all__ = [
    "HIDDEN_COPIES",
    "RENDERERS",
    "CheckboxesField",
    "EntryForm",
    "SelectChoice",
    "TrimmedForm",
]

# How the templates draw each field type: its kind names a template of templates/kinds/.
RENDERERS = renderers()
# Types whose typed value a survey keeps as a hidden input while its section is hidden.
HIDDEN_COPIES = frozenset(name for name, kind in field_kinds().items() if kind.travels_hidden)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TrimmedForm(FlaskForm):
    """Text fields lose surrounding blanks (users paste names and codes from documents)
    and refuse control characters beside the field (PostgreSQL refuses a NUL: it must
    never reach the database)."""

    class Meta(DefaultMeta):
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


class EntryForm(FlaskForm):
    """The base of every built data-entry form: it carries the revision the user started
    from, so a save over someone else's newer one is noticed."""

    revision = HiddenField()
