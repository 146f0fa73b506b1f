"""The consolidated downloads of a campaign: the workbook's indicator cells equal the
engine's values, the sheets hold the raw answers and completeness, text stays text,
Cyrillic is intact, and the CSV opens in Excel."""

from __future__ import annotations

import csv
import io
import time

import openpyxl
import pytest

from collector.extensions import db
from collector.reports.services import Basis, campaign_report
from tests.conftest import login_as
from tests.surveys.test_survey_links import GOOD, link_of, make_survey


def export_file(client, campaign, table: str = "", unit=None) -> bytes:
    """Start the export job from the report page's form, wait for it, take its file."""
    url = f"/reports/campaigns/{campaign.id}/export" + (f"?unit={unit.id}" if unit else "")
    started = client.post(url, data={"table": table, "basis": "accepted"})
    assert started.status_code == 302, started.status_code
    job_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    status = wait_for_job(client, job_id)
    assert status["state"] == "done", status
    download = client.get(status["download"])
    assert download.status_code == 200
    content = download.data
    download.close()  # send_file streams the file: let it go
    return content


def wait_for_job(client, job_id: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status = client.get(f"/jobs/{job_id}/status").get_json()
        if status["state"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def workbook_of(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def indicator_cells(book: openpyxl.Workbook) -> dict[tuple[str, str, str], object]:
    sheet = book["Показатели"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return {(row[0], row[3], row[4]): row[5] for row in rows}


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_workbooks_indicators_equal_the_engines(client, tree, people, campaign):
    tree["school_a2"].name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    assert book.sheetnames[:2] == ["Показатели", "Диаграммы"]
    assert {"Основное", "Полнота сдачи", "Описание"} <= set(book.sheetnames)
    cells = indicator_cells(book)
    report = campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)
    for value in report.computed.values:
        unit = report.units[value.group]
        level = {
            "region": "Регион",
            "municipality": "Муниципальное образование",
            "school": "Организация",
        }
        key = (value.indicator, level[value.level], unit.name)
        assert key in cells
        if value.value is None:
            assert cells[key] is None
        else:
            assert cells[key] == pytest.approx(value.value)
    assert cells[("plan_share", "Регион", tree["region"].name)] == pytest.approx(200 / 3)
    section = book["Основное"]
    names = [row[1] for row in section.iter_rows(min_row=3, values_only=True)]
    assert '=HYPERLINK("http://evil.example")' in names
    for row in section.iter_rows(min_row=3):
        assert row[1].data_type == "s"
    description = dict(book["Описание"].iter_rows(min_row=3, values_only=True))
    assert campaign.title in description.values()


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_municipality_exports_its_own_subtree(client, tree, people, campaign):
    login_as(client, people["municipal"])
    book = workbook_of(export_file(client, campaign))
    groups = {key[2] for key in indicator_cells(book)}
    assert tree["mun_a"].name in groups
    assert tree["mun_b"].name not in groups and tree["region"].name not in groups
    completeness = [r[0] for r in book["Полнота сдачи"].iter_rows(min_row=3, values_only=True)]
    assert sorted(completeness) == ["S-A1", "S-A2"]
    assert (
        client.get(
            f"/reports/campaigns/{campaign.id}/export.xlsx?unit={tree['mun_b'].id}"
        ).status_code
        == 404
    )


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_indicators_csv_opens_in_excel(client, people, campaign):
    login_as(client, people["region"])
    content = export_file(client, campaign, "indicators")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Код"
    share = next(r for r in rows if r[0] == "plan_share" and r[3] == "Регион")
    assert share[5] == "66,66666666666667" or share[5].startswith("66,6")
    nonsense = client.post(f"/reports/campaigns/{campaign.id}/export", data={"table": "nonsense"})
    assert nonsense.status_code == 404


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_survey_answers_one_row_each_with_a_column_per_option(client, app, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    app.test_client().post(f"/s/{token}", data=GOOD | {"comment": "=1+1", "helped": ["tests"]})
    app.test_client().post(f"/s/{token}", data=GOOD | {"comment": "@SUM(A1)"})
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    sheet = book["Ответы"]
    header = [c.value for c in sheet[2]]
    assert "Комментарий" in header
    rows = list(sheet.iter_rows(min_row=3))
    assert len(rows) == 2
    comment = header.index("Комментарий")
    assert {r[comment].value for r in rows} == {"=1+1", "@SUM(A1)"}
    assert all(r[comment].data_type == "s" for r in rows)
    answers = export_file(client, campaign, "answers").decode("utf-8-sig")
    assert "'=1+1" in answers and "'@SUM(A1)" in answers
    helped = [header.index(f"Что помогло выбрать: {label}") for label in ("Тесты", "Экскурсии")]
    ticked = {r[comment].value: [r[i].value for i in helped] for r in rows}
    assert ticked == {"=1+1": ["да", "нет"], "@SUM(A1)": [None, None]}


def test_people_without_export_rights_get_nothing(client, people, campaign):
    login_as(client, people["school"])
    refused = client.post(f"/reports/campaigns/{campaign.id}/export", data={"table": ""})
    assert refused.status_code in (403, 404)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_survey_workbook_has_the_distribution_of_answers(client, app, tree, people):
    from datetime import datetime

    from tests.campaigns.factories import new_campaign
    from tests.surveys.test_survey_links import survey_document

    document = survey_document()
    document["respondents"]["min_group_size"] = 1
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 8, 31, 23, 59), document=document, opened=True
    )
    token = link_of(campaign, tree["school_a1"]).token
    for organised, helped in (("yes", ["tests"]), ("yes", ["tests", "trips"]), ("no", [])):
        app.test_client().post(
            f"/s/{token}", data=GOOD | {"organised": organised, "helped": helped}
        )
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign, unit=tree["school_a1"]))
    rows = list(book["Распределение"].iter_rows(min_row=3, values_only=True))
    by_option = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    organised = "Был ли организован выбор профиля?"
    assert by_option[(organised, "Выбор профиля был организован")] == (2, pytest.approx(200 / 3))
    assert by_option[(organised, "Не был организован")] == (1, pytest.approx(100 / 3))
    # A multiple choice: the share of the three respondents who ticked the option.
    assert by_option[("Что помогло выбрать", "Тесты")] == (2, pytest.approx(200 / 3))
    assert by_option[("Что помогло выбрать", "Экскурсии")] == (1, pytest.approx(100 / 3))


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_distribution_sheet_breaks_down_by_group_with_a_native_chart_per_question(
    client, tree, people
):
    """The pupils' satisfaction poll (tests/reports/test_questions.py has the answers and
    the hand-worked counts): the shares of the whole region and of grade 9; grade 10 has
    3 answers, fewer than 5, so its cells are empty."""
    import re
    import zipfile

    from tests.reports.test_questions import ANSWERS, FORM
    from tests.reports.test_together import answered

    campaign = answered(
        tree,
        people,
        FORM.stem,
        "Опрос обучающихся",
        {key: [score for _grade, score, _took in rows] for key, rows in ANSWERS.items()},
    )
    # The helper answers grade 9 for everyone: give the answers their grades back.
    from sqlalchemy import select

    from collector.models import FormResponse

    grades = [grade for rows in ANSWERS.values() for grade, _score, _took in rows]
    stored = db.session.scalars(
        select(FormResponse)
        .where(FormResponse.campaign_id == campaign.id)
        .order_by(FormResponse.id)
    ).all()
    for response, grade in zip(stored, grades, strict=True):
        response.answers = response.answers | {"grade": grade}
    db.session.commit()
    login_as(client, people["region"])
    content = export_file(client, campaign)
    book = workbook_of(content)
    sheet = book["Распределение"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["Вопрос", "Вариант", "Ответы", "Доля (%)"]
    grade_9 = header.index("9 класс: доля (%)")
    grade_10 = header.index("10 класс: доля (%)")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    overall = {r[1][:1]: r for r in rows if r[0].startswith("В целом")}
    assert overall["5"][2:4] == (4, pytest.approx(400 / 13))
    assert overall["4"][grade_9] == pytest.approx(40.0)
    assert all(r[grade_10] is None for r in rows)
    # A chart per question on the sheet after the table, its bars over the table's cells.
    assert "Распределение — диаграммы" in book.sheetnames
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
        xml = "".join(archive.read(n).decode("utf-8") for n in charts)
    questions = {r[0] for r in rows}
    assert len(charts) >= len(questions)  # and the indicators' charts
    assert "<c:f>Распределение!$D$" in xml  # the whole's shares

    # The same table as CSV (the report page's «Распределение (CSV)»).
    text = export_file(client, campaign, "section-0").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert "9 класс: доля (%)" in lines[0]
    five = next(line for line in lines if line[1].startswith("5 —") and "В целом" in line[0])
    assert five[2] == "4" and five[3].startswith("30,7")
