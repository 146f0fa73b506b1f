"""A person: full name, position, phone and e-mail, stored as one object; never on a
registry's public page."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, FormField, StringField
from wtforms.validators import Email, ValidationError

from collector.marks import mark_for_translation
from collector.schema.kinds.base import Cell, FieldKind, Subform, Translate, text_checks
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import clean_text

PARTS = ("full_name", "position", "phone", "email")
BAD_EMAIL = mark_for_translation("Enter an e-mail address such as name@school.ru.")


class EmailAddress(Email):
    """An e-mail address, refused in the user's language."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except ValidationError:
            raise ValidationError(field.gettext(BAD_EMAIL)) from None


class PersonForm(Subform):
    """The parts' labels are English ids marked for translation: the entry page
    (templates/kinds/person.html) shows them translated."""

    full_name = StringField(
        mark_for_translation("Surname, first name and patronymic"), text_checks(300)
    )
    position = StringField(mark_for_translation("Position"), text_checks(300))
    phone = StringField(mark_for_translation("Phone"), text_checks(50))
    email = EmailField(mark_for_translation("E-mail"), [*text_checks(254), EmailAddress()])


class PersonKind(FieldKind):
    name = "person"
    label = mark_for_translation("Person with contacts")
    value_kind = ValueKind.RECORD
    renderer = "person"
    reader = "person"
    private = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return FormField(PersonForm, label)

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        record = {
            k: clean_text(v) if isinstance(v, str) else v
            for k, v in (data or {}).items()
            if k != "csrf_token"
        }
        return {k: v for k, v in record.items() if v not in (None, "")} or None

    def cell_value(self, value: Any) -> Cell:
        if not isinstance(value, dict):
            return None
        return ", ".join(str(value[k]) for k in PARTS if value.get(k)) or None

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        if isinstance(value, dict):
            return ", ".join(str(v) for v in value.values() if v) or "—"
        return super().display(spec, value, language, translate)
