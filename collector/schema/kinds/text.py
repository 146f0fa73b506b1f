"""Text: a line and a long answer, without control characters and within a length (500
and 10,000 characters unless the schema says otherwise)."""

from __future__ import annotations

from typing import Any

from wtforms import TextAreaField

from collector.marks import mark_for_translation
from collector.schema.kinds.base import FieldKind, text_checks
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import DEFAULT_LONG_TEXT_LENGTH, clean_text, text_problem

_LENGTH = frozenset({"max_length"})


class TextKind(FieldKind):
    name = "text"
    label = mark_for_translation("Short text")
    value_kind = ValueKind.TEXT
    allows = _LENGTH
    in_tables = True
    free_text = True
    titles_records = True
    groups_records = True

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return clean_text(data) or None if isinstance(data, str) else None

    def refused(self, value: Any) -> bool:
        return isinstance(value, str) and text_problem(value) is not None


class LongTextKind(TextKind):
    name = "long_text"
    label = mark_for_translation("Long text")
    in_tables = False
    titles_records = False
    groups_records = False

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return TextAreaField(label, text_checks(spec.max_length or DEFAULT_LONG_TEXT_LENGTH))
