"""The tables the engine reads: answers as columns (one row per counted response), the
expected units with the groups they belong to at each level, and reference figures.

Answers arrive as the JSON the forms store; only the columns the indicators name are
built. Numbers become floats (missing: NaN), yes/no a nullable boolean, a single choice
text, a multiple choice and a table column a list per row."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from collector.schema.evaluate import hidden_conditions
from collector.schema.expressions import Node, references
from collector.schema.kinds import kind_of
from collector.schema.spec import FormSpec
from collector.schema.types import ValueKind
from collector.schema.values import stored_number

LEVELS = ("school", "municipality", "region")


@dataclass(frozen=True)
class UnitPlace:
    """An expected unit and the group it counts in at each level (None: not at that
    level, e.g. a municipality's own report has no school)."""

    unit_id: int
    school: int | None
    municipality: int | None
    region: int | None
    # The unit's school type (collector.unit_catalog.SCHOOL_TYPES), where recorded.
    school_type: str | None = None


def units_frame(places: Iterable[UnitPlace]) -> pd.DataFrame:
    rows = [(p.unit_id, p.school, p.municipality, p.region, p.school_type) for p in places]
    frame = pd.DataFrame(rows, columns=["unit_id", *LEVELS, "school_type"])
    for level in LEVELS:
        frame[level] = frame[level].astype("Int64")
    frame["school_type"] = frame["school_type"].astype("object")
    return frame.set_index("unit_id")


def referenced_paths(spec: FormSpec) -> set[str]:
    """Every dotted name the indicators (and the survey headcount) read."""
    trees: list[Node] = []
    for indicator in spec.computed_indicators:
        if indicator.formula is not None:
            trees.append(indicator.formula)
        if indicator.not_applicable_if is not None:
            trees.append(indicator.not_applicable_if)
    return {ref.dotted for tree in trees for ref in references(tree)}


def distribution_fields(spec: FormSpec) -> list[str]:
    """The fields whose answers are counted per option (surveys chart them)."""
    return [f.id for f in spec.fields if kind_of(f.type).counted_by_option]


@dataclass(frozen=True)
class ColumnPlan:
    path: str
    kind: str  # "number", "bool", "text", "list"
    # A list of a table's numeric column: each cell is read as a number.
    numeric_cells: bool = False


def column_plans(spec: FormSpec, paths: Iterable[str]) -> list[ColumnPlan]:
    fields = {f.id: f for f in spec.fields}
    # A field read with its hidden value needs what its conditions read.
    paths = set(paths)
    hiding = hidden_conditions(spec)
    paths |= {
        ref.dotted for path in paths for tree in hiding.get(path, ()) for ref in references(tree)
    }
    imports = {i.id: i for i in spec.imports}
    plans = []
    for path in sorted(paths):
        head, *rest = path.split(".")
        field = fields.get(head)
        if head in imports and len(rest) <= 1:
            # An imported table is read like a table field: its rows, or a column's cells.
            plans.append(ColumnPlan(path, "list"))
            continue
        if field is None:
            continue
        value_kind = kind_of(field.type).value_kind
        if value_kind == ValueKind.GRID and len(rest) == 2:
            column = next((c for c in field.columns if c.id == rest[1]), None)
            kind = kind_of(column.type).frame_kind if column else "text"
        elif value_kind == ValueKind.TABLE and len(rest) == 1:
            column = next((c for c in field.columns if c.id == rest[0]), None)
            numeric = column is not None and kind_of(column.type).value_kind == ValueKind.NUMBER
            plans.append(ColumnPlan(path, "list", numeric_cells=numeric))
            continue
        elif not rest:
            kind = kind_of(field.type).frame_kind
        else:
            continue
        plans.append(ColumnPlan(path, kind))
    return plans


def pick(answers: Mapping[str, Any], path: str, kind: str) -> Any:
    head, *rest = path.split(".")
    value = answers.get(head)
    if not rest:
        return value
    if kind == "list":  # a table column: the column's values over the table's rows
        rows = value if isinstance(value, list) else []
        return [row.get(rest[0]) for row in rows if isinstance(row, dict)]
    row = value.get(rest[0]) if isinstance(value, dict) else None
    return row.get(rest[1]) if isinstance(row, dict) else None


def join_imported(
    responses: Sequence[tuple[int, Mapping[str, Any]]],
    imported: Mapping[int, Mapping[str, list[dict[str, Any]]]],
) -> list[tuple[int, Mapping[str, Any]]]:
    """Each response with its unit's imported tables (import id -> rows) beside its
    answers. A unit without a response has nothing for its rows to join."""
    if not imported:
        return list(responses)
    joined: list[tuple[int, Mapping[str, Any]]] = []
    for unit_id, answers in responses:
        tables = imported.get(unit_id)
        joined.append((unit_id, {**answers, **tables} if tables else answers))
    return joined


def record_rows(
    spec: FormSpec, responses: Sequence[tuple[int, Mapping[str, Any]]]
) -> tuple[list[tuple[int, Mapping[str, Any]]], list[int] | None]:
    """The rows the engine reads, and the units that answered when rows alone do not
    tell. A registry's confirmation holds the unit's records as of its date
    (`{"records": [...]}`): each record is a row of its unit, and a unit that confirmed
    having none has answered all the same (it counts 0 records, not "no data")."""
    if spec.kind != "registry":
        return list(responses), None
    rows = [
        (unit_id, record)
        for unit_id, confirmation in responses
        for record in confirmation.get("records") or []
        if isinstance(record, Mapping)
    ]
    return rows, sorted({unit_id for unit_id, _confirmation in responses})


def answers_frame(
    spec: FormSpec,
    responses: Sequence[tuple[int, Mapping[str, Any]]],
    paths: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per (unit id, answers); columns: `unit_id`, each path the indicators
    read and each choice field (or the paths given)."""
    if paths is None:
        paths = referenced_paths(spec) | set(distribution_fields(spec))
    plans = column_plans(spec, paths)
    data: dict[str, Any] = {"unit_id": pd.Series([u for u, _ in responses], dtype="int64")}
    for plan in plans:
        values = [pick(answers, plan.path, plan.kind) for _, answers in responses]
        if plan.numeric_cells:
            values = [table_numbers(cells) for cells in values]
        data[plan.path] = typed_column(values, plan.kind)
    return pd.DataFrame(data)


def table_numbers(cells: Any) -> Any:
    """A table column's cells as numbers; a value no door accepts now is missing."""
    if not isinstance(cells, list):
        return cells
    return [stored_number(cell)[0] for cell in cells]


def typed_column(values: Sequence[Any], kind: str) -> pd.Series:
    """Stored values as a typed column. Read defensively: a number no door accepts now
    (NaN, Infinity, past 2^53, written by an older version) is missing here, and
    collector.schema.values.refused_answers names it on the report."""
    if kind == "number":
        numbers = [stored_number(v)[0] for v in values]
        return pd.Series([math.nan if n is None else n for n in numbers], dtype="float64")
    if kind == "bool":
        return pd.Series([v if isinstance(v, bool) else None for v in values], dtype="boolean")
    if kind == "list":
        return pd.Series([v if isinstance(v, list) else None for v in values], dtype="object")
    return pd.Series([None if v is None else str(v) for v in values], dtype="object")


def figures_frame(rows: Iterable[tuple[int, str, int | None, float]]) -> pd.DataFrame:
    """(unit id, figure, grade, value) rows of one academic year."""
    frame = pd.DataFrame(list(rows), columns=["unit_id", "figure", "grade", "value"])
    # A few figure names over a national campaign's 440,000 rows: as categories, kept
    # and pickled with a snapshot as codes (as texts, each row's name was an object of
    # its own when the snapshot was read back, some 70 MB).
    frame["figure"] = frame["figure"].astype("category")
    frame["grade"] = frame["grade"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return frame
