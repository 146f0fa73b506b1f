"""Answers as spreadsheet columns: one column per scalar field, per option of a multiple
choice, per cell of a grid; a repeating table as its row count and the sums of its
number columns; a person as one text. The same columns for every response of a form
version, so that sheets line up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from collector.exporters.contract import Cell, Column
from collector.schema.spec import FieldSpec
from collector.schema.values import RefusedAnswer, stored_number

# A refused stored value in a number column (the workbooks are Russian, as their headers).
REFUSED_CELL = "«%s» — вне допустимого, не учтено"

NUMBER_TYPES = frozenset({"integer", "decimal", "percent"})


@dataclass(frozen=True)
class FlatColumn:
    column: Column
    read: Callable[[dict[str, Any]], Cell]


def _number(value: Any) -> Cell:
    """A stored number as a cell; one no door accepts now (NaN, past 2^53, written by an
    older version) is named in words instead, as the report names it."""
    number, refused = stored_number(value)
    if refused:
        return refused_cell(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def refused_cell(value: Any) -> str:
    return REFUSED_CELL % RefusedAnswer(("",), value).shown()


def _kind(field_type: str) -> str:
    if field_type == "integer":
        return "integer"
    if field_type in ("decimal", "percent"):
        return "number"
    if field_type == "yes_no":
        return "bool"
    return "text"


def _option_label(field: FieldSpec, language: str) -> Callable[[Any], Cell]:
    labels = {o.value: o.label.get(language) for o in field.options}
    return lambda value: None if value is None else labels.get(str(value), str(value))


def field_columns(field: FieldSpec, language: str) -> list[FlatColumn]:
    label = field.label.get(language)
    if field.unit:
        label = f"{label}, {field.unit}"
    fid = field.id
    if field.type in NUMBER_TYPES:
        return [FlatColumn(Column(label, _kind(field.type)), lambda a: _number(a.get(fid)))]
    if field.type == "yes_no":
        return [FlatColumn(Column(label, "bool"), lambda a: a.get(fid))]
    if field.type in ("single_choice", "rating") and field.options:
        show = _option_label(field, language)
        return [FlatColumn(Column(label), lambda a: show(a.get(fid)))]
    if field.type == "rating":
        return [FlatColumn(Column(label, "integer"), lambda a: _number(a.get(fid)))]
    if field.type == "multiple_choice":
        return [
            FlatColumn(
                Column(f"{label}: {option.label.get(language)}", "bool"), _ticked(fid, option.value)
            )
            for option in field.options
        ]
    if field.type == "grid":
        return [
            FlatColumn(
                Column(
                    f"{label}: {row.label.get(language)}, {column.label.get(language)}",
                    _kind(column.type),
                ),
                _grid_cell(fid, row.value, column.id, column.type),
            )
            for row in field.rows
            for column in field.columns
        ]
    if field.type == "table":
        found = [
            FlatColumn(
                Column(f"{label}: строк", "integer"),
                lambda a: len(a[fid]) if isinstance(a.get(fid), list) else None,
            )
        ]
        found += [
            FlatColumn(
                Column(f"{label}: {column.label.get(language)}, всего", "number"),
                _table_sum(fid, column.id),
            )
            for column in field.columns
            if column.type in NUMBER_TYPES
        ]
        return found
    if field.type == "person":
        return [FlatColumn(Column(label), lambda a: _person(a.get(fid)))]
    return [FlatColumn(Column(label), lambda a: None if a.get(fid) is None else str(a.get(fid)))]


Reader = Callable[[dict[str, Any]], Cell]


def _ticked(field_id: str, option: str) -> Reader:
    def read(answers: dict[str, Any]) -> Cell:
        chosen = answers.get(field_id)
        return option in chosen if isinstance(chosen, list) else None

    return read


def _grid_cell(field_id: str, row: str, column: str, column_type: str) -> Reader:
    return lambda answers: _cell(answers.get(field_id), row, column, column_type)


def _table_sum(field_id: str, column: str) -> Reader:
    return lambda answers: _column_sum(answers.get(field_id), column)


def _cell(grid: Any, row: str, column: str, column_type: str) -> Cell:
    cells = grid.get(row) if isinstance(grid, dict) else None
    value = cells.get(column) if isinstance(cells, dict) else None
    if column_type in NUMBER_TYPES:
        return _number(value)
    return value if value is None or isinstance(value, bool) else str(value)


def _column_sum(rows: Any, column: str) -> float | int | None:
    numbers = [
        n
        for n in (
            stored_number(r.get(column))[0]
            for r in (rows if isinstance(rows, list) else [])
            if isinstance(r, dict)
        )
        if n is not None
    ]
    if not numbers:
        return None
    total = float(sum(numbers))
    return int(total) if total.is_integer() else total


def _person(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    parts = [str(value[k]) for k in ("full_name", "position", "phone", "email") if value.get(k)]
    return ", ".join(parts) or None


def columns_for(fields: Sequence[FieldSpec], language: str) -> list[FlatColumn]:
    return [column for field in fields for column in field_columns(field, language)]


def row_for(columns: Sequence[FlatColumn], answers: Any) -> list[Cell]:
    # A stored row that is not an object (written around the doors) reads as empty.
    found = answers if isinstance(answers, dict) else {}
    return [column.read(found) for column in columns]
