"""Reading an uploaded table (CSV or XLSX) into rows of text with the row numbers the user
sees in the file: the header is row 1, the first data row is row 2, and blank rows are
skipped without renumbering the rows after them.

Pure: no Flask, no database, so the command line and the web share it.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
import pandas as pd

from collector.marks import mark_for_translation

# The only user-facing texts of this module, marked for translation (pure modules have no
# translation machinery: the door that shows a TableError translates it with
# `TableError.text`, its limit in the interface language's digits; Russian is in the
# catalogue).
# The files a table is read from (every upload of a table checks this first).
TABLE_EXTENSIONS = ("csv", "xlsx")

MESSAGES = {
    "extension": mark_for_translation("Only CSV and XLSX files are supported."),
    "unreadable": mark_for_translation(
        "The file could not be read: it is damaged or it is not a table."
    ),
    "empty": mark_for_translation("The file has neither a header nor rows."),
    "duplicate": mark_for_translation("The column «%(column)s» appears twice in the header."),
    "blank_header": mark_for_translation("The header has an empty column (number %(index)s)."),
    "encoding": mark_for_translation(
        "The file's encoding was not recognised: save it in UTF-8 or Windows-1251."
    ),
    "stray": mark_for_translation(
        "Row %(row)s has a filled cell in column %(index)s, which has no header."
    ),
    "rows": mark_for_translation(
        "The file has more than %(limit)s rows: that many are not read at once. Split the file."
    ),
    "columns": mark_for_translation(
        "Row %(row)s has more than %(limit)s columns: that many are not read. "
        "Delete the extra columns."
    ),
    "cells": mark_for_translation(
        "The file has more than %(limit)s cells: that many are not read at once. Split the file."
    ),
    "uncompressed": mark_for_translation(
        "The unpacked file is larger than %(limit)s MB: that much is not read. "
        "Split the file or delete the extra sheets."
    ),
    "entries": mark_for_translation(
        "The XLSX archive has more than %(limit)s parts: this is not an ordinary table."
    ),
    "ratio": mark_for_translation(
        "The part «%(name)s» of the XLSX archive is compressed more than %(limit)s times: "
        "such a file is not read."
    ),
    "not_xlsx": mark_for_translation(
        "The file could not be read: it is an archive, but not an XLSX workbook."
    ),
}


@dataclass(frozen=True)
class TableLimits:
    """How much of a table is read at most. The file's own claims (an XLSX's
    `<dimension>`, its zip directory's sizes) are not trusted: the limits are checked on
    what is actually read, and reading stops at the first excess."""

    max_rows: int = 100_000
    max_columns: int = 200
    max_cells: int = 2_000_000
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_zip_entries: int = 1_000
    max_compression_ratio: int = 200


DEFAULT_LIMITS = TableLimits()
_CHUNK = 1024 * 1024

# Excel hands whole numbers back as "25.0" when a column mixes numbers and text.
_WHOLE_FLOAT = re.compile(r"^-?\d+\.0+$")
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class TableError(ValueError):
    """The file as a whole cannot be read. `message` is one of MESSAGES (an English msgid),
    `values` fill its placeholders (`limit`, when there is one, is a count the page writes
    in its language's digits); `row` is the row the problem was found on, when there is
    one. `str()` is the English text, for logs and scripts; a page shows `text(...)`."""

    def __init__(
        self, message: str, values: Mapping[str, str | int] | None = None, row: int | None = None
    ) -> None:
        self.message = message
        self.values = dict(values or {})
        self.row = row
        super().__init__(self.text())

    def text(
        self,
        translate: Callable[[str], str] | None = None,
        number: Callable[[int], str] | None = None,
    ) -> str:
        """The message in the language `translate` gives, a limit written by `number`
        (as written here, with no-break-space grouping, without them)."""
        message = self.message if translate is None else translate(self.message)
        values = {
            key: (number or _number)(value) if key == "limit" and isinstance(value, int) else value
            for key, value in self.values.items()
        }
        return message % values if values else message


@dataclass(frozen=True)
class TableRow:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    columns: list[str]
    rows: list[TableRow] = field(default_factory=list)
    # Blank rows above the header are skipped too, so the header need not be row 1.
    header_row: int = 1


def normalise_header(name: str, aliases: Mapping[str, str]) -> str:
    key = " ".join(str(name).replace("\ufeff", "").split()).lower()
    return aliases.get(key, key)


def _decode(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode text"
        return data.decode("utf-16")
    if b"\x00" in data:
        raise TableError(MESSAGES["unreadable"])
    # cp1251 decodes almost any bytes, so it can only be the fallback.
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(MESSAGES["encoding"])


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=header.count)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _csv_frame(data: bytes, limits: TableLimits = DEFAULT_LIMITS) -> Any:
    if len(data) > limits.max_uncompressed_bytes:
        raise _limit("uncompressed", limits.max_uncompressed_bytes // 2**20)
    text = _decode(data)
    sep = _delimiter(text)
    lines = text.splitlines()
    if len(lines) > limits.max_rows:
        raise _limit("rows", limits.max_rows)
    # Named columns as wide as the widest line: a row with more cells than the header is
    # then read (and reported by its number) instead of stopping the parser. A line of a
    # million separators is refused here, before pandas makes a million columns.
    width = 1
    for number, line in enumerate(lines, start=1):
        width = max(width, line.count(sep) + 1)
        if width > limits.max_columns:
            raise _limit("columns", limits.max_columns, row=number)
    if width * len(lines) > limits.max_cells:
        raise _limit("cells", limits.max_cells)
    return pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        header=None,
        names=list(range(width)),
        keep_default_na=False,
        skip_blank_lines=False,
    )


def _limit(key: str, limit: int, row: int | None = None, **values: str) -> TableError:
    shown: dict[str, str | int] = {"limit": limit, **values}
    if row is not None:
        shown["row"] = row
    return TableError(MESSAGES[key], shown, row=row)


def _check_archive(data: bytes, limits: TableLimits) -> None:
    """Refuse a zip bomb before openpyxl opens it: too many entries, a declared size or a
    compression ratio beyond the limits, and then, since the directory can lie, every
    entry actually decompressed with a hard cap on the bytes it yields."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TableError(MESSAGES["unreadable"]) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_zip_entries:
            raise _limit("entries", limits.max_zip_entries)
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or not any(
            name.startswith("xl/worksheets/") for name in names
        ):
            raise TableError(MESSAGES["not_xlsx"])
        megabytes = limits.max_uncompressed_bytes // 2**20
        if sum(entry.file_size for entry in entries) > limits.max_uncompressed_bytes:
            raise _limit("uncompressed", megabytes)
        for entry in entries:
            if entry.file_size > limits.max_compression_ratio * max(entry.compress_size, 1024):
                name = entry.filename[:100]
                raise _limit("ratio", limits.max_compression_ratio, name=name)
        remaining = limits.max_uncompressed_bytes
        for entry in entries:
            with archive.open(entry) as stream:
                while chunk := stream.read(min(_CHUNK, remaining + 1)):
                    remaining -= len(chunk)
                    if remaining < 0:
                        raise _limit("uncompressed", megabytes)


def _xlsx_frame(data: bytes, limits: TableLimits = DEFAULT_LIMITS) -> Any:
    """The first sheet's cells as text, row 1 first. Read with openpyxl itself, not
    pandas.read_excel, which drops the cells' formats: a cell formatted as percent holds
    0.85 and shows 85 %, and the user means 85."""
    _check_archive(data, limits)
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (styles, validation): harmless.
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows: list[list[str]] = []
    try:
        sheet = book.worksheets[0]
        # The sheet's <dimension> is the file's claim, not its content: openpyxl would pad
        # every row to it (A1:XFD3000 makes 49 million cells of a 2 KB file).
        sheet.reset_dimensions()
        cells = 0
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > limits.max_rows:
                raise _limit("rows", limits.max_rows)
            if len(row) > limits.max_columns:
                raise _limit("columns", limits.max_columns, row=number)
            cells += len(row)
            if cells > limits.max_cells:
                raise _limit("cells", limits.max_cells)
            rows.append([_xlsx_text(cell) for cell in row])
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=str)


def _xlsx_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return format((Decimal(str(value)) * 100).normalize(), "f")
    return str(value)


def _grid(filename: str, data: bytes, limits: TableLimits) -> list[list[str]]:
    """The cells as text, row 1 first."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in TABLE_EXTENSIONS:
        raise TableError(MESSAGES["extension"])
    if not data.strip():
        raise TableError(MESSAGES["empty"])
    # A workbook renamed to .csv is still a workbook.
    excel = extension == "xlsx" or data.startswith(_ZIP_MAGIC)
    try:
        frame = _xlsx_frame(data, limits) if excel else _csv_frame(data, limits)
    except TableError:
        raise
    except pd.errors.EmptyDataError:
        raise TableError(MESSAGES["empty"]) from None
    except Exception as error:  # pandas and openpyxl raise many kinds for a broken file
        raise TableError(MESSAGES["unreadable"]) from error
    return [[_cell(value, excel) for value in row] for row in frame.itertuples(index=False)]


def _cell(value: object, excel: bool) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    if excel and _WHOLE_FLOAT.match(text):
        return text[: text.index(".")]
    return text


def _header(cells: list[str], aliases: Mapping[str, str]) -> list[str]:
    names = list(cells)
    # Trailing unnamed columns are Excel's leftovers, not data.
    while names and not names[-1]:
        names.pop()
    columns = [normalise_header(name, aliases) for name in names]
    seen: set[str] = set()
    for index, name in enumerate(columns, start=1):
        if not name:
            raise TableError(MESSAGES["blank_header"], {"index": index})
        if name in seen:
            # As the file writes it, not under the name the caller reads it by.
            raise TableError(MESSAGES["duplicate"], {"column": names[index - 1]})
        seen.add(name)
    return columns


def read_table(
    filename: str,
    data: bytes,
    aliases: Mapping[str, str] | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
) -> Table:
    """Read the first sheet (XLSX) or the whole file (CSV); `aliases` maps normalised
    header texts (e.g. Russian ones) to the column names callers use. A file beyond
    `limits` is refused with a message naming the limit."""
    grid = _grid(filename, data, limits)
    numbered = [(number, cells) for number, cells in enumerate(grid, start=1) if any(cells)]
    if not numbered:
        raise TableError(MESSAGES["empty"])
    header_row, header_cells = numbered[0]
    columns = _header(header_cells, aliases or {})
    table = Table(columns=columns, header_row=header_row)
    for number, cells in numbered[1:]:
        for index, value in enumerate(cells[len(columns) :], start=len(columns) + 1):
            if value:
                raise TableError(MESSAGES["stray"], {"row": number, "index": index}, row=number)
        table.rows.append(TableRow(number, dict(zip(columns, cells, strict=False))))
    return table
