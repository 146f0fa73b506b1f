"""Every row of a repeating table leaves the database: the demo's Kaluga municipal form's
«Реквизиты муниципальных программ» is a sheet (and a CSV file) of its own, one row per
programme keyed by its municipality, the response and the row number, each column in its
type, beside the section's count of rows per municipality."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from collector.auth.services import authenticate
from collector.exporters.workbook import write_workbook
from collector.extensions import db
from collector.models import Campaign, FormResponse, FormVersion, OrgUnit
from collector.reports.export import build_workbook, csv_from_book
from collector.reports.services import Basis
from demo import kaluga
from demo.seed import SeedResult
from tests.conftest import world_app
from tests.test_demo_seed import KALUGA_FORMS, publish_forms, seed

FORM = "kaluga-1829-municipality"
TABLE = "Реквизиты муниципальных программ (планов мероприятий)"
COUNTED = ("submitted", "resubmitted", "accepted")


@pytest.fixture(scope="module")
def kaluga_world(
    shared_apps: dict[str, Flask], migrated_database: str, module_transaction: sa.Connection
) -> SeedResult:
    with world_app(shared_apps, migrated_database, module_transaction):
        publish_forms(*KALUGA_FORMS)
        return seed()


@pytest.fixture
def municipal(kaluga_world, app) -> Campaign:
    return db.session.scalars(
        select(Campaign)
        .join(FormVersion, FormVersion.id == Campaign.form_version_id)
        .where(FormVersion.form_id == FORM)
    ).one()


def expected_rows(campaign: Campaign, statuses=COUNTED) -> set[tuple]:
    """(code, name, response, number, title, act, date, period) of every programme in a
    report of one of `statuses`."""
    found = set()
    query = (
        select(FormResponse, OrgUnit)
        .join(OrgUnit, OrgUnit.id == FormResponse.unit_id)
        .where(FormResponse.campaign_id == campaign.id, FormResponse.status.in_(statuses))
    )
    for response, unit in db.session.execute(query):
        for number, row in enumerate(response.answers.get("municipal_programs") or [], 1):
            day = date.fromisoformat(row["date"]) if row.get("date") else None
            found.add(
                (unit.code, unit.name, response.id, number)
                + (row.get("title"), row.get("act"), day, row.get("period"))
            )
    return found


def test_every_programme_is_in_the_workbook_beside_its_municipality(municipal, app):
    expected = expected_rows(municipal)
    # The demo answers it: several municipalities, some with several programmes.
    assert len({row[0] for row in expected}) >= 3
    assert any(row[3] > 1 for row in expected)
    assert all(row[4] and row[5] for row in expected)
    coordinator = authenticate(db.session, "region", "demo-region-2026")
    region = db.session.scalars(select(OrgUnit).where(OrgUnit.code == kaluga.REGION_CODE)).one()
    with app.test_request_context():
        book = build_workbook(db.session, coordinator, municipal, region, Basis.SUBMITTED)
        buffer = io.BytesIO()
        write_workbook(book, buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheets = [s for s in workbook.worksheets if str(s["A1"].value).startswith(TABLE)]
    assert len(sheets) == 1
    sheet = sheets[0]
    header = [cell.value for cell in sheet[2]]
    assert header[:4] == ["Код", "Организация", "Ответ", "№ строки"]
    assert header[4:] == [
        "Наименование",
        "Документ, которым утверждена (вид, номер)",
        "Дата утверждения",
        "Срок реализации",
    ]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    # Dates are dates (openpyxl reads a date cell as a datetime at midnight).
    assert all(isinstance(row[6], datetime) for row in rows if row[6] is not None)
    assert all(isinstance(row[2], int) and isinstance(row[3], int) for row in rows)
    read = {
        row[:6] + (row[6].date() if isinstance(row[6], datetime) else row[6], row[7])
        for row in rows
    }
    assert read == expected
    assert len(rows) == len(expected)
    # The section's sheet keeps its count of rows per municipality.
    counts = [s for s in workbook.worksheets if any(f"{TABLE}: строк" == c.value for c in s[2])]
    assert len(counts) == 1

    # The same rows as CSV ("rows-0": the form's one repeating table).
    with app.test_request_context():
        book = build_workbook(db.session, coordinator, municipal, region, Basis.SUBMITTED)
        content = csv_from_book(book, "rows-0")
        assert csv_from_book(book, "rows-1") is None
    assert content is not None
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:4] == ["Код", "Организация", "Ответ", "№ строки"]
    by_csv = {
        (
            code,
            name,
            int(response),
            int(number),
            title,
            act,
            datetime.strptime(day, "%d.%m.%Y").date() if day else None,
            period or None,
        )
        for code, name, response, number, title, act, day, period in lines[1:]
    }
    assert by_csv == expected


def test_the_answers_of_all_versions_have_every_programme_too(municipal, app):
    from collector.designer.answers import lined_up_workbook

    # Drafts too: the answers of all versions list every report begun.
    begun = ("draft", *COUNTED, "returned")
    expected = {row[1:] for row in expected_rows(municipal, begun)}
    assert len(expected) > len(expected_rows(municipal))
    region_user = authenticate(db.session, "region", "demo-region-2026")
    with app.test_request_context():
        content = lined_up_workbook(db.session, region_user, FORM, "ru")
    assert content is not None
    workbook = openpyxl.load_workbook(content)
    sheets = [s for s in workbook.worksheets if str(s["A1"].value).startswith(TABLE)]
    assert len(sheets) == 1
    header = [cell.value for cell in sheets[0][2]]
    assert header[:5] == ["Организация", "Кампания", "Версия формы", "Ответ", "№ строки"]
    assert {row[1] for row in sheets[0].iter_rows(min_row=3, values_only=True)} == {municipal.title}
    read = {
        (row[0], *row[3:7], row[7].date() if isinstance(row[7], datetime) else row[7], row[8])
        for row in sheets[0].iter_rows(min_row=3, values_only=True)
    }
    assert read == expected
