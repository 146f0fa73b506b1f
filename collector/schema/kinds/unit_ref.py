"""An organisation named by its code (the entry service checks that it exists)."""

from __future__ import annotations

from typing import Any

from wtforms import StringField

from collector.marks import mark_for_translation
from collector.schema.kinds.base import FieldKind, text_checks
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import clean_text, text_problem


class UnitRefKind(FieldKind):
    name = "unit_ref"
    label = mark_for_translation("Organisation")
    groups_records = True
    value_kind = ValueKind.UNIT
    allows = frozenset({"unit_types"})
    names_unit = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StringField(label, text_checks(64))

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return clean_text(data) or None if isinstance(data, str) else None

    def refused(self, value: Any) -> bool:
        return isinstance(value, str) and text_problem(value) is not None
