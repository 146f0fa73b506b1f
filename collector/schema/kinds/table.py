"""A repeating table: rows of typed columns (programmes, contracts), stored as a list of
objects; empty rows are dropped. In spreadsheets: its number of rows and the sum of each
number column beside the other answers, and every row on a sheet of its own (each column
in its type)."""

from __future__ import annotations

from typing import Any

from wtforms import FieldList, FormField

from collector.marks import mark_for_translation
from collector.schema.kinds.base import (
    TOTAL_TEXT,
    Cell,
    Derived,
    ExportColumn,
    FieldKind,
    Subform,
    Translate,
    kind_of,
    summed,
)
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import RefusedAnswer, stored_number

# Rows a table offers at most when its schema sets no max_rows.
DEFAULT_MAX_ROWS = 500


def _rows(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


class TableKind(FieldKind):
    name = "table"
    starter = {"columns": [{"id": "col_1", "type": "text", "label": "Столбец 1"}]}
    new_column_type = "text"
    label = mark_for_translation("Repeating table")
    value_kind = ValueKind.TABLE
    needs = frozenset({"columns"})
    allows = frozenset({"min_rows", "max_rows"})
    renderer = "table"

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        row_form = type(
            f"Row_{spec.id}",
            (Subform,),
            {c.id: kind_of(c.type).cell_field(c, language) for c in spec.columns},
        )
        return FieldList(
            FormField(row_form),
            label,
            min_entries=max(1, spec.min_rows or 0),
            max_entries=spec.max_rows or DEFAULT_MAX_ROWS,
        )

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        rows = []
        for entry in data or []:
            row = {c.id: kind_of(c.type).cell_answer(c, entry.get(c.id)) for c in spec.columns}
            if any(value is not None for value in row.values()):
                rows.append({k: v for k, v in row.items() if v is not None})
        return rows or None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return [
            {c.id: kind_of(c.type).cell_data(c, row.get(c.id)) for c in spec.columns}
            for row in answer or []
        ]

    def live(self, spec: FieldSpec) -> dict[str, Any]:
        return {
            "reader": "table",
            "columns": [{"id": c.id, "reader": kind_of(c.type).reader} for c in spec.columns],
        }

    def derived(self, spec: FieldSpec) -> tuple[Derived, ...]:
        """Each number column's sum over the rows."""
        return tuple(
            Derived(
                f"{spec.id}.{c.id}",
                spec.id,
                TOTAL_TEXT,
                (("value", summed((spec.id, c.id))),),
                (("name", c.label),),
            )
            for c in spec.columns
            if kind_of(c.type).value_kind == ValueKind.NUMBER
        )

    def refused_in(self, spec: FieldSpec, value: Any) -> list[RefusedAnswer]:
        if not isinstance(value, list):
            return []
        return [
            RefusedAnswer((spec.id, index, column.id), cell)
            for index, row in enumerate(value)
            if isinstance(row, dict)
            for column in spec.columns
            if (cell := row.get(column.id)) is not None and kind_of(column.type).refused(cell)
        ]

    def context(self, spec: FieldSpec, answer: Any) -> dict[str, Any]:
        rows = _rows(answer)
        return {
            f"{spec.id}.{c.id}": [kind_of(c.type).readable(row.get(c.id)) for row in rows]
            for c in spec.columns
        }

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        fid = spec.id
        found = [
            ExportColumn(
                f"{label}: строк",
                "integer",
                lambda a: len(a[fid]) if isinstance(a.get(fid), list) else None,
            )
        ]
        found += [
            ExportColumn(
                f"{label}: {column.label.get(language)}, всего", "number", _summed(fid, column.id)
            )
            for column in spec.columns
            if kind_of(column.type).value_kind == ValueKind.NUMBER
        ]
        return found

    def row_columns(self, spec: FieldSpec, language: str) -> list[ExportColumn]:
        columns = []
        for column in spec.columns:
            title = column.label.get(language)
            if column.unit:
                title = f"{title}, {column.unit}"
            columns.append(kind_of(column.type).row_column(column, title, language))
        return columns

    def stored_rows(self, value: Any) -> list[dict[str, Any]]:
        # A stored row that is not an object (written around the doors) is left out.
        return _rows(value)

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        if isinstance(value, list) and value:
            return translate(mark_for_translation("%(n)d rows"), n=len(value))
        return super().display(spec, value, language, translate)


def _summed(field_id: str, column: str) -> Any:
    def read(answers: Any) -> Cell:
        numbers = [
            n
            for n in (stored_number(r.get(column))[0] for r in _rows(answers.get(field_id)))
            if n is not None
        ]
        if not numbers:
            return None
        total = float(sum(numbers))
        return int(total) if total.is_integer() else total

    return read
