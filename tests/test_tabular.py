"""Reading CSV and XLSX uploads with true row numbers (pure, no database)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from babel.numbers import format_decimal
from babel.support import Translations

from collector.units import tabular
from collector.units.tabular import MESSAGES, TableError, TableLimits, read_table

RUSSIAN = Translations.load(str(Path(tabular.__file__).parents[1] / "translations"), ["ru"])


def russian(error: TableError) -> str:
    """The message as the Russian interface shows it (the catalogue, Russian digits)."""
    return error.text(RUSSIAN.gettext, lambda n: format_decimal(n, "#,##0", locale="ru"))


def xlsx(rows: list[list[object]], first_row: int = 0) -> bytes:
    """A workbook whose first sheet holds `rows` from Excel row `first_row + 1` down."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Лист1")
    for number, row in enumerate(rows, start=first_row):
        if row:
            sheet.write_row(number, 0, row)
    book.add_worksheet("Лист2").write_row(0, 0, ["other", "sheet"])
    book.close()
    return buffer.getvalue()


def numbered(filename: str, data: bytes, column: str) -> list[tuple[int, str]]:
    return [(r.number, r.get(column)) for r in read_table(filename, data).rows]


def test_the_module_stays_pure():
    source = Path(tabular.__file__).read_text(encoding="utf-8")
    imported_modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported_modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported_modules.add(node.module)
    imported = {name.split(".")[0] for name in imported_modules}
    assert not imported & {"flask", "flask_babel", "sqlalchemy"}
    # Of the app, only the pure marker of texts to translate.
    assert {name for name in imported_modules if name.startswith("collector")} == {
        "collector.marks"
    }


def test_semicolon_csv_with_bom_and_russian_headers():
    data = "\ufeffКод;Наименование\r\nS1;Школа № 1\r\n".encode()
    table = read_table("units.csv", data, {"код": "code", "наименование": "name"})
    assert table.columns == ["code", "name"]
    assert [(r.number, r.values) for r in table.rows] == [(2, {"code": "S1", "name": "Школа № 1"})]


def test_headers_are_stripped_lower_cased_and_aliased():
    data = "  CODE ; Код   Вышестоящей ;Pupils_7\nS1;M1;25\n".encode()
    table = read_table("units.csv", data, {"код вышестоящей": "parent_code"})
    assert table.columns == ["code", "parent_code", "pupils_7"]
    assert table.rows[0].values == {"code": "S1", "parent_code": "M1", "pupils_7": "25"}


def test_cp1251_comma_csv_keeps_cyrillic_and_quoted_commas():
    data = 'code,name\nS1,"Лицей, № 9"\nS2,  Ёлкинская школа  \n'.encode("cp1251")
    table = read_table("units.CSV", data)
    assert [r.values for r in table.rows] == [
        {"code": "S1", "name": "Лицей, № 9"},
        {"code": "S2", "name": "Ёлкинская школа"},
    ]


def test_cp1251_semicolon_csv_as_russian_excel_saves_it():
    data = "Код;Наименование\r\nS1;МБОУ «СОШ № 1 им. Ю. А. Гагарина»\r\n".encode("cp1251")
    table = read_table("units.csv", data, {"код": "code", "наименование": "name"})
    assert table.rows[0].get("name") == "МБОУ «СОШ № 1 им. Ю. А. Гагарина»"


def test_utf16_text_with_tabs():
    data = "code\tname\nS1\tШкола\n".encode("utf-16")
    assert read_table("units.csv", data).rows[0].values == {"code": "S1", "name": "Школа"}


def test_blank_rows_are_skipped_but_numbers_stay_true():
    data = b"code;name\nA;a\n;\n\nB;b\n"
    assert [r.number for r in read_table("x.csv", data).rows] == [2, 5]


def test_empty_cells_are_empty_strings_and_short_rows_are_padded():
    table = read_table("x.csv", b"code;name;year\nA;;2025\nB\n")
    assert [r.values for r in table.rows] == [
        {"code": "A", "name": "", "year": "2025"},
        {"code": "B", "name": "", "year": ""},
    ]


def test_a_quoted_line_break_stays_in_its_cell_and_row():
    data = 'code;name\nA;"Школа\nв две строки"\nB;b\n'.encode()
    table = read_table("x.csv", data)
    assert [(r.number, r.get("name")) for r in table.rows] == [
        (2, "Школа\nв две строки"),
        (3, "b"),
    ]


def test_csv_numbers_stay_as_typed():
    assert numbered("x.csv", b"code;n\nA;25.0\n", "n") == [(2, "25.0")]


def test_xlsx_row_numbers_are_excel_rows_and_whole_numbers_stay_whole():
    data = xlsx([["code", "pupils_1"], ["A", 25], [], ["B", 25.0], ["C", "Ёлка"], ["D", 2.5]])
    assert numbered("figures.xlsx", data, "pupils_1") == [
        (2, "25"),
        (4, "25"),
        (5, "Ёлка"),
        (6, "2.5"),
    ]


def test_xlsx_whole_floats_in_a_text_column_lose_their_zero(monkeypatch):
    # Some writers store whole numbers as 25.0; pandas then hands back "25.0".
    frame = pd.DataFrame([["code", "n"], ["A", "25.0"], ["B", "-3.00"]])
    monkeypatch.setattr(tabular, "_xlsx_frame", lambda data, limits: frame)
    assert numbered("f.xlsx", b"PK\x03\x04", "n") == [(2, "25"), (3, "-3")]


def test_xlsx_header_below_blank_rows_keeps_excel_numbers():
    data = xlsx([["code", "name"], ["A", "Школа"]], first_row=2)
    table = read_table("units.xlsx", data)
    assert table.header_row == 3
    assert [(r.number, r.values) for r in table.rows] == [(4, {"code": "A", "name": "Школа"})]


def test_xlsx_saved_under_a_csv_name_is_read_as_a_workbook():
    data = xlsx([["code"], ["A"]])
    assert numbered("units.csv", data, "code") == [(2, "A")]


def test_a_cell_beyond_the_header_is_reported_with_its_row():
    with pytest.raises(TableError) as caught:
        read_table("x.csv", b"code;name\nA;a\nB;b;stray\n")
    assert "строке 3" in russian(caught.value)
    assert caught.value.row == 3


def test_every_message_has_its_russian_in_the_catalogue():
    assert [key for key, message in MESSAGES.items() if RUSSIAN.gettext(message) == message] == []


def test_a_message_is_english_by_itself_and_shown_in_the_language_asked_for():
    """Issue 23: the module keeps English ids; the page translates them and writes the
    limit in its language's digits."""
    data = b"code\n" + b"A\n" * 1_001  # 1 002 lines against a limit of 1 000
    with pytest.raises(TableError) as caught:
        read_table("units.csv", data, limits=TableLimits(max_rows=1_000))
    english = "The file has more than %s rows: that many are not read at once. Split the file."
    assert str(caught.value) == english % "1\u00a0000"
    assert caught.value.text(number=lambda n: format_decimal(n, "#,##0", locale="en")) == (
        english % "1,000"
    )
    assert russian(caught.value) == (
        "В файле больше 1\u00a0000 строк: столько не читается за один раз. Разбейте файл."
    )
    with pytest.raises(TableError) as caught:
        read_table("units.csv", "Код;code;код\nA;B;C\n".encode())
    assert str(caught.value) == "The column «код» appears twice in the header."
    assert russian(caught.value) == "Столбец «код» встречается в заголовке дважды."


def test_trailing_empty_columns_are_ignored():
    table = read_table("x.csv", b"code;name;;\nA;a;;\n")
    assert table.columns == ["code", "name"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("units.txt", b"code\nA\n", "CSV и XLSX"),
        ("units", b"code\nA\n", "CSV и XLSX"),
        ("units.xls", b"code\nA\n", "CSV и XLSX"),
        ("units.xlsx", b"not a zip at all", "не удалось прочитать"),
        ("units.xlsx", b"PK\x03\x04broken", "не удалось прочитать"),
        ("units.csv", b"\x00\x01\x02binary", "не удалось прочитать"),
        ("units.csv", b"", "нет ни заголовка"),
        ("units.csv", b"\r\n  \r\n", "нет ни заголовка"),
        ("units.csv", b";;\n;;\n", "нет ни заголовка"),
        ("units.csv", b"code;Code\nA;B\n", "дважды"),
        ("units.csv", "Код;код\nA;B\n".encode(), "дважды"),
        ("units.csv", b"code;;name\nA;;B\n", "пустой столбец"),
        ("units.csv", b"code;name\n\x98;x\n", "Кодировка"),
    ],
)
def test_unreadable_files_get_a_clear_message(name, data, fragment):
    with pytest.raises(TableError) as caught:
        read_table(name, data)
    assert fragment in russian(caught.value)


def test_xlsx_percent_cells_are_read_as_the_percent_shown():
    """Excel keeps 85 % as 0.85 with a percent format: the user typed and sees 85."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    percent = book.add_format({"num_format": "0%"})
    tenth = book.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, ["code", "share", "plain"])
    sheet.write(1, 0, "A")
    sheet.write_number(1, 1, 0.85, percent)
    sheet.write_number(1, 2, 0.85)
    sheet.write(2, 0, "B")
    sheet.write_number(2, 1, 0.125, tenth)
    sheet.write_number(2, 2, 1)
    book.close()
    data = buffer.getvalue()
    assert numbered("shares.xlsx", data, "share") == [(2, "85"), (3, "12.5")]
    assert numbered("shares.xlsx", data, "plain") == [(2, "0.85"), (3, "1")]
