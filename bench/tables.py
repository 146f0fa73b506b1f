"""Hostile spreadsheets cost what honest ones do (issue 19).

A workbook's <dimension> is the file's claim: openpyxl used to pad every row to it, so a
2 KB file claiming A1:XFD3000 took 80 s and 1.1 GB. The Collector's reader
(`collector.units.tabular.read_table`) is timed on that file against the same file with
its honest dimension, and on a file whose last row is row 1,048,576 (refused at the row
limit) against the same honest file. Each is also held to the issue's absolute goal: read
or refused in under a second and under 100 MB of traced memory.

    PYTHONPATH=. .venv/bin/python bench/tables.py
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable

import xlsxwriter

from bench.common import best_of, note, report
from collector.units.tabular import TableError, read_table

SCRIPT = "tables"
REPEATS = 5
# Reading a bomb may cost at most this many honest reads (both are a few milliseconds).
RATIO_GOAL = 3.0
SECONDS_GOAL = 1.0
MEMORY_GOAL_MB = 100
SHEET = "xl/worksheets/sheet1.xml"


def honest_workbook() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, values in enumerate((("code", "name"), ("S1", "Школа № 1"), ("S2", "Лицей"))):
        sheet.write_row(row, 0, values)
    book.close()
    return buffer.getvalue()


def rewritten(data: bytes, change: Callable[[str], str]) -> bytes:
    """The workbook with its first sheet's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == SHEET:
                content = change(content.decode("utf-8")).encode("utf-8")
            target.writestr(entry.filename, content)
    return buffer.getvalue()


def dimension_bomb(data: bytes) -> bytes:
    return rewritten(
        data, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD3000"', xml)
    )


def last_row(data: bytes) -> bytes:
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return rewritten(data, lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))


def read(data: bytes) -> object:
    try:
        return read_table("units.xlsx", data)
    except TableError as error:
        return error


def peak_mb(data: bytes) -> float:
    tracemalloc.start()
    try:
        read(data)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    honest = honest_workbook()
    cases = {  # name: (file, goal for the ratio to the honest read)
        "dimension bomb (A1:XFD3000, read as its 3 rows)": (dimension_bomb(honest), RATIO_GOAL),
        "a cell at row 1,048,576 (refused at the row limit)": (last_row(honest), None),
    }
    baseline, table = best_of(lambda: read(honest), REPEATS)
    assert not isinstance(table, TableError), table
    note(f"honest workbook: {len(honest):,} bytes, read in {baseline * 1e3:.1f} ms", SCRIPT)
    for name, (data, goal) in cases.items():
        seconds, outcome = best_of(lambda data=data: read(data), REPEATS)
        memory = peak_mb(data)
        report(f"spreadsheet: {name}, {len(data):,} bytes", seconds, baseline, goal, script=SCRIPT)
        verdict = "met" if seconds < SECONDS_GOAL and memory < MEMORY_GOAL_MB else "missed"
        note(
            f"  {type(outcome).__name__}: {seconds:.3f} s, {memory:.1f} MB traced"
            f" (goal: under {SECONDS_GOAL:g} s and {MEMORY_GOAL_MB} MB: {verdict})",
            SCRIPT,
        )


if __name__ == "__main__":
    main()
