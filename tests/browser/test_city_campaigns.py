"""A city-run campaign of each system in the browser, from opening to the exported
workbook: the city's coordinator (a coordinator bound to the city, not to a region)
creates and opens a campaign of the real form for the city's schools; the schools'
reports are in; the coordinator uploads the results file with one bad row, reads the
row-numbered report, uploads it corrected, reads the city report (values, targets
met or not, how the document is read) and downloads the workbook, whose indicators
equal the engine's and whose sources sheet lists every indicator."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import (
    Campaign,
    FormResponse,
    ImportBatch,
    ReferenceFigure,
    Role,
    UnitType,
    User,
)
from collector.publishing.services import publish
from collector.reports.services import campaign_report
from collector.schema import compile_text
from collector.schema.spec import Column, FormSpec, ImportSpec
from collector.unit_catalog import FIGURE_KINDS
from collector.units.services import current_academic_year
from demo.answers import synthesise
from tests.browser.test_login_menus import log_in

ROOT = Path(__file__).resolve().parents[2] / "form_schemas"
# Last academic year (always on the form's list, whatever the date the suite runs on).
YEAR = current_academic_year() - 1
SYSTEMS = {
    # form with the imported table, the region, the city, its time zone
    "tomsk": ("tomsk-2022-school-report", "Томская область", "Город Томск", "Asia/Tomsk"),
    "omsk": ("omsk-2023-school-report", "Омская область", "Город Омск", "Asia/Omsk"),
}
SCHOOLS = (
    ("МАОУ гимназия № 6", "gymnasium", range(1, 12)),
    ("МАОУ лицей № 7", "lyceum", range(1, 12)),
    ("МБОУ СОШ № 12", "general", range(1, 10)),  # no senior grades
    ("БОУ «Адаптивная школа-интернат № 14»", "boarding", range(1, 13)),
)


def figures_of(unit_id: int, grades: range) -> list[ReferenceFigure]:
    rows = []
    for kind in FIGURE_KINDS.values():
        if kind.grades is None:
            rows.append(
                ReferenceFigure(
                    unit_id=unit_id, academic_year=YEAR, figure=kind.key, grade=0, value=12
                )
            )
            continue
        for grade in kind.grades:
            if grade not in grades:
                continue
            value = 50 if kind.key in ("pupils", "graduates") else 3
            rows.append(
                ReferenceFigure(
                    unit_id=unit_id, academic_year=YEAR, figure=kind.key, grade=grade, value=value
                )
            )
    return rows


@pytest.fixture
def city(request, app, make_unit, make_user):
    form_id, region_name, city_name, zone = SYSTEMS[request.param]
    path = ROOT / f"{form_id}.json"
    if not path.exists():
        pytest.fail(f"{path.name} is missing")
    compiled = compile_text(path.read_bytes())
    version = publish(db.session, compiled, None).form_version
    region = make_unit(UnitType.REGION, name=region_name, code=f"{request.param}-R")
    unit = make_unit(UnitType.MUNICIPALITY, region, name=city_name, code=f"{request.param}-C")
    unit.timezone = zone
    schools = []
    for number, (name, school_type, grades) in enumerate(SCHOOLS, start=1):
        school = make_unit(UnitType.SCHOOL, unit, name=name, code=f"{request.param}-S{number}")
        school.school_type = school_type
        db.session.add_all(figures_of(school.id, grades))
        schools.append(school)
    make_user(Role.REGIONAL_COORDINATOR, unit, username="city")
    db.session.commit()
    return compiled.spec, version, unit, schools


def answer_everything(campaign: Campaign, spec: FormSpec, schools) -> None:
    """Every school's report in and accepted (the review round has its own test)."""
    rng = random.Random(7)
    for school in schools:
        response = db.session.scalar(
            select(FormResponse).where(
                FormResponse.campaign_id == campaign.id, FormResponse.unit_id == school.id
            )
        )
        response.answers = synthesise(spec, rng, as_of=date(YEAR + 1, 5, 20))
        response.status = "accepted"
    db.session.commit()


def cell_text(column: Column, row: int) -> str:
    if column.type in ("integer", "decimal", "percent"):
        low = int(column.min or 0)
        return str(low + row)
    if column.type == "yes_no":
        return "да"
    if column.type == "single_choice":
        return column.options[0].label.ru
    if column.type == "date":
        return "20.06.2026"
    return f"Строка {row}"


def results_file(imported: ImportSpec, schools, bad: bool) -> bytes:
    """A CSV as the other system gives it, one row per school; `bad`: the second data
    row (row 3 of the file) has a word in its first number column."""
    header = [imported.match_column] + [c.file_header for c in imported.columns]
    lines = [";".join(header)]
    number_column = next(
        i for i, c in enumerate(imported.columns) if c.type in ("integer", "decimal", "percent")
    )
    for row, school in enumerate(schools, start=1):
        key = school.code if imported.match_by == "code" else school.name
        cells = [cell_text(c, row) for c in imported.columns]
        if bad and row == 2:
            cells[number_column] = "много"
        lines.append(";".join([key, *cells]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(page, imported: ImportSpec, path: Path, content: bytes) -> None:
    """Choose the file for the imported table and send it; the page goes to the job."""
    path.write_bytes(content)
    page.get_by_test_id(f"file-{imported.id}").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_test_id(f"upload-{imported.id}").click()


@pytest.mark.parametrize("city", sorted(SYSTEMS), indirect=True)
def test_a_city_campaign_from_opening_to_the_workbook(page, server, city, tmp_path):
    spec, version, unit, schools = city
    log_in(page, server.url, "city")
    page.goto(server.url + "/campaigns/new")
    page.get_by_label("Название").fill(f"Мониторинг {unit.name} {YEAR}/{YEAR + 1}")
    page.get_by_label("Форма").select_option(str(version.id))
    page.get_by_label("Координирующая организация").select_option(str(unit.id))
    page.get_by_label("Учебный год").select_option(str(YEAR))
    page.get_by_label("Срок для школ и других организаций").fill("2026-05-30T23:59")
    with page.expect_navigation():
        page.get_by_role("button", name="Создать кампанию").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Открыть кампанию").click()
    expect(page.get_by_test_id("campaign-state")).to_have_text("открыта")
    campaign = db.session.scalars(select(Campaign).order_by(Campaign.id.desc())).first()
    assert campaign.owner_unit_id == unit.id
    answer_everything(campaign, spec, schools)

    # The results file: one bad row, every problem listed, nothing kept.
    imported = spec.imports[0]
    page.goto(page.url)
    with page.expect_navigation():
        page.get_by_test_id("imports-link").click()
    upload(page, imported, tmp_path / "results.csv", results_file(imported, schools, bad=True))
    errors = page.get_by_test_id("import-errors")
    errors.wait_for(timeout=30_000)
    first = errors.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("3")
    expect(first).to_contain_text("«много»")
    db.session.expire_all()
    assert (
        db.session.scalar(select(ImportBatch).where(ImportBatch.campaign_id == campaign.id)) is None
    )

    # Corrected, it is kept and replaces nothing (there was nothing).
    with page.expect_navigation():
        page.get_by_test_id("back-to-imports").click()
    fixed = results_file(imported, schools, bad=False)
    upload(page, imported, tmp_path / "results-fixed.csv", fixed)
    expect(page.get_by_test_id("import-report")).to_contain_text(
        f"Создано: {len(schools)}", timeout=30_000
    )

    # The city report: each value as the engine computes it, targets met or not.
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "city"))
    report = campaign_report(db.session, user, campaign, stored=False)
    page.goto(f"{server.url}/reports/campaigns/{campaign.id}")
    table = page.get_by_test_id("indicators")
    shown = 0
    for indicator in spec.computed_indicators:
        value = report.value(indicator.id, unit.id)
        if value is None:
            continue
        row = table.locator(f'tr[data-indicator="{indicator.id}"]')
        written = row.locator("td[data-value]").get_attribute("data-value")
        if value.value is None:
            assert written == ""
        else:
            assert float(written) == pytest.approx(value.value), indicator.id
            shown += 1
    assert shown >= 5
    # A met/not-met mark beside every value that has a target this year.
    judged = [
        i.id
        for i in spec.computed_indicators
        if (v := report.value(i.id, unit.id)) is not None and v.met is not None
    ]
    marks = table.locator(".badge.text-bg-success, .badge.text-bg-danger")
    assert judged and marks.count() == len(judged)
    if any(i.interpretation for i in spec.indicators):
        expect(page.get_by_test_id("interpretation").first).to_be_attached()

    # The workbook: the same values, and the sources of every indicator.
    with page.expect_navigation():
        page.get_by_test_id("export-xlsx").click()
    download_link = page.get_by_test_id("job-download")
    download_link.wait_for(state="visible", timeout=60_000)
    with page.expect_download() as event:
        download_link.click()
    with open(event.value.path(), "rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    sheet = book["Показатели"]
    header = [c.value for c in sheet[2]]
    at = {title: n for n, title in enumerate(header)}
    checked = 0
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if row[at["Организация"]] != unit.name:
            continue
        indicator = next(i for i in spec.indicators if i.title.ru == row[at["Показатель"]])
        value = report.value(indicator.id, unit.id)
        if value is not None and value.value is not None:
            assert row[at["Значение"]] == pytest.approx(value.value, abs=1e-6)
            checked += 1
    assert checked == shown
    sources = book["Источники"]
    codes = [r[0] for r in sources.iter_rows(min_row=3, values_only=True)]
    assert len(codes) == len(spec.indicators)
    book.close()
