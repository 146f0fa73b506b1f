"""The registry of field kinds: every kind of question the schemas may use, each one class
in one module of this package (`base` says what a kind knows). Callers ask here:
`kind_of(field.type).export_columns(…)`, never `if field.type == …`.

The built-in kinds are registered below, explicitly and in the order the designer offers
them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from collector.schema.kinds.base import FieldKind, kind_of, register, registered, unregister
from collector.schema.kinds.choices import (
    MultipleChoiceKind,
    RatingKind,
    SingleChoiceKind,
    YesNoKind,
)
from collector.schema.kinds.dates import DateKind
from collector.schema.kinds.files import FileKind
from collector.schema.kinds.grid import GridKind
from collector.schema.kinds.numbers import DecimalKind, IntegerKind, PercentKind
from collector.schema.kinds.person import PersonKind
from collector.schema.kinds.table import TableKind
from collector.schema.kinds.text import LongTextKind, TextKind
from collector.schema.kinds.unit_ref import UnitRefKind
from collector.schema.spec import FieldSpec, FormSpec
from collector.schema.values import RefusedAnswer

__all__ = [
    "FieldKind",
    "field_kinds",
    "grid_column_types",
    "kind_of",
    "register",
    "refused_answers",
    "renderers",
    "shown_publicly",
    "table_column_types",
    "unregister",
]

for _kind in (
    IntegerKind(),
    DecimalKind(),
    PercentKind(),
    YesNoKind(),
    SingleChoiceKind(),
    MultipleChoiceKind(),
    RatingKind(),
    TextKind(),
    LongTextKind(),
    DateKind(),
    PersonKind(),
    GridKind(),
    TableKind(),
    UnitRefKind(),
    FileKind(),
):
    register(_kind)


def field_kinds() -> Mapping[str, FieldKind]:
    """Every registered kind by its type name, in registration order."""
    return MappingProxyType(registered())


def table_column_types() -> list[str]:
    """The types a column of a table or of an imported table may have."""
    return [name for name, kind in registered().items() if kind.in_tables]


def grid_column_types() -> list[str]:
    """The types a column of a grid may have (its cells are numbers)."""
    return [name for name, kind in registered().items() if kind.in_grids]


def renderers() -> dict[str, str]:
    """How the entry templates draw each type (a macro of entry/_fields.html)."""
    return {name: kind.renderer for name, kind in registered().items()}


def refused_answers(spec: FormSpec, answers: Mapping[str, Any]) -> list[RefusedAnswer]:
    """Every stored value of one response that no door would accept now (numbers the
    engine cannot hold, text with control characters), in the form's order."""
    found: list[RefusedAnswer] = []
    for field in spec.fields:
        value = answers.get(field.id)
        if value is not None:
            found += kind_of(field.type).refused_in(field, value)
    return found


def shown_publicly(field: FieldSpec) -> bool:
    """Whether a registry's public page shows the field (a person never)."""
    return field.public and not kind_of(field.type).private
