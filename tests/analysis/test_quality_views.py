"""The data-quality view over two campaigns of the report form, worked out by hand.

2024 (all accepted): trained / total — A1 20/100, A2 15/50, B1 30/60, B2 10/40.
2025 as REPORTS, but B2 typed 4 trained (B2 only submitted) and A1 300 in all:
trained 30, 10, 45, 4; total 300, 50, 60, 40.
"""

from __future__ import annotations

import io
from datetime import UTC, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from collector.analysis.quality import Far, Timeliness
from collector.analysis.quality_services import campaign_quality
from collector.extensions import db
from collector.models import FormResponse
from tests.analysis.fixtures import two_years
from tests.conftest import login_as
from tests.reports.fixtures import report_form


@pytest.fixture
def waves(app, tree, people):
    before, now = two_years(tree, people)
    due = now.deadlines[0].due_at.replace(tzinfo=UTC)
    responses = {
        r.unit.code: r
        for r in db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == now.id))
    }
    responses["S-A1"].answers = {**responses["S-A1"].answers, "total": 300}
    responses["S-A1"].submitted_at = due - timedelta(days=1)
    responses["S-A2"].submitted_at = due + timedelta(hours=26, minutes=30)
    responses["S-B1"].submitted_at = due
    responses["S-B2"].answers = {**responses["S-B2"].answers, "trained": 4}
    responses["S-B2"].submitted_at = due - timedelta(minutes=5)
    responses["S-B2"].confirmations = {"trained_warning": {"comment": "так и есть"}}
    db.session.commit()
    return before, now, due


def test_the_region_sees_each_school_report(tree, people, waves):
    before, now, due = waves
    view = campaign_quality(db.session, people["region"], now, now=due + timedelta(days=3))
    assert view.last is not None and view.last.id == before.id
    rows = {line.unit.code: line.row for line in view.lines}
    # In the tree's order: by name within each municipality («Гимназия» before «Лицей»).
    assert list(rows) == ["S-A1", "S-A2", "S-B2", "S-B1"]
    assert rows["S-A1"].timeliness == Timeliness.ON_TIME
    assert rows["S-B1"].timeliness == Timeliness.ON_TIME  # at the very moment
    assert rows["S-A2"].timeliness == Timeliness.LATE
    assert rows["S-A2"].late_by == timedelta(hours=26, minutes=30)
    # Three questions shown and answered by each.
    assert {row.completeness for row in rows.values()} == {1.0}
    assert rows["S-B2"].confirmed == ("trained_warning",)
    # total: 40, 50, 60, 300 → Q1 = 40 + 0.75 · 10 = 47.5, Q3 = 60 + 0.25 · 240 = 120,
    # IQR 72.5, upper fence 120 + 108.75 = 228.75: A1's 300 is far from its peers, and
    # more than twice its 100 of last year.
    assert view.fences["total"].high == 228.75
    assert [(f.question, f.why) for f in rows["S-A1"].far] == [
        ("total", Far.PEERS),
        ("total", Far.LAST_YEAR),
    ]
    # trained: 4, 10, 30, 45 — fences −29.375 … 71.625, nobody outside; B2's 4 is under
    # half its 10 of last year. A2: 10 against 15, B1: 45 against 30 — within.
    assert view.fences["trained"].low == pytest.approx(-29.375)
    assert [(f.question, f.why, f.last) for f in rows["S-B2"].far] == [
        ("trained", Far.LAST_YEAR, 10.0)
    ]
    assert rows["S-A2"].far == rows["S-B1"].far == ()
    assert view.summary == {
        "reports": 4,
        "late": 1,
        "overdue": 0,
        "incomplete": 0,
        "confirmed": 1,
        "far": 2,
    }


def test_a_municipality_sees_only_its_schools(tree, people, waves):
    _before, now, due = waves
    view = campaign_quality(db.session, people["municipal"], now, now=due)
    assert [line.unit.code for line in view.lines] == ["S-A1", "S-A2"]
    # Among two reports no fences are drawn.
    assert view.fences == {}


def test_the_page_and_the_workbook(client, tree, people, waves):
    _before, now, _due = waves
    login_as(client, people["region"])
    analysis = client.get(f"/analysis/campaigns/{now.id}").get_data(as_text=True)
    assert f"/analysis/campaigns/{now.id}/quality" in analysis
    reply = client.get(f"/analysis/campaigns/{now.id}/quality")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "Q1 − 1.5·IQR" in html or "Q1 − 1,5·IQR" in html
    a2 = html.split('data-unit="S-A2"')[1].split("</tr>")[0]
    assert 'data-timeliness="late"' in a2 and 'data-late-hours="26.5"' in a2
    summary = html.split('data-testid="quality-summary"')[1].split("</ul>")[0]
    assert 'data-count="late">с опозданием: 1<' in summary
    assert 'data-count="far">Выделяющиеся значения: 2<' in summary
    a1 = html.split('data-unit="S-A1"')[1].split("</tr>")[0]
    assert 'data-far="total peers"' in a1 and 'data-far="total last_year"' in a1
    book = client.get(f"/analysis/campaigns/{now.id}/quality.xlsx")
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.data)).worksheets
    cells = [[c.value for c in row] for row in sheets[0].iter_rows()]
    a2_row = next(row for row in cells if row[0] == "S-A2")
    assert a2_row[5] == 26.5 and a2_row[6] == 100
    far = [[c.value for c in row] for row in sheets[1].iter_rows()]
    assert sum(1 for row in far if row[0] == "S-A1") == 2


@pytest.mark.parametrize("person", ["other_region", "school"])
def test_outsiders_see_no_quality(client, people, waves, person):
    _before, now, _due = waves
    login_as(client, people[person])
    for path in ("quality", "quality.xlsx"):
        reply = client.get(f"/analysis/campaigns/{now.id}/{path}")
        assert reply.status_code in (403, 404)
        assert now.title not in reply.get_data(as_text=True)


def test_a_municipality_cannot_look_at_another(client, tree, people, waves):
    _before, now, _due = waves
    login_as(client, people["municipal"])
    reply = client.get(f"/analysis/campaigns/{now.id}/quality?unit={tree['mun_b'].id}")
    assert reply.status_code == 404


def test_answers_near_or_past_floats_limits_neither_judged_nor_a_500(client, tree, people, waves):
    """Stored answers written around the doors: an integer past float's range is no
    number; totals of ±1.7·10³⁰⁸ have Q1 = −1.7·10³⁰⁸, Q3 = 1.7·10³⁰⁸, an IQR past
    float's range and so no fences; each still printed, in scientific notation."""
    _before, now, _due = waves
    typed = {"S-A1": 1.7e308, "S-A2": -1.7e308, "S-B1": "1.7e308", "S-B2": -1.7e308}
    for response in db.session.scalars(
        select(FormResponse).where(FormResponse.campaign_id == now.id)
    ):
        response.answers = {**response.answers, "total": typed[response.unit.code]}
        if response.unit.code == "S-B2":
            response.answers = {**response.answers, "trained": 10**400}
    db.session.commit()
    view = campaign_quality(db.session, people["region"], now)
    assert "total" not in view.fences
    b2 = next(line.row for line in view.lines if line.unit.code == "S-B2")
    assert all(far.question != "trained" for far in b2.far)
    login_as(client, people["region"])
    page = client.get(f"/analysis/campaigns/{now.id}/quality")
    assert page.status_code == 200
    assert "1,7E308" in page.get_data(as_text=True)  # A1's far from its last year's 100
    assert client.get(f"/analysis/campaigns/{now.id}/quality.xlsx").status_code == 200


def test_a_confirmed_warning_is_named_in_the_pages_language(client, tree, people):
    """The rule's own message, in Russian or, on an English page, in English."""
    document = report_form()
    document["rules"] = [
        {
            "id": "trained_warning",
            "check": "trained <= total",
            "severity": "warning",
            "fields": ["trained"],
            "message": {"ru": "Обученных больше, чем всего", "en": "More trained than in all"},
        }
    ]
    _before, now = two_years(tree, people, document)
    response = db.session.scalars(
        select(FormResponse).where(FormResponse.campaign_id == now.id)
    ).first()
    assert response is not None
    response.confirmations = {"trained_warning": {"comment": "так и есть"}, "gone_rule": {}}
    db.session.commit()
    login_as(client, people["region"])
    address = f"/analysis/campaigns/{now.id}/quality"
    for language, message in (("ru", "Обученных больше, чем всего"), ("en", "More trained")):
        with client.session_transaction() as chosen:
            chosen["lang"] = language
        html = client.get(address).get_data(as_text=True)
        row = html.split(f'data-unit="{response.unit.code}"')[1].split("</tr>")[0]
        assert f"<div>{message}" in row, language
        assert "<div>gone_rule</div>" in row  # a rule the form no longer has: its id
