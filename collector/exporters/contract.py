"""What a consolidated campaign export holds, as plain data: the reports layer fills it
from the database and the engine, the writers (XLSX, CSV) turn it into files. No Flask,
no database here."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Figure:
    """A number written with a fixed number of decimals: 0 for a count (a whole-number
    cell), 1 for a share in per cent. The XLSX keeps the whole value and formats it; the
    CSV, having no formats, writes a count as a whole number and anything else whole."""

    value: float
    decimals: int


Cell = str | int | float | bool | date | datetime | Figure | None

# Excel keeps 15 significant digits; an integer past 2^53 or a float past this is not a
# number any door lets in, and float() of a huge integer raises.
LARGEST_NUMBER = 1e300


def writable_number(value: int | float) -> bool:
    """Whether a number can be written as a spreadsheet number (finite, not huge)."""
    if isinstance(value, int):
        return -(2**53) <= value <= 2**53
    return math.isfinite(value) and abs(value) < LARGEST_NUMBER


@dataclass(frozen=True)
class Column:
    title: str
    # "text", "integer", "number" (2 decimals), "percent" (a value 0–100, 1 decimal),
    # "date", "datetime", "bool"
    kind: str = "text"
    width: int | None = None  # characters; None: fitted to the content


@dataclass(frozen=True)
class TableChart:
    """A native bar chart over some rows of a table: a bar per row, labelled from one
    column, and a series per value column (named by its header)."""

    title: str
    first_row: int  # zero-based rows of the table's data
    last_row: int
    label_column: int
    value_columns: Sequence[int]
    unit: str | None = None


@dataclass(frozen=True)
class Table:
    """A sheet (or a CSV file): a title, columns and rows of cells."""

    name: str  # sheet name (cut to Excel's 31 characters by the writer)
    title: str  # a line above the header: what the table is
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]
    # Rows known in advance (None: unknown, e.g. a generator of survey answers).
    row_count: int | None = None
    # Charts over the table's rows, on a sheet of their own after it.
    charts: Sequence[TableChart] = ()


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator for one group, as the indicators sheet shows it."""

    code: str
    title: str
    unit: str | None
    level: str  # "Школа", "Муниципалитет", "Регион" (already in the user's language)
    group: str  # the unit's name
    value: float | None
    status: str  # shown when there is no value: "нет данных", "не применяется"
    answered: int
    expected: int
    target: float | None
    met: bool | None
    source: str  # the document and clause
    # What the value leaves out ("нет численности у 1 организации: не учтена"), shown in
    # the status column beside a value too.
    notes: Sequence[str] = ()
    # The indicator's decimals (IndicatorSpec.written_decimals): 0 for a count, 1 for a share,
    # None for up to two.
    decimals: int | None = None


class IndicatorBlock(Protocol):
    """One indicator's rows at one level, in the sheet's order: read as often as a
    writer needs (a list of rows is one), its length known before it is read (a long
    sheet is written plainly, a short one wrapped)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[IndicatorRow]: ...


@dataclass(frozen=True)
class IndicatorBlocks:
    """Indicator rows already grouped: a block per (indicator, level), each of them once,
    in the sheet's order. A block may make its rows as they are read (a national
    campaign has 380,000 of them), so they are never all kept."""

    blocks: Sequence[IndicatorBlock]

    def __len__(self) -> int:
        return sum(len(block) for block in self.blocks)

    def __iter__(self) -> Iterator[IndicatorRow]:
        for block in self.blocks:
            yield from block


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel chart over the indicators sheet: one indicator's values at one
    level (one bar per group), with its target when there is one."""

    title: str
    indicator_code: str
    level: str
    unit: str | None = None


@dataclass
class Workbook:
    title: str  # the campaign
    description: Sequence[tuple[str, Cell]]  # (what, value) lines of the description sheet
    # Rows in any order (the writers group them by indicator and level), or grouped.
    indicators: Sequence[IndicatorRow] | IndicatorBlocks
    indicator_labels: dict[str, str]  # column titles of the indicators sheet, by key
    sections: Sequence[Table] = field(default_factory=list)  # one row per unit
    # A repeating table's rows, one sheet (or CSV file) per table field, one row per
    # table row keyed by the unit and the response; after the sections (which keep each
    # unit's count and sums).
    row_tables: Sequence[Table] = field(default_factory=list)
    completeness: Table | None = None
    responses: Table | None = None  # surveys: one row per response
    # Each indicator's document, clause, formula, targets and how the document is read.
    sources: Table | None = None
    charts: Sequence[ChartSpec] = field(default_factory=list)
