"""Reading CSV and XLSX uploads with true row numbers (pure, no database)."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from collector.units.tabular import TableError, read_table


def xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Лист1")
    for number, row in enumerate(rows):
        if row:
            sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def test_semicolon_csv_with_bom_and_russian_headers():
    data = "\ufeffКод;Наименование\r\nS1;Школа № 1\r\n".encode()
    table = read_table("units.csv", data, {"код": "code", "наименование": "name"})
    assert table.columns == ["code", "name"]
    assert [(r.number, r.values) for r in table.rows] == [(2, {"code": "S1", "name": "Школа № 1"})]


def test_cp1251_comma_csv():
    data = 'code,name\nS1,"Лицей, № 9"\n'.encode("cp1251")
    table = read_table("units.CSV", data)
    assert table.rows[0].values == {"code": "S1", "name": "Лицей, № 9"}


def test_blank_rows_are_skipped_but_numbers_stay_true():
    data = b"code;name\nA;a\n;\n\nB;b\n"
    assert [r.number for r in read_table("x.csv", data).rows] == [2, 5]


def test_xlsx_row_numbers_are_excel_rows_and_whole_numbers_stay_whole():
    data = xlsx([["code", "pupils_1"], ["A", 25], [], ["B", 25.0], ["C", "Ёлка"]])
    table = read_table("figures.xlsx", data)
    assert [(r.number, r.values["pupils_1"]) for r in table.rows] == [
        (2, "25"),
        (4, "25"),
        (5, "Ёлка"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("units.txt", b"code\nA\n", "CSV и XLSX"),
        ("units.xlsx", b"not a zip at all", "не удалось прочитать"),
        ("units.csv", b"", "нет ни заголовка"),
        ("units.csv", b"code;Code\nA;B\n", "дважды"),
        ("units.csv", b"code;;name\nA;;B\n", "пустой столбец"),
    ],
)
def test_unreadable_files_get_a_clear_message(name, data, fragment):
    with pytest.raises(TableError, match=fragment):
        read_table(name, data)
