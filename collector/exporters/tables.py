"""Plain tables as an XLSX workbook (a sheet each): a header row that stays in view, filters,
column widths that fit the text, dates as dates and numbers as numbers.

Every text cell is written as a string, never as a formula: a school named
"=HYPERLINK(...)" or "+7 900 …" stays text, so opening the file runs nothing."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter

from collector.exporters.contract import writable_number

Cell = str | int | float | bool | date | datetime | None

# Excel shows at most this many characters across a column; wider text wraps.
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One sheet of `tables_xlsx`: its name (cut to Excel's 31 characters), header, rows
    (read as they are written) and a line above the header."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    note: str | None = None


def table_xlsx(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    note: str | None = None,
) -> bytes:
    """A workbook with one sheet named `title` (cut to Excel's 31 characters); `note`
    goes in a line above the header (what, as of when)."""
    return tables_xlsx([Sheet(title, headers, rows, note)])


def tables_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of `sheets`, in order (a name taken already gets " (2)", " (3)"…)."""
    buffer = io.BytesIO()
    # strings_to_formulas off: a text starting with "=" is written as text.
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    moment = workbook.add_format({"num_format": "dd.mm.yyyy hh:mm", "valign": "top"})
    day = workbook.add_format({"num_format": "dd.mm.yyyy", "valign": "top"})
    taken: set[str] = set()
    for each in sheets:
        sheet = workbook.add_worksheet(_free_name(each.title, taken))
        top = 0
        if each.note:
            sheet.write_string(0, 0, each.note)
            top = 1
        widths = [len(h) for h in each.headers]
        for column, header in enumerate(each.headers):
            sheet.write_string(top, column, header, bold)
        count = 0
        for count, row in enumerate(each.rows, start=1):
            for column, value in enumerate(row):
                _write(sheet, top + count, column, value, wrap, moment, day)
                if column < len(widths):
                    widths[column] = max(widths[column], _shown_length(value))
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(width + 2, MAX_WIDTH))
        sheet.freeze_panes(top + 1, 0)
        sheet.autofilter(top, 0, top + count, max(len(each.headers) - 1, 0))
    workbook.close()
    return buffer.getvalue()


def _free_name(title: str, taken: set[str]) -> str:
    name, number = _sheet_name(title), 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = _sheet_name(title)[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _sheet_name(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")
    return cleaned[:31] or "Sheet1"


def _shown_length(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value)) if value is not None else 0


def _write(
    sheet: Any, row: int, column: int, value: Cell, wrap: Any, moment: Any, day: Any
) -> None:
    if value is None or value == "":
        sheet.write_blank(row, column, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        if writable_number(value):
            sheet.write_number(row, column, value)
        else:  # NaN, infinity or past what a spreadsheet holds: shown as it is
            sheet.write_string(row, column, str(value)[:100], wrap)
    elif isinstance(value, datetime):
        # Excel has no time zones: the caller gives wall-clock time of the region.
        sheet.write_datetime(row, column, value.replace(tzinfo=None), moment)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, day)
    else:
        sheet.write_string(row, column, str(value), wrap)
