"""A table of the consolidated export as CSV, for Russian Excel: ";" between cells (its
default list separator), a decimal comma in fractional numbers ("12,5" is a number to
it, "12.5" would be a text or a date), dates as dd.mm.yyyy, yes/no as «да»/«нет».

CSV has no cell types, so a text that Excel would take for a formula (it starts with
"=", "+", "-", "@", a tab or a carriage return) gets a leading apostrophe, as OWASP
advises against CSV injection: "=1+1" is written as "'=1+1". Numbers are never
prefixed: -5 is a number, the text "-5" becomes "'-5".

`csv_bytes` gives UTF-8 with a byte-order mark, without which Excel reads the file as
Windows-1251 and garbles Cyrillic; `write_csv` leaves the encoding to its caller."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TextIO

from collector.exporters.contract import (
    Cell,
    Column,
    Figure,
    IndicatorBlock,
    IndicatorBlocks,
    IndicatorRow,
    Table,
    Workbook,
)

SEPARATOR = ";"
BOM = "\ufeff"
# First characters that make Excel (or LibreOffice) read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
YES, NO = "да", "нет"

INDICATORS_SHEET = "Показатели"

# Column keys of the indicators sheet, in order, with their kind and a Russian title
# for a key the caller's `indicator_labels` lacks.
INDICATOR_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("code", "text", "Код"),
    ("title", "text", "Показатель"),
    ("unit", "text", "Единица"),
    ("level", "text", "Уровень"),
    ("group", "text", "Организация"),
    ("value", "number", "Значение"),
    ("status", "text", "Примечание"),
    ("answered", "integer", "Ответили"),
    ("expected", "integer", "Ожидалось"),
    ("coverage", "percent", "Охват, %"),
    ("target", "number", "Целевое значение"),
    ("met", "bool", "Цель достигнута"),
    ("source", "text", "Источник"),
)
VALUE_COLUMN = 5
GROUP_COLUMN = 4
TARGET_COLUMN = 10


def safe_text(text: str) -> str:
    """A text cell that no spreadsheet takes for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: float | int) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(value).replace(".", ",")
    return str(value)


def figure_text(figure: Figure) -> str:
    """A figure as CSV text: a whole count without a decimal part («12», not «12,0»);
    anything else whole, with a decimal comma (CSV has no formats to round it by)."""
    if figure.decimals == 0 and math.isfinite(figure.value):
        return str(int(figure.value))
    return _number(float(figure.value))


def csv_cell(value: Cell) -> str:
    """A cell as CSV text: numbers with a decimal comma, a count as a whole number,
    dates as dd.mm.yyyy (with hh:mm for a moment), yes/no as «да»/«нет», None empty."""
    if value is None:
        return ""
    if isinstance(value, Figure):
        return figure_text(value)
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return safe_text(str(value))


def write_csv(table: Table, target: TextIO) -> None:
    """The header (column titles) and the rows of `table`; no title line, no BOM.
    Open a file for it with newline="" (the csv module writes "\\r\\n" itself)."""
    writer = csv.writer(target, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([safe_text(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])


def csv_bytes(table: Table) -> bytes:
    """The table as a CSV file Excel opens right: UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    write_csv(table, buffer)
    return buffer.getvalue().encode("utf-8")


def grouped_indicators(rows: Sequence[IndicatorRow] | IndicatorBlocks) -> list[IndicatorBlock]:
    """The rows as a block per (indicator, level), in the order each first appears,
    keeping the given order within it (a chart takes one block of rows); no empty
    block. Rows already grouped are taken as they are, not read."""
    if isinstance(rows, IndicatorBlocks):
        return [block for block in rows.blocks if len(block)]
    blocks: dict[tuple[str, str], list[IndicatorRow]] = {}
    for row in rows:
        blocks.setdefault((row.code, row.level), []).append(row)
    return list(blocks.values())


def _figure(value: float | None, decimals: int | None) -> Cell:
    """An indicator's value or target with the indicator's decimals; a count that is not
    whole after all (a sum of fractions) keeps its fraction."""
    if value is None or decimals is None:
        return value
    if decimals == 0 and not float(value).is_integer():
        return value
    return Figure(value, decimals)


def _indicator_cells(row: IndicatorRow) -> list[Cell]:
    coverage = row.answered / row.expected * 100 if row.expected else None
    return [
        row.code,
        row.title,
        row.unit,
        row.level,
        row.group,
        _figure(row.value, row.decimals),
        "; ".join(([row.status] if row.value is None else []) + list(row.notes)) or None,
        row.answered,
        row.expected,
        coverage,
        _figure(row.target, row.decimals),
        row.met,
        row.source,
    ]


def indicators_table(book: Workbook) -> Table:
    """The indicators sheet as a table (the same columns and rows in XLSX and CSV):
    grouped by indicator and level, coverage in per cent, the status only where there
    is no value."""
    blocks = grouped_indicators(book.indicators)
    columns = [
        Column(book.indicator_labels.get(key, default), kind)
        for key, kind, default in INDICATOR_COLUMNS
    ]
    return Table(
        name=INDICATORS_SHEET,
        title=f"{INDICATORS_SHEET}: {book.title}" if book.title else INDICATORS_SHEET,
        columns=columns,
        # Made as they are written: a national campaign has 380,000 of them.
        rows=_Cells(blocks),
        row_count=sum(len(block) for block in blocks),
    )


class _Cells:
    """The indicators sheet's cells, made again at each reading (the XLSX and a CSV may
    both read them), never all kept."""

    def __init__(self, blocks: Sequence[IndicatorBlock]) -> None:
        self.blocks = blocks

    def __iter__(self) -> Iterator[list[Cell]]:
        return (_indicator_cells(row) for block in self.blocks for row in block)
