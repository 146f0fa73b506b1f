"""A grid: rows by number columns (pupils by grade and year), stored as
{row: {column: value}}; in the web form each cell is a field named row__column."""

from __future__ import annotations

from typing import Any

from wtforms import FormField

from collector.marks import mark_for_translation
from collector.schema.kinds.base import (
    TOTAL_TEXT,
    Cell,
    Derived,
    ExportColumn,
    FieldKind,
    Subform,
    kind_of,
    summed,
)
from collector.schema.spec import Column, FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import RefusedAnswer


def _cell(grid: Any, row: str, column: str) -> Any:
    cells = grid.get(row) if isinstance(grid, dict) else None
    return cells.get(column) if isinstance(cells, dict) else None


class GridKind(FieldKind):
    name = "grid"
    starter = {
        "rows": [{"id": "row_1", "label": "Строка 1"}],
        "columns": [{"id": "col_1", "type": "integer", "label": "Столбец 1"}],
    }
    new_column_type = "integer"
    label = mark_for_translation("Grid of numbers")
    value_kind = ValueKind.GRID
    needs = frozenset({"rows", "columns"})
    renderer = "grid"

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        cells = {
            f"{row.value}__{column.id}": kind_of(column.type).cell_field(column, language)
            for row in spec.rows
            for column in spec.columns
        }
        return FormField(type(f"Grid_{spec.id}", (Subform,), cells), label)

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        grid: dict[str, dict[str, Any]] = {}
        for row in spec.rows:
            for column in spec.columns:
                typed = (data or {}).get(f"{row.value}__{column.id}")
                value = kind_of(column.type).cell_answer(column, typed)
                if value is not None:
                    grid.setdefault(row.value, {})[column.id] = value
        return grid or None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return {
            f"{row.value}__{column.id}": kind_of(column.type).cell_data(
                column, _cell(answer, row.value, column.id)
            )
            for row in spec.rows
            for column in spec.columns
        }

    def live(self, spec: FieldSpec) -> dict[str, Any]:
        return {
            "reader": "grid",
            "rows": [row.value for row in spec.rows],
            "columns": [{"id": c.id, "reader": kind_of(c.type).reader} for c in spec.columns],
        }

    def derived(self, spec: FieldSpec) -> tuple[Derived, ...]:
        """Each number column's total over the rows (with more than one row), and each
        row's total over the number columns (with more than one such column)."""
        numeric = [c for c in spec.columns if kind_of(c.type).value_kind == ValueKind.NUMBER]
        found: list[Derived] = []
        if len(spec.rows) > 1:
            found += [
                Derived(
                    f"{spec.id}.{c.id}",
                    spec.id,
                    TOTAL_TEXT,
                    (("value", summed(*((spec.id, r.value, c.id) for r in spec.rows))),),
                    (("name", c.label),),
                )
                for c in numeric
            ]
        if len(numeric) > 1:
            found += [
                Derived(
                    f"{spec.id}.{r.value}",
                    spec.id,
                    TOTAL_TEXT,
                    (("value", summed(*((spec.id, r.value, c.id) for c in numeric))),),
                    (("name", r.label),),
                )
                for r in spec.rows
            ]
        return tuple(found)

    def refused_in(self, spec: FieldSpec, value: Any) -> list[RefusedAnswer]:
        if not isinstance(value, dict):
            return []
        return [
            RefusedAnswer((spec.id, row.value, column.id), cell)
            for row in spec.rows
            for column in spec.columns
            if (cell := _cell(value, row.value, column.id)) is not None
            and kind_of(column.type).refused(cell)
        ]

    def context(self, spec: FieldSpec, answer: Any) -> dict[str, Any]:
        return {
            f"{spec.id}.{row.value}.{column.id}": kind_of(column.type).readable(
                _cell(answer, row.value, column.id)
            )
            for row in spec.rows
            for column in spec.columns
        }

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        return [
            ExportColumn(
                f"{label}: {row.label.get(language)}, {column.label.get(language)}",
                kind_of(column.type).cell_kind,
                _reader(spec.id, row.value, column),
            )
            for row in spec.rows
            for column in spec.columns
        ]

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(str(v) for v in value.values() if v) or "—"
        return super().display(spec, value, language, translate)


def _reader(field_id: str, row: str, column: Column) -> Any:
    kind = kind_of(column.type)

    def read(answers: Any) -> Cell:
        return kind.cell_value(_cell(answers.get(field_id), row, column.id))

    return read
