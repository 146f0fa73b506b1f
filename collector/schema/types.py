"""The kinds of value expressions see, and the keys every field has. What each field type
is, and which of these kinds its value is, is its kind's (collector.schema.kinds)."""

from __future__ import annotations

import enum


class ValueKind(enum.StrEnum):
    """What a reference evaluates to inside an expression."""

    NUMBER = "number"
    BOOL = "bool"
    CHOICE = "choice"  # one option value (a string)
    CHOICES = "choices"  # a set of option values
    TEXT = "text"
    DATE = "date"
    RECORD = "record"  # person: only `count`/answered checks
    GRID = "grid"  # only through its cells
    TABLE = "table"  # only through count(), sum(table.column)
    UNIT = "unit"
    NULL = "null"
    ANY = "any"


# `public`: in a registry, whether the field is shown on the public page (any type).
COMMON_KEYS = frozenset(
    {"id", "type", "label", "help", "source", "required", "visible_if", "public"}
)
