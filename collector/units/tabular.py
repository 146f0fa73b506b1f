"""Reading an uploaded table (CSV or XLSX) into rows of text with the row numbers the user
sees in the file: the header is row 1, the first data row is row 2.

Pure: no Flask, no database, so the command line and the web share it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

MESSAGES = {
    "extension": "Поддерживаются только файлы CSV и XLSX.",
    "unreadable": "Файл не удалось прочитать: он повреждён или это не таблица.",
    "empty": "В файле нет ни заголовка, ни строк.",
    "duplicate": "Столбец «{column}» встречается в заголовке дважды.",
    "blank_header": "В заголовке есть пустой столбец (номер {index}).",
    "encoding": "Кодировка файла не распознана: сохраните его в UTF-8 или Windows-1251.",
}

# Excel hands whole numbers typed into a number cell back as "25.0".
_WHOLE_FLOAT = re.compile(r"^-?\d+\.0+$")


class TableError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


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


def normalise_header(name: str, aliases: Mapping[str, str]) -> str:
    key = " ".join(str(name).replace("\ufeff", "").split()).lower()
    return aliases.get(key, key)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(MESSAGES["encoding"])


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=header.count)


def _frame(filename: str, data: bytes) -> pd.DataFrame:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    try:
        if extension == "csv":
            text = _decode(data)
            return pd.read_csv(
                io.StringIO(text),
                sep=_delimiter(text),
                dtype=str,
                header=None,
                keep_default_na=False,
                skip_blank_lines=False,
            )
        if extension == "xlsx":
            return pd.read_excel(
                io.BytesIO(data), sheet_name=0, dtype=str, header=None, keep_default_na=False
            )
    except TableError:
        raise
    except pd.errors.EmptyDataError:
        raise TableError(MESSAGES["empty"]) from None
    except Exception as error:  # pandas and openpyxl raise many kinds for a broken file
        raise TableError(MESSAGES["unreadable"]) from error
    raise TableError(MESSAGES["extension"])


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    return text[: text.index(".")] if _WHOLE_FLOAT.match(text) else text


def read_table(filename: str, data: bytes, aliases: Mapping[str, str] | None = None) -> Table:
    frame = _frame(filename, data)
    if frame.empty:
        raise TableError(MESSAGES["empty"])
    raw_header = [_cell(v) for v in frame.iloc[0].tolist()]
    # Trailing unnamed columns are Excel's leftovers, not data.
    while raw_header and not raw_header[-1]:
        raw_header.pop()
    columns = [normalise_header(name, aliases or {}) for name in raw_header]
    for index, name in enumerate(columns, start=1):
        if not name:
            raise TableError(MESSAGES["blank_header"].format(index=index))
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise TableError(MESSAGES["duplicate"].format(column=name))
        seen.add(name)
    table = Table(columns=columns)
    for position, values in enumerate(frame.iloc[1:].itertuples(index=False), start=2):
        cells = [_cell(v) for v in values][: len(columns)]
        if not any(cells):
            continue
        table.rows.append(TableRow(position, dict(zip(columns, cells, strict=False))))
    return table
