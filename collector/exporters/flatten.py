"""Answers as spreadsheet columns: each field's kind gives its columns (one per scalar
field, per option of a multiple choice, per cell of a grid; a repeating table as its row
count and the sums of its number columns; a person as one text: collector.schema.kinds).
The same columns for every response of a form version, so that sheets line up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from collector.exporters.contract import Cell, Column
from collector.schema.kinds import kind_of
from collector.schema.kinds.base import Cell as AnswerCell
from collector.schema.spec import FieldSpec


@dataclass(frozen=True)
class FlatColumn:
    column: Column
    read: Callable[[dict[str, Any]], AnswerCell]


def field_columns(field: FieldSpec, language: str) -> list[FlatColumn]:
    label = field.label.get(language)
    if field.unit:
        label = f"{label}, {field.unit}"
    return [
        FlatColumn(Column(column.title, column.kind), column.read)
        for column in kind_of(field.type).export_columns(field, label, language)
    ]


def columns_for(fields: Sequence[FieldSpec], language: str) -> list[FlatColumn]:
    return [column for field in fields for column in field_columns(field, language)]


def row_for(columns: Sequence[FlatColumn], answers: Any) -> list[Cell]:
    # A stored row that is not an object (written around the doors) reads as empty.
    found = answers if isinstance(answers, dict) else {}
    return [column.read(found) for column in columns]


@dataclass(frozen=True)
class RowSheet:
    """A field whose answer is rows (a repeating table) as a sheet of its own: one row
    per stored row, after the keys the caller puts first (the unit, the response) and
    the row's number."""

    field: FieldSpec
    title: str
    columns: Sequence[Column]
    reads: Sequence[Callable[[dict[str, Any]], AnswerCell]]

    def rows(self, answers: Any) -> list[list[Cell]]:
        """The cells of each stored row of the field in `answers`: its number from 1,
        then its columns."""
        found = answers if isinstance(answers, dict) else {}
        stored = kind_of(self.field.type).stored_rows(found.get(self.field.id))
        return [
            [number, *(read(row) for read in self.reads)]
            for number, row in enumerate(stored, start=1)
        ]


ROW_NUMBER_TITLE = "№ строки"


def row_sheets(fields: Sequence[FieldSpec], language: str) -> list[RowSheet]:
    """A sheet for each field among `fields` whose kind has one, in their order."""
    found = []
    for field in fields:
        columns = kind_of(field.type).row_columns(field, language)
        if columns:
            found.append(
                RowSheet(
                    field,
                    field.label.get(language),
                    [
                        Column(ROW_NUMBER_TITLE, "integer"),
                        *(Column(c.title, c.kind) for c in columns),
                    ],
                    [c.read for c in columns],
                )
            )
    return found
