"""The consolidated export's writers: the XLSX workbook read back with openpyxl and the
CSV files read back with the csv module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from collector.exporters import workbook
from collector.exporters.contract import (
    Cell,
    ChartSpec,
    Column,
    IndicatorRow,
    Table,
    TableChart,
    Workbook,
)
from collector.exporters.csvfiles import csv_bytes, indicators_table, write_csv
from collector.exporters.workbook import write_workbook

FORMULA_LIKE = ["=1+1", "+7 900", "-5", "@SUM(A1)"]
LABELS = {
    "code": "Код",
    "title": "Показатель",
    "unit": "Ед. изм.",
    "level": "Уровень",
    "group": "Организация",
    "value": "Значение",
    "status": "Примечание",
    "answered": "Ответили",
    "expected": "Ожидалось",
    "coverage": "Охват, %",
    "target": "Цель",
    "met": "Цель достигнута",
    "source": "Источник",
}
SHARE = "Доля обучающихся, прошедших профпробы"
SECTION = "Раздел 1. Кадры [учителя]/наставники: общие сведения"
SECTION_SHEET = "Раздел 1. Кадры _учителя__наста"


def indicator(level: str, group: str, value: float | None, **more: Any) -> IndicatorRow:
    fields: dict[str, Any] = {
        "code": "1.1",
        "title": SHARE,
        "unit": "%",
        "level": level,
        "group": group,
        "value": value,
        "status": "нет данных",
        "answered": 10,
        "expected": 12,
        "target": 40.0,
        "met": None if value is None else value >= 40,
        "source": "Приказ № 123, п. 2.1",
    }
    fields.update(more)
    return IndicatorRow(**fields)


INDICATORS = [
    indicator("Муниципалитет", "Город Томск", 42.5),
    # A region row between the municipal ones: the sheet puts each (code, level) together.
    indicator("Регион", "Томская область", 38.25, answered=30, expected=40),
    indicator("Муниципалитет", "Томский район", 31.25, answered=5, expected=8),
    indicator(
        "Муниципалитет",
        "Город Томск",
        None,
        code="2.3",
        title="Число договоров с предприятиями",
        unit="шт.",
        answered=0,
        expected=0,
        target=None,
    ),
]


def answers(count: int) -> Iterator[list[Cell]]:
    """Survey answers, streamed: a comment and a multiple choice over three columns."""
    for number in range(count):
        comment = FORMULA_LIKE[number] if number < len(FORMULA_LIKE) else f"Ответ № {number}"
        yield [
            "7001",
            "МАОУ «Гимназия № 1»",
            date(2025, 10, 1 + number % 28),
            comment,
            number % 2 == 0,
            number % 3 == 0,
            None if number == 1 else False,
        ]


def responses(count: int = 6) -> Table:
    return Table(
        name="Ответы",
        title="Анкета для родителей",
        columns=[
            Column("Код"),
            Column("Организация", width=40),
            Column("Дата", "date"),
            Column("Комментарий"),
            Column("Профессии: инженер", "bool"),
            Column("Профессии: врач", "bool"),
            Column("Профессии: учитель", "bool"),
        ],
        rows=answers(count),
    )


def make_book(answer_count: int = 6) -> Workbook:
    return Workbook(
        title="Мониторинг профориентации 2025",
        description=[
            ("Кампания", "Мониторинг профориентации 2025"),
            ("Данные на", date(2025, 10, 1)),
            ("Выгружено", datetime(2025, 10, 20, 14, 30)),
        ],
        indicators=INDICATORS,
        indicator_labels=LABELS,
        sections=[
            Table(
                name=SECTION,
                title="Кадры",
                columns=[
                    Column("Код"),
                    Column("Организация", width=40),
                    Column("Учителей", "integer"),
                    Column("Доля наставников", "percent"),
                    Column("Средняя нагрузка", "number"),
                ],
                rows=[
                    ["7001", "МАОУ «Гимназия № 1»", 54, 12.5, 18.75],
                    ["7002", '=HYPERLINK("http://example.com")', 0, None, -5],
                ],
            )
        ],
        completeness=Table(
            name="Полнота",
            title="Кто прислал отчёт",
            columns=[
                Column("Код"),
                Column("Статус"),
                Column("Отправлен", "datetime"),
                Column("С опозданием", "bool"),
            ],
            rows=[
                ["7001", "Принят", datetime(2025, 10, 5, 14, 30), False],
                ["7002", "Не отправлен", None, None],
            ],
            row_count=2,
        ),
        responses=responses(answer_count),
        charts=[
            ChartSpec(SHARE, "1.1", "Муниципалитет", "%"),
            ChartSpec("Нет такого", "9.9", "Регион"),
        ],
    )


def written(book: Workbook, **options: Any) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_workbook(book, buffer, **options)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


@pytest.fixture
def xlsx() -> openpyxl.Workbook:
    return written(make_book())


def values(sheet: Any, row: int) -> list[Any]:
    return [cell.value for cell in sheet[row]]


def test_sheets_in_order(xlsx: openpyxl.Workbook) -> None:
    assert xlsx.sheetnames == [
        "Показатели",
        "Диаграммы",
        SECTION_SHEET,
        "Полнота",
        "Ответы",
        "Описание",
    ]


def test_title_line_header_frozen_and_filtered(xlsx: openpyxl.Workbook) -> None:
    for sheet in xlsx.worksheets:
        if sheet.title == "Диаграммы":
            continue
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet["A1"].font.b, sheet.title
        assert sheet["A2"].font.b and sheet["A2"].alignment.wrap_text, sheet.title
        assert sheet["A2"].border.bottom.style == "thin", sheet.title
        assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, sheet.max_column).column_letter}" + (
            str(sheet.max_row)
        ), sheet.title
    answers_sheet = xlsx["Ответы"]
    assert answers_sheet["A1"].value == "Анкета для родителей"
    assert values(answers_sheet, 2)[:4] == ["Код", "Организация", "Дата", "Комментарий"]
    assert answers_sheet.auto_filter.ref == "A2:G8"


def test_indicators_grouped_and_numeric(xlsx: openpyxl.Workbook) -> None:
    sheet = xlsx["Показатели"]
    assert sheet["A1"].value == "Показатели: Мониторинг профориентации 2025"
    assert values(sheet, 2) == list(LABELS.values())
    rows = [values(sheet, row) for row in range(3, sheet.max_row + 1)]
    # Each (code, level) is one block, otherwise in the given order.
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("1.1", "Муниципалитет", "Город Томск"),
        ("1.1", "Муниципалитет", "Томский район"),
        ("1.1", "Регион", "Томская область"),
        ("2.3", "Муниципалитет", "Город Томск"),
    ]
    tomsk, district, region, missing = rows
    assert tomsk[5] == 42.5 and district[5] == 31.25 and region[5] == 38.25
    for row in (3, 4, 5):
        for column in ("F", "H", "I", "J", "K"):
            cell = sheet[f"{column}{row}"]
            assert cell.data_type == "n" and isinstance(cell.value, int | float), cell
    assert sheet["F3"].number_format == "0.00"
    assert sheet["H3"].number_format == "0"
    assert sheet["J3"].number_format == "0.0"  # per cent 0–100, not Excel's "%"
    assert tomsk[9] == pytest.approx(10 / 12 * 100)
    assert region[9] == pytest.approx(75.0)
    # Status only where there is no value; coverage blank when nothing was expected.
    assert tomsk[6] is None
    assert missing[5] is None and missing[6] == "нет данных"
    assert missing[9] is None and missing[10] is None and missing[11] is None
    # Target met, missed.
    assert tomsk[10] == 40 and tomsk[11] == "да"
    assert district[11] == "нет" and region[11] == "нет"
    assert tomsk[12] == "Приказ № 123, п. 2.1"


def test_texts_stay_texts(xlsx: openpyxl.Workbook) -> None:
    sheet = xlsx["Ответы"]
    comments = [sheet.cell(row, 4) for row in range(3, 3 + len(FORMULA_LIKE))]
    assert [c.value for c in comments] == FORMULA_LIKE
    assert all(c.data_type == "s" for c in comments)
    assert sheet["B3"].value == "МАОУ «Гимназия № 1»"
    section = xlsx[SECTION_SHEET]
    assert section["B4"].value == '=HYPERLINK("http://example.com")'
    assert section["B4"].data_type == "s"
    for each in xlsx.worksheets:
        for row in each.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (each.title, cell.coordinate)


def test_kinds(xlsx: openpyxl.Workbook) -> None:
    sheet = xlsx["Ответы"]
    # A multiple choice spread over columns: «да»/«нет» as text, no answer blank.
    assert values(sheet, 3)[4:] == ["да", "да", "нет"]
    assert values(sheet, 4)[4:] == ["нет", "нет", None]
    assert sheet["C3"].value == datetime(2025, 10, 1)
    assert sheet["C3"].number_format == "dd.mm.yyyy"
    section = xlsx[SECTION_SHEET]
    assert values(section, 3)[2:] == [54, 12.5, 18.75]
    assert [section[f"{c}3"].number_format for c in "CDE"] == ["0", "0.0", "0.00"]
    assert section["D4"].value is None and section["E4"].value == -5
    completeness = xlsx["Полнота"]
    assert completeness["C3"].value == datetime(2025, 10, 5, 14, 30)
    assert completeness["C3"].number_format == "dd.mm.yyyy hh:mm"
    assert values(completeness, 4) == ["7002", "Не отправлен", None, None]
    description = xlsx["Описание"]
    assert values(description, 2) == ["Параметр", "Значение"]
    assert values(description, 3) == ["Кампания", "Мониторинг профориентации 2025"]
    assert description["B5"].value == datetime(2025, 10, 20, 14, 30)


def test_widths(xlsx: openpyxl.Workbook) -> None:
    sheet = xlsx["Ответы"]
    assert sheet.column_dimensions["B"].width == pytest.approx(40, abs=1)  # given
    # Fitted from the content, though the rows were streamed in constant_memory mode.
    assert sheet.column_dimensions["D"].width == pytest.approx(len("Комментарий") + 2, abs=1)
    indicators = xlsx["Показатели"]
    assert indicators.column_dimensions["B"].width == pytest.approx(len(SHARE) + 2, abs=1)
    assert indicators.column_dimensions["A"].width == pytest.approx(6, abs=1)
    # Never wider than 60.
    long = Table("Длинный", "Длинный", [Column("Текст")], [["слово " * 40]])
    book = Workbook("Т", [], [], LABELS, sections=[long])
    assert written(book)["Длинный"].column_dimensions["A"].width == pytest.approx(60, abs=1)


def test_chart(xlsx: openpyxl.Workbook) -> None:
    charts = xlsx["Диаграммы"]._charts
    assert len(charts) == 1  # the chart of an indicator with no rows is left out
    chart = charts[0]
    refs = [(s.cat.strRef or s.cat.numRef).f for s in chart.series] + [
        s.val.numRef.f for s in chart.series
    ]
    assert "Показатели!$E$3:$E$4" in refs
    assert "Показатели!$F$3:$F$4" in refs
    # The target as a line over the same rows.
    lines = [c for c in chart._charts if c.tagname == "lineChart"]
    assert [s.val.numRef.f for c in lines for s in c.series] == ["Показатели!$K$3:$K$4"]


def test_a_tables_charts_go_on_a_sheet_after_it() -> None:
    rows = [["Вопрос 1", "да", 3, 75.0, 50.0], ["Вопрос 1", "нет", 1, 25.0, 50.0]]
    rows += [["Вопрос 2", f"вариант {n}", n, 10.0 * n, None] for n in range(1, 4)]
    table = Table(
        "Распределение",
        "Ответы по вариантам",
        [Column("Вопрос"), Column("Вариант"), Column("Ответы", "integer")]
        + [Column("Доля (%)", "percent"), Column("9 класс: доля (%)", "percent")],
        rows,
        row_count=len(rows),
        charts=[
            TableChart("=Вопрос 1", 0, 1, label_column=1, value_columns=[3, 4], unit="%"),
            TableChart("Вопрос 2", 2, 4, label_column=1, value_columns=[3]),
        ],
    )
    xlsx = written(Workbook("Т", [], [], LABELS, sections=[table]))
    names = xlsx.sheetnames
    assert names.index("Распределение — диаграммы") == names.index("Распределение") + 1
    first, second = xlsx["Распределение — диаграммы"]._charts
    assert [s.val.numRef.f for s in first.series] == [
        "Распределение!$D$3:$D$4",
        "Распределение!$E$3:$E$4",
    ]
    category = first.series[0].cat
    assert (category.strRef or category.numRef).f == "Распределение!$B$3:$B$4"
    assert [s.tx.strRef.f for s in first.series] == ["Распределение!$D$2", "Распределение!$E$2"]
    assert [s.val.numRef.f for s in second.series] == ["Распределение!$D$5:$D$7"]


def test_no_charts_no_chart_sheet() -> None:
    book = make_book()
    book.charts = [ChartSpec("Нет такого", "9.9", "Регион")]
    assert "Диаграммы" not in written(book).sheetnames


def test_long_table_continues() -> None:
    calls: list[tuple[str, int]] = []
    xlsx = written(make_book(25), max_rows=10, progress=lambda s, n: calls.append((s, n)))
    # 10 rows a sheet: the title line, the header and 8 answers.
    assert xlsx.sheetnames[-5:] == ["Ответы", "Ответы (2)", "Ответы (3)", "Ответы (4)", "Описание"]
    seen = []
    for name in ("Ответы", "Ответы (2)", "Ответы (3)", "Ответы (4)"):
        sheet = xlsx[name]
        assert sheet["A1"].value == "Анкета для родителей"
        assert values(sheet, 2) == [c.title for c in responses().columns]
        assert sheet.max_row <= 10 and sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref == f"A2:G{sheet.max_row}"
        seen += [sheet.cell(row, 4).value for row in range(3, sheet.max_row + 1)]
    assert seen == [row[3] for row in answers(25)]
    description = [values(xlsx["Описание"], r) for r in range(3, xlsx["Описание"].max_row + 1)]
    assert [
        "Лист «Ответы» продолжен на листах",
        "«Ответы (2)», «Ответы (3)», «Ответы (4)»",
    ] in description
    assert ("Ответы", 8) in calls and ("Ответы (4)", 1) in calls
    assert [name for name, _ in calls] == [
        "Показатели",
        "Диаграммы",
        SECTION_SHEET,
        "Полнота",
        "Ответы",
        "Ответы (2)",
        "Ответы (3)",
        "Ответы (4)",
        "Описание",
    ]


def test_progress_every_ten_thousand_rows() -> None:
    calls: list[tuple[str, int]] = []
    book = make_book(10_005)
    write_workbook(book, io.BytesIO(), progress=lambda s, n: calls.append((s, n)))
    assert [c for c in calls if c[0] == "Ответы"] == [("Ответы", 10_000), ("Ответы", 10_005)]


def test_sheet_names_unique_and_clean() -> None:
    same = Table("Итоги?", "Итоги", [Column("А")], [["1"]])
    book = Workbook("Т", [], [], LABELS, sections=[same, same, Table("итоги_", "", [], [])])
    assert written(book).sheetnames == [
        "Показатели",
        "Итоги_",
        "Итоги_ (2)",
        "итоги_ (3)",
        "Описание",
    ]


def test_zip64_only_for_a_huge_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    switched: list[bool] = []
    monkeypatch.setattr(xlsxwriter.Workbook, "use_zip64", lambda self: switched.append(True))
    write_workbook(make_book(), io.BytesIO())
    assert not switched
    monkeypatch.setattr(workbook, "ZIP64_BYTES", 2_000)
    write_workbook(make_book(), io.BytesIO())
    assert switched


def test_max_rows_checked() -> None:
    with pytest.raises(ValueError):
        write_workbook(make_book(), io.BytesIO(), max_rows=2)


def test_to_a_path(tmp_path: Any) -> None:
    path = tmp_path / "выгрузка.xlsx"
    write_workbook(make_book(), str(path))
    assert openpyxl.load_workbook(path).sheetnames[0] == "Показатели"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_answers() -> None:
    data = csv_bytes(responses())
    assert b";" in data.split(b"\r\n")[0]
    rows = read_csv(data)
    assert rows[0] == [c.title for c in responses().columns]
    assert [row[3] for row in rows[1:5]] == ["'=1+1", "'+7 900", "'-5", "'@SUM(A1)"]
    assert rows[1][:3] == ["7001", "МАОУ «Гимназия № 1»", "01.10.2025"]
    assert rows[1][4:] == ["да", "да", "нет"]
    assert rows[2][4:] == ["нет", "нет", ""]


def test_csv_numbers_and_dates() -> None:
    book = make_book()
    rows = read_csv(csv_bytes(book.sections[0]))
    assert rows[1][2:] == ["54", "12,5", "18,75"]
    # A number stays a number (no apostrophe), a formula-like text does not.
    assert rows[2] == ["7002", '\'=HYPERLINK("http://example.com")', "0", "", "-5"]
    assert read_csv(csv_bytes(book.completeness or responses()))[1] == [
        "7001",
        "Принят",
        "05.10.2025 14:30",
        "нет",
    ]
    tab = Table("Т", "Т", [Column("А")], [["\tтаб"], ["\rвозврат"], ["обычный - текст"]])
    assert [r[0] for r in read_csv(csv_bytes(tab))[1:]] == [
        "'\tтаб",
        "'\rвозврат",
        "обычный - текст",
    ]


def test_csv_indicators_match_the_sheet(xlsx: openpyxl.Workbook) -> None:
    book = make_book()
    rows = read_csv(csv_bytes(indicators_table(book)))
    sheet = xlsx["Показатели"]
    assert rows[0] == values(sheet, 2)
    assert [r[4] for r in rows[1:]] == [sheet.cell(r, 5).value for r in range(3, 7)]
    assert rows[1][5:] == [
        "42,5",
        "",
        "10",
        "12",
        str(10 / 12 * 100).replace(".", ","),
        "40,0",
        "да",
        "Приказ № 123, п. 2.1",
    ]
    assert rows[4][5:7] == ["", "нет данных"]


def test_write_csv_has_no_bom() -> None:
    out = io.StringIO(newline="")
    write_csv(responses(1), out)
    assert out.getvalue().startswith("Код;Организация;Дата;")


def test_counts_are_whole_numbers_and_shares_keep_their_decimals() -> None:
    """An indicator's decimals (IndicatorSpec.decimals) decide its value's and target's
    cells: a count is an integer cell formatted "0" (no «17,00»), a share a number
    formatted "0.0" that keeps its whole value; the CSV writes the count without «,0»
    and the share whole."""
    count = indicator(
        "Муниципалитет", "Город Томск", 17.0, code="3.1", unit="ед.", target=20.0, decimals=0
    )
    share = indicator("Муниципалитет", "Город Томск", 200 / 3, code="3.2", decimals=1)
    fraction = indicator("Муниципалитет", "Город Томск", 2.5, code="3.3", unit="ед.", decimals=0)
    book = make_book()
    book.indicators = [count, share, fraction]
    sheet = written(book)["Показатели"]
    value, target = sheet["F3"], sheet["K3"]
    assert value.data_type == "n" and value.value == 17 and isinstance(value.value, int)
    assert value.number_format == "0"
    assert target.value == 20 and isinstance(target.value, int) and target.number_format == "0"
    assert sheet["F4"].value == pytest.approx(200 / 3) and sheet["F4"].number_format == "0.0"
    # A count that is not whole after all keeps its fraction (never rounded away).
    assert sheet["F5"].value == 2.5 and sheet["F5"].number_format == "0.00"
    rows = read_csv(csv_bytes(indicators_table(book)))
    assert [r[5] for r in rows[1:]] == ["17", str(200 / 3).replace(".", ","), "2,5"]
    assert rows[1][10] == "20"


def test_a_long_tables_rows_written_whole_are_the_cells_written_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A table too long for wrapped text has its rows handed to XlsxWriter whole
    (collector.exporters.whole_rows): every cell reads back as the cell-by-cell writer
    writes it, the same value and the same number format, odd cells included (a figure,
    a moment, a number no spreadsheet holds, a text past a cell's length, a text that
    looks like a formula)."""
    from collector.exporters.contract import Figure

    columns = [
        Column("Код"),
        Column("Да/нет", "bool"),
        Column("Целое", "integer"),
        Column("Число", "number"),
        Column("Доля", "percent"),
        Column("День", "date"),
        Column("Момент", "datetime"),
    ]
    odd: list[list[Any]] = [
        ["=1+1", True, 2**60, float("inf"), Figure(12.5, 1), date(2026, 1, 2), None],
        ["x" * 40_000, None, 2.5, float("nan"), 33.3, datetime(2026, 1, 2, 3, 4), None],
        [7, "text", None, 1, 50, "not a day", datetime(2026, 5, 1, 9, 30)],
        ["", False, -3, -2.25, None, None, None],
    ]
    rows = [
        [
            f"R{n}",
            n % 3 == 0,
            n,
            n / 4,
            Figure(n % 100 + 0.25, n % 3) if n % 2 else n % 100 + 0.5,
            date(2026, 3, 1 + n % 28),
            None,
        ]
        for n in range(workbook.WRAP_ROWS + 20)
    ]
    rows[5:5] = odd
    rows += odd

    def sheet_of(whole: bool) -> Any:
        if not whole:
            monkeypatch.setattr(workbook.WholeRows, "cells", lambda self, row: None)
        table = Table(
            name="Длинная", title="Длинная", columns=columns, rows=rows, row_count=len(rows)
        )
        book = Workbook(
            title="Проверка", description=[], indicators=[], indicator_labels={}, sections=[table]
        )
        buffer = io.BytesIO()
        write_workbook(book, buffer)
        monkeypatch.undo()
        buffer.seek(0)
        return openpyxl.load_workbook(buffer, read_only=True)["Длинная"]

    def cells(sheet: Any) -> list[tuple[Any, str]]:
        return [
            (c.value, c.number_format if isinstance(c.value, int | float | datetime) else "")
            for row in sheet.iter_rows(min_row=3)
            for c in row
        ]

    whole, one_by_one = cells(sheet_of(True)), cells(sheet_of(False))
    assert len(whole) == len(rows) * len(columns)
    assert whole == one_by_one
    first, second = whole[: len(columns)], whole[len(columns) : 2 * len(columns)]
    # Whole numbers and yes/no plain (General) in a long sheet; days as days.
    assert first[1] == ("да", "") and first[2] == (0, "General") and first[5][1] == "dd.mm.yyyy"
    assert second[4] == (1.25, "0.0")  # a figure with one decimal, as written cell by cell
