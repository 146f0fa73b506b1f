"""The consolidated export of a campaign as one XLSX workbook: indicators, native charts
over them, one sheet per section, one per repeating table's rows, completeness, survey
answers and a description.

Every sheet has a title line, a header that stays in view and filters; numbers are
numbers and dates are dates, formatted by the column's kind; yes/no is «да»/«нет».
Every text is written as a string, never as a formula or a link: a school named
"=HYPERLINK(...)" or an answer "+7 900 …" stays text, so opening the file runs nothing.

The workbook is written in XlsxWriter's constant_memory mode: each row goes to a temp
file as soon as the next one starts, so a million survey answers need no more memory
than one row. Rows are therefore written strictly in order, and column widths, which
XlsxWriter keeps aside and writes only when it closes the file, are fitted from every
cell as it passes. A table longer than a sheet goes on over "<name> (2)", "(3)"…"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import xlsxwriter

from collector.exporters.contract import (
    Cell,
    Column,
    Figure,
    IndicatorBlock,
    Table,
    Workbook,
    writable_number,
)
from collector.exporters.csvfiles import (
    GROUP_COLUMN,
    INDICATOR_COLUMNS,
    TARGET_COLUMN,
    VALUE_COLUMN,
    grouped_indicators,
    indicators_table,
)
from collector.exporters.whole_rows import WholeRows, column_format_kind

EXCEL_MAX_ROWS = 1_048_576
# Rows above the data: the title line and the header.
HEAD_ROWS = 2
MAX_WIDTH = 60
MIN_WIDTH = 6
# A long header wraps (the header format wraps) rather than widening its column.
HEADER_WIDTH = 30
PROGRESS_EVERY = 10_000
# Column widths are fitted from this many rows of a table: enough to see its values, and
# a million-row sheet is not measured cell by cell.
WIDTH_SAMPLE_ROWS = 10_000
# Text in tables up to this size wraps in its cell; longer sheets are written plain, as
# fast as XlsxWriter goes (a format on every cell costs a third more time).
WRAP_ROWS = 10_000
# A zip holds a member over 2 GiB only with ZIP64 extensions. They are switched on only
# when a sheet's XML (estimated as it is written: markup per cell, two bytes a character
# of text) may come near that; Excel may complain about ZIP64 in a file that does not
# need it.
ZIP64_BYTES = 1_500_000_000
CELL_XML_BYTES = 60

CHARTS_SHEET = "Диаграммы"
DESCRIPTION_SHEET = "Описание"
DESCRIPTION_COLUMNS = (Column("Параметр"), Column("Значение"))
CHART_WIDTH, CHART_HEIGHT = 480, 288
# Rows of 20 px (Excel's default) from the top of one chart to the next: 320 px.
CHART_STEP_ROWS = 16
# Columns of 64 px (Excel's default) from one chart to the one beside it: 512 px.
TABLE_CHART_STEP_COLUMNS = 8
TABLE_CHARTS_SUFFIX = "— диаграммы"
YES, NO = "да", "нет"

NUMBER_FORMATS = {
    "integer": "0",
    "number": "0.00",
    # Values 0–100 already: Excel's "%" format would multiply them by 100 again.
    "percent": "0.0",
    "date": "dd.mm.yyyy",
    "datetime": "dd.mm.yyyy hh:mm",
}
FORBIDDEN = frozenset("[]:*?/\\")
MAX_NAME = 31

Progress = Callable[[str, int], None]


def _cut(base: str, suffix: str = "") -> str:
    # Excel refuses a name that starts or ends with an apostrophe.
    return base[: MAX_NAME - len(suffix)].rstrip().strip("'") + suffix


class _Names:
    """Sheet names as Excel takes them: at most 31 characters, none of []:*?/\\, unique
    regardless of case ("History" is Excel's own)."""

    def __init__(self) -> None:
        self._taken = {"history"}

    def _free(self, name: str) -> bool:
        return bool(name) and name.casefold() not in self._taken

    def take(self, wanted: str, *, first: int | None = None) -> str:
        """`wanted`, cleaned; if that is taken, "<wanted> (2)", "(3)"… `first` starts
        the numbering there at once (the continuation sheets of a table)."""
        base = "".join("_" if ch in FORBIDDEN else ch for ch in wanted).strip().strip("'")
        base = base or "Лист"
        name = _cut(base) if first is None else ""
        number = first or 2
        while not self._free(name):
            name = _cut(base, f" ({number})")
            number += 1
        self._taken.add(name.casefold())
        return name


def _shown_length(value: Cell, kind: str) -> int:
    """About how many characters a cell shows."""
    if value is None:
        return 0
    if isinstance(value, Figure):
        return len(f"{value.value:.{value.decimals}f}") if math.isfinite(value.value) else 0
    if isinstance(value, bool):
        return 3
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return 0
        if kind == "number":
            return len(f"{value:.2f}")
        if kind == "percent":
            return len(f"{value:.1f}")
        if kind == "integer" and float(value).is_integer():
            return len(f"{value:.0f}")
        return min(len(str(value)), 12)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _header_length(title: str) -> int:
    longest_word = max((len(word) for word in title.split()), default=0)
    return max(min(len(title), HEADER_WIDTH), longest_word)


@dataclass
class Segment:
    """Part of a table on one sheet: its rows first … first+count-1 of the table sit on
    sheet rows HEAD_ROWS … HEAD_ROWS+count-1 (zero-based)."""

    sheet: str
    first: int
    count: int = 0
    size: int = 0  # bytes of XML, about


class _Writer:
    def __init__(self, book: Any, max_rows: int, progress: Progress | None) -> None:
        self.book = book
        self.data_rows = max_rows - HEAD_ROWS
        self.progress = progress
        self.names = _Names()
        self.continued: list[tuple[str, list[str]]] = []
        self.title_format = book.add_format({"bold": True})
        self.header_format = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}
        )
        self.text_format = book.add_format({"text_wrap": True, "valign": "top"})
        self.plain_number = book.add_format({"valign": "top"})
        self.formats = {
            kind: book.add_format({"num_format": pattern, "valign": "top"})
            for kind, pattern in NUMBER_FORMATS.items()
        }
        self.figure_formats: dict[int, Any] = {}

    def _figure_format(self, decimals: int) -> Any:
        """ "0" for whole numbers, "0.0" for one decimal…"""
        if decimals not in self.figure_formats:
            pattern = "0." + "0" * decimals if decimals else NUMBER_FORMATS["integer"]
            self.figure_formats[decimals] = self.book.add_format(
                {"num_format": pattern, "valign": "top"}
            )
        return self.figure_formats[decimals]

    def _column_formats(self, kinds: Sequence[str]) -> dict[int, Any]:
        found = {}
        for column, kind in enumerate(kinds):
            named = column_format_kind(kind)
            if named is not None:
                found[column] = self.formats[named]
        return found

    def _report(self, sheet: str, rows: int) -> None:
        if self.progress is not None:
            self.progress(sheet, rows)

    def _start_sheet(
        self, name: str, table: Table, column_formats: dict[int, Any] | None = None
    ) -> Any:
        sheet = self.book.add_worksheet(name)
        # Before any row: XlsxWriter gives an unformatted cell its column's format as it
        # writes the row out (constant_memory writes rows as they come).
        for column, column_format in (column_formats or {}).items():
            sheet.set_column(column, column, None, column_format)
        sheet.write_string(0, 0, table.title, self.title_format)
        for column, spec in enumerate(table.columns):
            sheet.write_string(1, column, spec.title, self.header_format)
        # Row 1 is the title line, row 2 the header: data scrolls from A3.
        sheet.freeze_panes(HEAD_ROWS, 0)
        return sheet

    def _finish_sheet(self, sheet: Any, segment: Segment, width: int) -> None:
        if width:
            sheet.autofilter(1, 0, 1 + segment.count, width - 1)
        if segment.count == 0 or segment.count % PROGRESS_EVERY:
            self._report(segment.sheet, segment.count)

    def _write_cell(self, sheet: Any, row: int, column: int, value: Cell, kind: str) -> None:
        if value is None:
            return
        if isinstance(value, Figure):
            if writable_number(value.value):
                number = value.value
                # A whole count as an integer, as Excel and readers of the file take it.
                shown = int(number) if value.decimals == 0 else number
                sheet.write_number(row, column, shown, self._figure_format(value.decimals))
            return
        if isinstance(value, bool):
            sheet.write_string(row, column, YES if value else NO, self.text_format)
        elif isinstance(value, int | float):
            if isinstance(value, float) and math.isnan(value):
                return  # the engine's "no value"
            if not writable_number(value):
                # Infinities and numbers past what a spreadsheet holds: as text.
                sheet.write_string(row, column, str(value)[:100], self.text_format)
                return
            number_format = self.formats.get(kind, self.plain_number)
            if kind == "integer" and not float(value).is_integer():
                number_format = self.formats["number"]
            elif kind in ("date", "datetime"):
                number_format = self.plain_number
            sheet.write_number(row, column, value, number_format)
        elif isinstance(value, datetime):
            # Excel has no time zones: the caller gives the region's wall-clock time.
            moment = self.formats["date" if kind == "date" else "datetime"]
            sheet.write_datetime(row, column, value.replace(tzinfo=None), moment)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, self.formats["date"])
        else:
            # Never write(): a string is a string, whatever it starts with.
            sheet.write_string(row, column, str(value), self.text_format)

    def _writer_for(
        self, kind: str, wrap: bool, long: bool
    ) -> Callable[[Any, int, int, Cell], None]:
        """A cell writer for one column: the common case of its kind straight to
        XlsxWriter, anything else through `_write_cell`."""
        text_format = self.text_format if wrap else None
        general = self._write_cell

        if kind == "integer":
            # A long sheet's whole numbers in the General format (they show whole): a
            # format on each of a million cells is XML to write and read for nothing.
            integer_format = None if long else self.formats["integer"]

            def write_integer(sheet: Any, row: int, column: int, value: Cell) -> None:
                if type(value) is int and -(2**53) <= value <= 2**53:
                    sheet.write_number(row, column, value, integer_format)
                else:
                    general(sheet, row, column, value, kind)

            return write_integer

        if kind == "text":

            def write_text(sheet: Any, row: int, column: int, value: Cell) -> None:
                if type(value) is str:
                    # Never write(): a string is a string, whatever it starts with.
                    sheet.write_string(row, column, value, text_format)
                else:
                    general(sheet, row, column, value, kind)

            return write_text

        if kind == "bool":
            # A ticked option or a yes/no: most cells of a survey's answers sheet, plain
            # in a long one (a three-letter word needs no wrapping).
            bool_format = None if long else self.text_format

            def write_bool(sheet: Any, row: int, column: int, value: Cell) -> None:
                if type(value) is bool:
                    sheet.write_string(row, column, YES if value else NO, bool_format)
                else:
                    general(sheet, row, column, value, kind)

            return write_bool

        if kind == "date":
            date_format = self.formats["date"]

            def write_date(sheet: Any, row: int, column: int, value: Cell) -> None:
                if type(value) is date:
                    sheet.write_datetime(row, column, value, date_format)
                else:
                    general(sheet, row, column, value, kind)

            return write_date

        def write_other(sheet: Any, row: int, column: int, value: Cell) -> None:
            general(sheet, row, column, value, kind)

        return write_other

    def table(self, table: Table) -> list[Segment]:
        """Writes `table` on a new sheet (and on its continuations) and gives where its
        rows went."""
        columns = list(table.columns)
        kinds = [column.kind for column in columns]
        wrap = table.row_count is not None and table.row_count <= WRAP_ROWS
        # Known to be long (a survey's answers): written as plainly as XlsxWriter goes.
        long = table.row_count is not None and table.row_count > WRAP_ROWS
        writers = [self._writer_for(kind, wrap, long) for kind in kinds]
        # A long table's rows go to XlsxWriter whole where they can (collector.exporters.
        # whole_rows): a cell at a time costs a quarter more on a million answers.
        whole = WholeRows(kinds, YES, NO) if long else None
        column_formats = self._column_formats(kinds) if long else {}
        lengths = [_header_length(column.title) for column in columns]
        name = self.names.take(table.name)
        sheet = self._start_sheet(name, table, column_formats)
        sheets = [sheet]
        segments = [Segment(name, 0)]
        for row_index, row in enumerate(table.rows):
            segment = segments[-1]
            if segment.count == self.data_rows:
                self._finish_sheet(sheet, segment, len(columns))
                next_name = self.names.take(name, first=len(segments) + 1)
                sheet = self._start_sheet(next_name, table, column_formats)
                sheets.append(sheet)
                segment = Segment(next_name, row_index)
                segments.append(segment)
            sheet_row = HEAD_ROWS + segment.count
            size = CELL_XML_BYTES * len(row)
            found = None if whole is None else whole.cells(row)
            if found is not None:
                cells, text, figures = found
                sheet.write_row(sheet_row, 0, cells)
                for column, figure in figures:
                    self._write_cell(sheet, sheet_row, column, figure, kinds[column])
                size += 2 * text
            for column, value in enumerate(() if found is not None else row):
                if value is None:
                    continue
                if column < len(writers):
                    writers[column](sheet, sheet_row, column, value)
                else:
                    self._write_cell(sheet, sheet_row, column, value, "text")
                if type(value) is str:
                    size += 2 * len(value)
            if row_index < WIDTH_SAMPLE_ROWS:
                for column, value in enumerate(row[: len(lengths)]):
                    lengths[column] = max(lengths[column], _shown_length(value, kinds[column]))
            segment.count += 1
            segment.size += size
            if segment.size > ZIP64_BYTES:
                self.book.use_zip64()
            if segment.count % PROGRESS_EVERY == 0:
                self._report(segment.sheet, segment.count)
        self._finish_sheet(sheet, segments[-1], len(columns))
        # XlsxWriter writes the widths when it closes the file, so in constant_memory
        # mode too they may be set after the rows: fitted from every cell written.
        for each in sheets:
            for column, spec in enumerate(columns):
                width = spec.width or min(max(lengths[column], MIN_WIDTH - 2) + 2, MAX_WIDTH)
                each.set_column(column, column, width, column_formats.get(column))
        if len(segments) > 1:
            self.continued.append((name, [s.sheet for s in segments[1:]]))
        if table.charts:
            self._table_charts(table, name, segments)
        return segments

    def _table_charts(self, table: Table, name: str, segments: Sequence[Segment]) -> None:
        """The table's charts on a sheet of their own, two abreast."""
        sheet = self.book.add_worksheet(self.names.take(f"{name} {TABLE_CHARTS_SUFFIX}"))
        for index, spec in enumerate(table.charts):
            where, first, last = _sheet_rows(segments, spec.first_row, spec.last_row)
            chart = self.book.add_chart({"type": "bar"})
            for column in spec.value_columns:
                chart.add_series(
                    {
                        "name": [where, HEAD_ROWS - 1, column],
                        "categories": [where, first, spec.label_column, last, spec.label_column],
                        "values": [where, first, column, last, column],
                    }
                )
            chart.set_title({"name": _chart_text(spec.title), "name_font": {"size": 11}})
            if spec.unit:
                chart.set_x_axis({"name": _chart_text(spec.unit)})
            # The first option on top, as in the table.
            chart.set_y_axis({"reverse": True})
            chart.set_legend(
                {"position": "bottom"} if len(spec.value_columns) > 1 else {"none": True}
            )
            chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
            sheet.insert_chart(
                (index // 2) * CHART_STEP_ROWS, (index % 2) * TABLE_CHART_STEP_COLUMNS, chart
            )
        self._report(sheet.name, 0)

    def charts(self, book: Workbook, segments: Sequence[Segment]) -> None:
        """Native column charts over the indicators sheet, one (code, level) block of
        rows each, with the target as a line; on their own sheet."""
        # Where each block's rows went, by (code, level) of its first row: a block is
        # read whole only when it is charted and has no target (any() stops at one).
        blocks: dict[tuple[str, str], tuple[int, int, IndicatorBlock]] = {}
        first = 0
        for block in grouped_indicators(book.indicators):
            head = next(iter(block))
            blocks.setdefault((head.code, head.level), (first, first + len(block) - 1, block))
            first += len(block)
        placed: list[Any] = []
        for spec in book.charts:
            found = blocks.get((spec.indicator_code, spec.level))
            if found is None:
                continue
            start, end, rows = found
            sheet, first_row, last_row = _sheet_rows(segments, start, end)
            has_target = any(row.target is not None for row in rows)
            placed.append(
                self._chart(book, spec.title, spec.unit, sheet, first_row, last_row, has_target)
            )
        if not placed:
            return
        name = self.names.take(CHARTS_SHEET)
        sheet = self.book.add_worksheet(name)
        for index, chart in enumerate(placed):
            sheet.insert_chart(index * CHART_STEP_ROWS, 0, chart)
        self._report(name, 0)

    def _chart(
        self,
        book: Workbook,
        title: str,
        unit: str | None,
        sheet: str,
        first_row: int,
        last_row: int,
        has_target: bool,
    ) -> Any:
        labels = book.indicator_labels
        defaults = {key: default for key, _kind, default in INDICATOR_COLUMNS}
        categories = [sheet, first_row, GROUP_COLUMN, last_row, GROUP_COLUMN]
        chart = self.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": _chart_text(labels.get("value", defaults["value"])),
                "categories": categories,
                "values": [sheet, first_row, VALUE_COLUMN, last_row, VALUE_COLUMN],
            }
        )
        if has_target:
            line = self.book.add_chart({"type": "line"})
            line.add_series(
                {
                    "name": _chart_text(labels.get("target", defaults["target"])),
                    "categories": categories,
                    "values": [sheet, first_row, TARGET_COLUMN, last_row, TARGET_COLUMN],
                    "marker": {"type": "diamond"},
                }
            )
            chart.combine(line)
        chart.set_title({"name": _chart_text(title), "name_font": {"size": 12}})
        if unit:
            chart.set_y_axis({"name": _chart_text(unit)})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        return chart

    def description(self, book: Workbook) -> None:
        lines: list[Sequence[Cell]] = [list(line) for line in book.description]
        for name, more in self.continued:
            lines.append([f"Лист «{name}» продолжен на листах", ", ".join(f"«{m}»" for m in more)])
        self.table(
            Table(
                name=DESCRIPTION_SHEET,
                title=book.title,
                columns=DESCRIPTION_COLUMNS,
                rows=lines,
                row_count=len(lines),
            )
        )


def _chart_text(text: str) -> str:
    # XlsxWriter reads a chart title or series name starting with "=" as a reference to
    # a cell; a leading space keeps it a text.
    return " " + text if text.startswith("=") else text


def _sheet_rows(segments: Sequence[Segment], first: int, last: int) -> tuple[str, int, int]:
    """The sheet and its zero-based rows of table rows first…last. A block split over
    two sheets (only with a tiny max_rows) is charted over its part on the first."""
    for segment in segments:
        if segment.first <= first < segment.first + segment.count:
            end = min(last, segment.first + segment.count - 1)
            return (
                segment.sheet,
                HEAD_ROWS + first - segment.first,
                HEAD_ROWS + end - segment.first,
            )
    raise ValueError(f"row {first} is on no sheet")


def write_workbook(
    book: Workbook,
    target: BinaryIO | str,
    *,
    max_rows: int = EXCEL_MAX_ROWS,
    progress: Progress | None = None,
) -> None:
    """Writes `book` to `target` (a path or a binary file): sheets "Показатели",
    "Диаграммы" (when there are charts), the sections, the rows of repeating tables,
    completeness, answers and
    "Описание". A sheet holds at most `max_rows` rows, title line and header included;
    `progress(sheet, rows written)` is called every 10,000 rows and when a sheet ends."""
    if max_rows <= HEAD_ROWS or max_rows > EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be within {HEAD_ROWS + 1}…{EXCEL_MAX_ROWS}")
    xlsx = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    writer = _Writer(xlsx, max_rows, progress)
    segments = writer.table(indicators_table(book))
    writer.charts(book, segments)
    tables: list[Table] = [*book.sections, *book.row_tables]
    if book.completeness is not None:
        tables.append(book.completeness)
    if book.responses is not None:
        tables.append(book.responses)
    if book.sources is not None:
        tables.append(book.sources)
    for table in tables:
        writer.table(table)
    writer.description(book)
    xlsx.close()
