"""A date, stored as ISO text (2026-05-31); typed as the browser's date input gives it,
read from an uploaded cell as 31.05.2026 or ISO."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import DateField
from wtforms.validators import Optional

from collector.marks import mark_for_translation
from collector.schema.kinds.base import (
    Cell,
    CellProblem,
    ExportColumn,
    FieldKind,
    problem,
    stored_date,
)
from collector.schema.spec import Column, FieldSpec
from collector.schema.types import ValueKind

_DAY_FIRST = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class DateKind(FieldKind):
    name = "date"
    label = mark_for_translation("Date")
    value_kind = ValueKind.DATE
    reader = "date"
    allows = frozenset({"min", "max"})
    in_tables = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return DateField(label, [Optional()], format="%Y-%m-%d")

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return data.isoformat() if isinstance(data, date) else None

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return stored_date(answer)

    def cell_field(self, column: Column, language: str) -> Any:
        return DateField(column.label.get(language), [Optional()], format="%Y-%m-%d")

    def cell_data(self, column: Column, answer: Any) -> Any:
        return None if answer is None else stored_date(answer)

    def row_column(self, column: Column, label: str, language: str) -> ExportColumn:
        cid = column.id

        def read(row: Any) -> Cell:
            value = row.get(cid)
            # A stored text that is not a date (written around the doors) stays as it is.
            return stored_date(value) or self.cell_value(value)

        return ExportColumn(label, "date", read)

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        found = _DAY_FIRST.match(text.strip())
        try:
            day = (
                date(int(found[3]), int(found[2]), int(found[1]))
                if found
                else date.fromisoformat(text.strip()[:10])
            )
        except ValueError:
            return None, problem(
                mark_for_translation("not a date: «%(text)s» (write 31.05.2026)"), text=text
            )
        return day.isoformat(), None
