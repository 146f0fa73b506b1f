"""The registry of field types: what keys each needs and allows, and what kind of value it
gives expressions. Adding a type is adding one entry, never an if/elif branch elsewhere."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType


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


@dataclass(frozen=True)
class FieldType:
    name: str
    kind: ValueKind
    needs: frozenset[str] = frozenset()
    allows: frozenset[str] = frozenset()
    # Needs one of these keys (rating: a numeric scale or verbal options).
    needs_one_of: frozenset[str] = frozenset()


_NUMERIC = frozenset({"unit", "min", "max"})

FIELD_TYPES: MappingProxyType[str, FieldType] = MappingProxyType(
    {
        t.name: t
        for t in (
            FieldType("integer", ValueKind.NUMBER, allows=_NUMERIC),
            FieldType("decimal", ValueKind.NUMBER, allows=_NUMERIC | {"decimals"}),
            FieldType("percent", ValueKind.NUMBER, allows=frozenset({"min", "max", "decimals"})),
            FieldType("yes_no", ValueKind.BOOL),
            FieldType("single_choice", ValueKind.CHOICE, needs=frozenset({"options"})),
            FieldType("multiple_choice", ValueKind.CHOICES, needs=frozenset({"options"})),
            FieldType(
                "rating",
                ValueKind.NUMBER,
                allows=frozenset({"scale", "options"}),
                needs_one_of=frozenset({"scale", "options"}),
            ),
            FieldType("text", ValueKind.TEXT, allows=frozenset({"max_length"})),
            FieldType("long_text", ValueKind.TEXT, allows=frozenset({"max_length"})),
            FieldType("date", ValueKind.DATE, allows=frozenset({"min", "max"})),
            FieldType("person", ValueKind.RECORD),
            FieldType("grid", ValueKind.GRID, needs=frozenset({"rows", "columns"})),
            FieldType(
                "table",
                ValueKind.TABLE,
                needs=frozenset({"columns"}),
                allows=frozenset({"min_rows", "max_rows"}),
            ),
            FieldType("unit_ref", ValueKind.UNIT, allows=frozenset({"unit_types"})),
        )
    }
)

# Column types of grids and tables, and the kind of their cells.
COLUMN_KINDS: MappingProxyType[str, ValueKind] = MappingProxyType(
    {
        "integer": ValueKind.NUMBER,
        "decimal": ValueKind.NUMBER,
        "percent": ValueKind.NUMBER,
        "yes_no": ValueKind.BOOL,
        "single_choice": ValueKind.CHOICE,
        "text": ValueKind.TEXT,
        "date": ValueKind.DATE,
    }
)
GRID_COLUMN_TYPES = frozenset({"integer", "decimal", "percent"})


def allowed_keys(field_type: FieldType) -> frozenset[str]:
    return COMMON_KEYS | field_type.needs | field_type.allows | field_type.needs_one_of
