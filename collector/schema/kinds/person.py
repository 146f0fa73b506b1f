"""A person: full name, position, phone and e-mail, stored as one object; never on a
registry's public page."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, Form, FormField, StringField
from wtforms.validators import Email

from collector.marks import mark_for_translation
from collector.schema.kinds.base import Cell, FieldKind, Translate, text_checks
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import clean_text

PARTS = ("full_name", "position", "phone", "email")


class PersonForm(Form):
    full_name = StringField("ФИО", text_checks(300))
    position = StringField("Должность", text_checks(300))
    phone = StringField("Телефон", text_checks(50))
    email = EmailField("Электронная почта", [*text_checks(254), Email("Неверный адрес почты.")])


class PersonKind(FieldKind):
    name = "person"
    label = mark_for_translation("Person with contacts")
    value_kind = ValueKind.RECORD
    renderer = "person"
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
