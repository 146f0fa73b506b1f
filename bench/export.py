"""Writing the survey answers sheet of a consolidated export.

The Collector's writer (`collector.exporters.workbook.write_workbook`, constant memory,
text always as text, widths fitted, a sheet continued past the row limit) against raw
XlsxWriter in constant-memory mode writing the same cells with the same formats, and
against `pandas.DataFrame.to_excel`, which a user would otherwise reach for. Each writer
runs in its own process so that its peak memory is its own.

Goals (issue 5): at most 1.3× raw XlsxWriter's time; peak memory under 500 MB.

    PYTHONPATH=. .venv/bin/python bench/export.py          (SCALE=national: 1,000,000 rows)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import note, peak_rss_mb, report, scale

SCRIPT = "export.py"
OPTIONS = ("tests", "trips", "meetings", "internships", "online")
COMMENTS = ("", "Спасибо классному руководителю", "=1+1", "Хотелось бы больше экскурсий")
# DataFrame.to_excel holds the whole sheet in memory: it is measured on at most this many
# rows and compared per row.
PANDAS_ROWS = 200_000
MEMORY_GOAL_MB = 500


def answer_rows(count: int) -> Iterator[list[Any]]:
    """Deterministic survey answers as export rows: school, date, grade, yes/no as text,
    a rating, one column per option, a number, a comment (some formula-like)."""
    start = date(2026, 8, 20)
    for n in range(count):
        school = n % 40_000
        yield [
            f"S-{school:05d}",
            f"МБОУ «СОШ № {school % 97 + 1}» г. Калуги",
            start + timedelta(days=n % 10),
            str(8 + n % 4),
            "да" if n % 3 else "нет",
            1 + n % 5,
            *("да" if (n >> i) & 1 else "нет" for i in range(len(OPTIONS))),
            n % 7,
            COMMENTS[n % len(COMMENTS)] or None,
        ]


HEADERS = [
    "Код",
    "Организация",
    "Дата",
    "Класс",
    "Знают о профориентации",
    "Оценка",
    *(f"Что помогло: {o}" for o in OPTIONS),
    "Число мероприятий",
    "Комментарий",
]
KINDS = ["text", "text", "date", "text", "text", "integer", *["text"] * 5, "integer", "text"]


def write_collector(path: Path, rows: int) -> None:
    from collector.exporters.contract import Column, Table, Workbook
    from collector.exporters.workbook import write_workbook

    book = Workbook(
        title="Опрос родителей",
        description=[("Кампания", "Опрос родителей")],
        indicators=[],
        indicator_labels={},
        responses=Table(
            name="Ответы",
            title="Опрос родителей",
            columns=[Column(h, k) for h, k in zip(HEADERS, KINDS, strict=True)],
            rows=answer_rows(rows),
        ),
    )
    write_workbook(book, str(path))


def write_raw(path: Path, rows: int) -> None:
    """The same cells by hand: constant memory, strings as strings, the same formats."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("Ответы")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    whole = book.add_format({"num_format": "0"})
    sheet.write_string(0, 0, "Опрос родителей", bold)
    for column, header in enumerate(HEADERS):
        sheet.write_string(1, column, header, bold)
    for n, row in enumerate(answer_rows(rows), start=2):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(n, column, value, day)
            elif isinstance(value, int):
                sheet.write_number(n, column, value, whole)
            else:
                sheet.write_string(n, column, value)
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, rows + 1, len(HEADERS) - 1)
    book.close()


def write_pandas(path: Path, rows: int) -> None:
    import pandas as pd

    frame = pd.DataFrame(list(answer_rows(rows)), columns=HEADERS)
    frame.to_excel(path, sheet_name="Ответы", index=False, engine="xlsxwriter")


WRITERS = {"collector": write_collector, "raw": write_raw, "pandas": write_pandas}


def worker(kind: str, rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.xlsx"
        start = time.perf_counter()
        WRITERS[kind](path, rows)
        seconds = time.perf_counter() - start
        print(
            json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "bytes": path.stat().st_size})
        )


def run(kind: str, rows: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    rows = scale().responses
    ours = run("collector", rows)
    raw = run("raw", rows)
    report(
        f"XLSX answers sheet, {rows:,} rows: write_workbook vs raw XlsxWriter",
        ours["seconds"],
        raw["seconds"],
        goal=1.3,
        script=SCRIPT,
    )
    met = "met" if ours["peak_mb"] < MEMORY_GOAL_MB else "missed"
    note(
        f"XLSX answers sheet, {rows:,} rows: peak memory {ours['peak_mb']:.0f} MB "
        f"(raw XlsxWriter {raw['peak_mb']:.0f} MB; goal < {MEMORY_GOAL_MB} MB: {met}); "
        f"file {ours['bytes'] / 1e6:.1f} MB",
        script=SCRIPT,
    )
    sample = min(rows, PANDAS_ROWS)
    pandas = run("pandas", sample)
    per_row_ours = ours["seconds"] / rows
    per_row_pandas = pandas["seconds"] / sample
    report(
        f"XLSX answers sheet per row: write_workbook vs DataFrame.to_excel ({sample:,} rows, "
        f"peak {pandas['peak_mb']:.0f} MB)",
        per_row_ours,
        per_row_pandas,
        script=SCRIPT,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
