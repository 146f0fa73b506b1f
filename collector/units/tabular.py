"""Reading an uploaded table (CSV or XLSX) into rows of text with the row numbers the user
sees in the file: the header is row 1, the first data row is row 2, and blank rows are
skipped without renumbering the rows after them.

Pure: no Flask, no database, so the command line and the web share it.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
import pandas as pd

# The only user-facing texts of this module (it has no translation machinery).
MESSAGES = {
    "extension": "Поддерживаются только файлы CSV и XLSX.",
    "unreadable": "Файл не удалось прочитать: он повреждён или это не таблица.",
    "empty": "В файле нет ни заголовка, ни строк.",
    "duplicate": "Столбец «{column}» встречается в заголовке дважды.",
    "blank_header": "В заголовке есть пустой столбец (номер {index}).",
    "encoding": "Кодировка файла не распознана: сохраните его в UTF-8 или Windows-1251.",
    "stray": "В строке {row} заполнена ячейка в столбце {index}, у которого нет заголовка.",
}

# Excel hands whole numbers back as "25.0" when a column mixes numbers and text.
_WHOLE_FLOAT = re.compile(r"^-?\d+\.0+$")
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class TableError(ValueError):
    """The file as a whole cannot be read; the message is for the user. `row` is the row
    the problem was found on, when there is one."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


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


def _csv_frame(data: bytes) -> Any:
    text = _decode(data)
    sep = _delimiter(text)
    # Named columns as wide as the widest line: a row with more cells than the header is
    # then read (and reported by its number) instead of stopping the parser.
    width = max((line.count(sep) for line in text.splitlines()), default=0) + 1
    return pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        header=None,
        names=list(range(width)),
        keep_default_na=False,
        skip_blank_lines=False,
    )


def _xlsx_frame(data: bytes) -> Any:
    """The first sheet's cells as text, row 1 first. Read with openpyxl itself, not
    pandas.read_excel, which drops the cells' formats: a cell formatted as percent holds
    0.85 and shows 85 %, and the user means 85."""
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (styles, validation): harmless.
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = [[_xlsx_text(cell) for cell in row] for row in book.worksheets[0].iter_rows()]
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


def _grid(filename: str, data: bytes) -> list[list[str]]:
    """The cells as text, row 1 first."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "xlsx"):
        raise TableError(MESSAGES["extension"])
    if not data.strip():
        raise TableError(MESSAGES["empty"])
    # A workbook renamed to .csv is still a workbook.
    excel = extension == "xlsx" or data.startswith(_ZIP_MAGIC)
    try:
        frame = _xlsx_frame(data) if excel else _csv_frame(data)
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
            raise TableError(MESSAGES["blank_header"].format(index=index))
        if name in seen:
            # As the file writes it, not under the name the caller reads it by.
            raise TableError(MESSAGES["duplicate"].format(column=names[index - 1]))
        seen.add(name)
    return columns


def read_table(filename: str, data: bytes, aliases: Mapping[str, str] | None = None) -> Table:
    """Read the first sheet (XLSX) or the whole file (CSV); `aliases` maps normalised
    header texts (e.g. Russian ones) to the column names callers use."""
    grid = _grid(filename, data)
    numbered = [(number, cells) for number, cells in enumerate(grid, start=1) if any(cells)]
    if not numbered:
        raise TableError(MESSAGES["empty"])
    header_row, header_cells = numbered[0]
    columns = _header(header_cells, aliases or {})
    table = Table(columns=columns, header_row=header_row)
    for number, cells in numbered[1:]:
        for index, value in enumerate(cells[len(columns) :], start=len(columns) + 1):
            if value:
                raise TableError(MESSAGES["stray"].format(row=number, index=index), row=number)
        table.rows.append(TableRow(number, dict(zip(columns, cells, strict=False))))
    return table
