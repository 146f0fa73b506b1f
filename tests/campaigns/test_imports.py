"""Imported tables: a coordinator uploads a results file for a campaign; every bad row is
reported with its number and nothing is kept until the whole file is right; a good file
replaces the previous one and its rows feed the indicators."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from sqlalchemy import func, select

from collector.campaigns.imports import import_table
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db
from collector.models import ImportBatch, ImportedRow
from collector.reports.services import campaign_report
from collector.schema import compile_document
from tests.conftest import login_as
from tests.reports.fixtures import answered_campaign, report_form
from tests.test_import_entry_points import imported

HEADER = "Код ОО;Предмет;Сдавали;Сдали\n"


def results_form() -> dict:
    doc = report_form()
    doc["imports"] = [
        {
            "id": "ege",
            "title": "Результаты ЕГЭ (выгрузка ФИС ОКО)",
            "match": {"column": "Код ОО", "by": "code"},
            "columns": [
                {
                    "id": "subject",
                    "header": "Предмет",
                    "type": "text",
                    "label": "Предмет",
                    "required": True,
                },
                {
                    "id": "sat",
                    "header": "Сдавали",
                    "type": "integer",
                    "label": "Сдавали",
                    "min": 0,
                    "required": True,
                },
                {"id": "passed", "header": "Сдали", "type": "integer", "label": "Сдали", "min": 0},
            ],
        }
    ]
    doc["indicators"].append(
        {
            "id": "passed_share",
            "title": "Доля сдавших ЕГЭ",
            "unit": "%",
            "formula": "sum(ege.passed) / sum(ege.sat) * 100",
            "source": {"document": "Приказ № 1067", "clause": "4.2.2"},
        }
    )
    return doc


@pytest.fixture
def campaign(tree, people):
    # A1 and B1 reported and accepted; A2 and B2 have not reported.
    reports = {key: (True, 1, 2, "accepted") for key in ("school_a1", "school_b1")}
    return answered_campaign(tree, people, results_form(), reports)


def upload(people, campaign, text: str, filename: str = "ege.csv"):
    spec = compile_document(results_form()).spec
    return import_table(
        db.session,
        people["region"],
        campaign,
        "ege",
        filename,
        text.encode("cp1251"),
        spec=spec,
    )


def stored_rows(campaign) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ImportedRow)
        .join(ImportBatch)
        .where(ImportBatch.campaign_id == campaign.id, ImportBatch.is_current.is_(True))
    )


def test_every_bad_row_is_reported_and_nothing_is_kept(app, people, campaign):
    report = upload(
        people,
        campaign,
        HEADER
        + "S-A1;Физика;10;9\n"
        + "S-A1;Химия;пять;3\n"  # row 3: not a number
        + "S-Z9;Физика;4;4\n"  # row 4: no such unit in the campaign
        + "S-B1;;4;-1\n",  # row 5: empty subject, negative count
    )
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "Сдавали"),
        (4, "Код ОО"),
        (5, "Предмет"),
        (5, "Сдали"),
    ]
    assert "«пять»" in report.errors[0].message
    db.session.rollback()
    assert stored_rows(campaign) == 0


def test_a_unit_outside_the_campaign_is_a_bad_row(app, people, campaign):
    report = upload(people, campaign, HEADER + "S-X;Физика;1;1\n")  # another region's school
    assert [(e.row, e.column) for e in report.errors] == [(2, "Код ОО")]


def test_a_missing_column_is_named_on_the_header_row(app, people, campaign):
    report = upload(people, campaign, "Код ОО;Предмет;Сдали\nS-A1;Физика;3\n")
    assert [(e.row, e.column) for e in report.errors] == [(1, "Сдавали")]


def test_a_good_file_feeds_the_indicators_and_a_new_one_replaces_it(app, people, campaign, tree):
    report = upload(
        people,
        campaign,
        HEADER + "S-A1;Физика;10;9\nS-A1;Химия;5;3\nS-B1;Физика;4;4\n"
        "S-A2;Физика;6;6\n",  # S-A2 has not reported: its row waits for its report
    )
    assert report.ok and report.created == 4
    db.session.commit()
    values = campaign_report(db.session, people["region"], campaign, stored=False).computed
    # Region: (9 + 3 + 4) / (10 + 5 + 4); school A1: 12 / 15.
    assert values.value("passed_share", "region", tree["region"].id).value == pytest.approx(
        16 / 19 * 100
    )
    assert values.value("passed_share", "school", tree["school_a1"].id).value == pytest.approx(
        12 / 15 * 100
    )
    assert upload(people, campaign, HEADER + "S-A1;Физика;10;5\n").ok
    db.session.commit()
    assert stored_rows(campaign) == 1
    # The report sees the change at once: the upload is part of its data stamp.
    values = campaign_report(db.session, people["region"], campaign).computed
    assert values.value("passed_share", "region", tree["region"].id).value == pytest.approx(50)
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [b.is_current for b in batches] == [False, True]


def test_xlsx_with_names_numbers_and_thousands(app, people, campaign, tree):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Код ОО", "Предмет", "Сдавали", "Сдали"])
    sheet.write_row(1, 0, ["S-B1", "Математика (профиль)", 1200, "1 150"])
    book.close()
    spec = compile_document(results_form()).spec
    report = import_table(
        db.session, people["region"], campaign, "ege", "ege.xlsx", buffer.getvalue(), spec=spec
    )
    assert report.ok, report.errors
    db.session.commit()
    row = db.session.scalars(select(ImportedRow)).one()
    assert row.data == {"subject": "Математика (профиль)", "sat": 1200, "passed": 1150}
    assert (row.unit_id, row.row_number) == (tree["school_b1"].id, 2)


def test_only_the_campaigns_coordinators_upload(app, people, campaign):
    spec = compile_document(results_form()).spec
    with pytest.raises((ActionForbidden, NotInScope)):
        import_table(db.session, people["municipal"], campaign, "ege", "f.csv", b"x", spec=spec)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_page_uploads_through_a_job_and_lists_bad_rows(client, people, campaign):
    login_as(client, people["region"])
    page = client.get(f"/campaigns/{campaign.id}/imports").get_data(as_text=True)
    assert "Результаты ЕГЭ (выгрузка ФИС ОКО)" in page and "Код ОО" in page
    detail = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/campaigns/{campaign.id}/imports" in detail
    bad = HEADER + "S-A1;Физика;10;9\nS-B1;Физика;4;четыре\n"
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"import_id": "ege", "file": (io.BytesIO(bad.encode("utf-8")), "ege.csv")},
        content_type="multipart/form-data",
    )
    body = imported(client, response)
    assert 'data-testid="import-errors"' in body and "<td>3</td>" in body and "Сдали" in body
    assert stored_rows(campaign) == 0
    good = bad.replace("четыре", "4")
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"import_id": "ege", "file": (io.BytesIO(good.encode("utf-8")), "ege.csv")},
        content_type="multipart/form-data",
    )
    assert "Создано: 2" in imported(client, response)
    page = client.get(f"/campaigns/{campaign.id}/imports").get_data(as_text=True)
    assert "ege.csv" in page and "строк: 2" in page


def test_a_municipal_coordinator_cannot_open_the_uploads(client, people, campaign):
    login_as(client, people["municipal"])
    # They review the campaign's schools in their district, but the campaign is run from
    # the region, which lies outside what they may see at all: not found, as elsewhere.
    assert client.get(f"/campaigns/{campaign.id}").status_code == 200
    assert client.get(f"/campaigns/{campaign.id}/imports").status_code == 404


def test_an_absurdly_large_number_is_refused_at_once(app, people, campaign):
    report = upload(people, campaign, HEADER + "S-A1;Физика;1e9999999;1\nS-A1;Химия;5;1e40\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "Сдавали"), (3, "Сдали")]
    assert "слишком большое число" in report.errors[0].message


def test_a_misspelt_header_is_reported_not_dropped(app, people, campaign):
    # «Сдaли» with a Latin «a»: without the check its column would vanish silently.
    report = upload(people, campaign, "Код ОО;Предмет;Сдавали;Сдaли\nS-A1;Физика;10;9\n")
    assert [(e.row, e.column) for e in report.errors] == [(1, "сдaли")]


def test_an_archived_campaign_takes_no_uploads(app, people, campaign):
    campaign.state = "archived"
    db.session.commit()
    report = upload(people, campaign, HEADER + "S-A1;Физика;10;9\n")
    assert [(e.row, e.column) for e in report.errors] == [(0, None)]
    assert stored_rows(campaign) == 0


def test_a_units_changed_type_makes_the_report_recompute(app, people, campaign, tree):
    from collector.reports.services import data_stamp
    from collector.units.services import UnitData, update_unit

    before = data_stamp(db.session, campaign)
    school = tree["school_a1"]
    data = UnitData(code=school.code, name=school.name, school_type="adaptive")
    update_unit(db.session, people["region"], school, data, None)
    db.session.commit()
    assert data_stamp(db.session, campaign) != before


def test_a_survey_cannot_declare_an_imported_table():
    from collector.schema import SchemaError

    document = results_form()
    document["kind"] = "survey"
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    assert [(i.path, i.code) for i in caught.value.errors] == [("$.imports", "structure")]


def test_nan_infinity_and_control_characters_are_refused_by_their_row(app, people, campaign):
    report = upload(
        people,
        campaign,
        HEADER + "S-A1;Физика;NaN;1\nS-A1;Химия;5;Infinity\nS-A1;Био\x01логия;5;1\n",
    )
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Сдавали"),
        (3, "Сдали"),
        (4, "Предмет"),
    ]
    assert "управляющие символы" in report.errors[2].message
