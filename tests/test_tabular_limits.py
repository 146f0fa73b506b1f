"""Issue 19: a hostile spreadsheet is refused (or read correctly when its real data is
small) in bounded memory; the file's own <dimension> is not trusted."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from collector.units.tabular import TableError, TableLimits, read_table
from tests.test_tabular import russian

# ruff: noqa: E501
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(dimension: str, rows: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def workbook(sheet_xml: str | bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


SMALL_DATA = f'<row r="1">{cell("A1", "code")}{cell("B1", "name")}</row>' + (
    f'<row r="2">{cell("A2", "S1")}{cell("B2", "Школа")}</row>'
)


def measured(action):
    """Run `action`; its outcome and peak traced memory in bytes.

    Memory, not time, is the bound here: the padding a dimension bomb causes shows as memory
    deterministically, while time under tracemalloc on a busy CI machine does not."""
    tracemalloc.start()
    try:
        outcome = action()
    except TableError as error:
        outcome = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak


def within_bounds(peak: int) -> None:
    assert peak < 100 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_the_dimension_bomb_is_read_as_its_real_small_data():
    data = workbook(sheet("A1:XFD3000", SMALL_DATA))
    assert len(data) < 3000
    table, peak = measured(lambda: read_table("units.xlsx", data))
    within_bounds(peak)
    assert not isinstance(table, TableError), table
    assert table.columns == ["code", "name"]
    assert [(r.number, r.values) for r in table.rows] == [(2, {"code": "S1", "name": "Школа"})]


def test_a_real_cell_at_the_last_column_is_refused_naming_the_column_limit():
    data = workbook(sheet("A1:XFD1", f'<row r="1">{cell("A1", "code")}{cell("XFD1", "x")}</row>'))
    error, peak = measured(lambda: read_table("units.xlsx", data))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "больше 200 столбцов" in russian(error) and error.row == 1


def test_a_real_cell_at_the_last_row_is_refused_naming_the_row_limit():
    rows = SMALL_DATA + f'<row r="1048576">{cell("A1048576", "x")}</row>'
    data = workbook(sheet("A1:B1048576", rows))
    error, peak = measured(lambda: read_table("units.xlsx", data))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "больше 100\u00a0000 строк" in russian(error)


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    # 200 MB of one repeated byte compresses to about 200 KB.
    padding = b" " * (200 * 1024 * 1024)
    data = workbook(sheet("A1:B2", SMALL_DATA).encode() + padding)
    del padding
    assert len(data) < 1024 * 1024
    error, peak = measured(lambda: read_table("units.xlsx", data))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "МБ" in russian(error) or "сжата" in russian(error)


def test_a_bomb_whose_directory_lies_about_its_size_is_refused():
    """The directory can claim a small size: Python's zipfile then inflates no more than
    the declared size and the entry fails its CRC, so the file is refused as broken."""
    limits = TableLimits(max_uncompressed_bytes=1024 * 1024, max_compression_ratio=10**9)
    padding = b" " * (5 * 1024 * 1024)
    data = bytearray(workbook(sheet("A1:B2", SMALL_DATA).encode() + padding))
    # Patch the declared uncompressed size of the sheet in the central directory to 1 KB.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    entry = archive.getinfo("xl/worksheets/sheet1.xml")
    name = entry.filename.encode()
    header = data.index(b"PK\x01\x02", data.rindex(name) - 46 - 200)
    while data[header + 46 : header + 46 + len(name)] != name:
        header = data.index(b"PK\x01\x02", header + 4)
    data[header + 24 : header + 28] = (1024).to_bytes(4, "little")
    error, peak = measured(lambda: read_table("units.xlsx", bytes(data), limits=limits))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "не удалось прочитать" in russian(error)


def test_too_many_entries_are_refused():
    extra = {f"xl/media/{index}.bin": b"" for index in range(1_001)}
    data = workbook(sheet("A1:B2", SMALL_DATA), extra)
    error, peak = measured(lambda: read_table("units.xlsx", data))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "больше 1\u00a0000 частей" in russian(error)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(TableError) as caught:
        read_table("units.xlsx", buffer.getvalue())
    assert "не книга XLSX" in russian(caught.value)


def test_rows_and_cells_limits_are_settings():
    rows = "".join(
        f'<row r="{n}">{cell(f"A{n}", f"v{n}")}{cell(f"B{n}", "x")}</row>' for n in range(1, 12)
    )
    data = workbook(sheet("A1:B11", rows))
    with pytest.raises(TableError) as caught:
        read_table("units.xlsx", data, limits=TableLimits(max_rows=10))
    assert "больше 10 строк" in russian(caught.value)
    with pytest.raises(TableError) as caught:
        read_table("units.xlsx", data, limits=TableLimits(max_cells=20))
    assert "больше 20 ячеек" in russian(caught.value)
    assert len(read_table("units.xlsx", data, limits=TableLimits(max_rows=11)).rows) == 10


def test_a_csv_width_bomb_is_refused_quickly():
    data = b"code;name\n" + b";" * 1_000_000 + b"\n"
    error, peak = measured(lambda: read_table("units.csv", data))
    within_bounds(peak)
    assert isinstance(error, TableError)
    assert "В строке 2 больше 200 столбцов" in russian(error) and error.row == 2


def test_csv_rows_and_cells_are_limited():
    data = b"code\n" + b"A\n" * 20
    with pytest.raises(TableError) as caught:
        read_table("units.csv", data, limits=TableLimits(max_rows=10))
    assert "больше 10 строк" in russian(caught.value)
    with pytest.raises(TableError) as caught:
        read_table("units.csv", b"a;b\n" + b"1;2\n" * 10, limits=TableLimits(max_cells=10))
    assert "больше 10 ячеек" in russian(caught.value)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_import_page_shows_a_limit_message_and_uses_the_apps_setting(app, client, tree, people):
    from tests.conftest import login_as
    from tests.test_import_entry_points import imported

    login_as(client, people["region"])
    # Under 500 KB: a larger body is spooled by the test client to a file it leaves open.
    bomb = b"code;name\n" + b";" * 400_000 + b"\n"
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(bomb), "units.csv")},
        content_type="multipart/form-data",
    )
    body = imported(client, response)
    assert 'data-testid="import-errors"' in body and "больше 200 столбцов" in body

    app.config["TABLE_MAX_ROWS"] = 3
    rows = "code;name;type;parent_code\n" + "".join(
        f"S-N{n};Школа {n};school;M-A\n" for n in range(5)
    )
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(rows.encode()), "units.csv")},
        content_type="multipart/form-data",
    )
    assert "больше 3 строк" in imported(client, response)
