"""The analytical report of a campaign for a territory, ready to print and as PDF: every
indicator, the units that miss, the recommendations sent and the measures, with the
document's name and the as-of date in the running header (tests/analysis/fixtures.py's
campaigns)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from collector.analysis import measures
from collector.analysis import recommendations as recs
from collector.extensions import db
from collector.models import Job
from tests.analysis.fixtures import two_years, with_recommendations
from tests.conftest import login_as
from tests.printing.reading import flat, footers_count_the_pages, pages_of, pdf_by_job


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people, with_recommendations())


@pytest.fixture
def cycle(tree, people, waves):
    """The waves with this year's recommendation sent to A2 and a measure recorded on
    last year's campaign (whose effect this year's shows)."""
    before, now = waves
    now.as_of = date(2026, 4, 30)
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    recs.send(db.session, people["municipal"], draft)
    measures.add_measure(
        db.session,
        people["municipal"],
        before,
        tree["mun_a"].id,
        measures.MeasureInput(
            "other",
            "Курсы для классных руководителей",
            None,
            None,
            None,
            [tree["school_a2"].id],
            ["trained_share"],
            "приказ № 512",
        ),
    )
    db.session.commit()
    return before, now


def test_the_report_holds_the_whole_cycle(client, tree, people, cycle):
    before, now = cycle
    login_as(client, people["municipal"])
    html = client.get(f"/analysis/campaigns/{now.id}/print").get_data(as_text=True)
    assert "Аналитическая справка" in html
    header = html.split('data-testid="running-title">')[1].split("</p>")[0]
    assert "Приказ № 1829" in header and "30.04.2026" in header
    indicators = html.split('data-testid="print-indicators"')[1].split("</table>")[0]
    assert 'data-indicator="plan_share"' in indicators
    assert 'data-indicator="trained_share"' in indicators
    misses = html.split('data-testid="print-misses"')[1].split("</table>")[0]
    assert tree["school_a2"].name in misses and tree["school_a1"].name not in misses
    assert "Разработать и утвердить годовой план" in html  # the recommendation sent
    # The measure was recorded on the 2024 campaign: its page holds it and its effect.
    earlier = client.get(f"/analysis/campaigns/{before.id}/print").get_data(as_text=True)
    assert "Курсы для классных руководителей" in earlier and "приказ № 512" in earlier
    assert "Результативность по следующей кампании формы" in earlier


# A job makes the PDF in a worker thread of its own, on its own connection: it must see
# the committed data.
@pytest.mark.committed
def test_the_report_as_pdf(client, tree, people, cycle):
    """The same report made into PDF and read back: Cyrillic intact, the header on every
    page, every indicator, the school that misses, the recommendation, and the measure
    with its effect in last year's report; «стр. N из M» counting the real pages."""
    before, now = cycle
    login_as(client, people["municipal"])
    analysis = client.get(f"/analysis/campaigns/{now.id}").get_data(as_text=True)
    assert f'action="/analysis/campaigns/{now.id}/print.pdf?unit={tree["mun_a"].id}' in analysis
    content = pdf_by_job(client, f"/analysis/campaigns/{now.id}/print.pdf?unit={tree['mun_a'].id}")
    pages = pages_of(content)
    for page in pages:
        assert "Приказ № 1829, п. 11 · данные на 30.04.2026" in flat(page)
    text = flat(" ".join(pages))
    assert "Аналитическая справка" in text
    assert "Доля школ с планом" in text and "Доля прошедших пробы" in text
    assert tree["school_a2"].name in text
    assert "Разработать и утвердить годовой план профориентационной работы." in text
    footers_count_the_pages(pages)
    earlier = flat(
        " ".join(pages_of(pdf_by_job(client, f"/analysis/campaigns/{before.id}/print.pdf")))
    )
    assert "Курсы для классных руководителей" in earlier and "приказ № 512" in earlier
    assert "Результативность по следующей кампании формы" in earlier


@pytest.mark.parametrize("person", ["school", "other_region"])
def test_outsiders_get_no_report(client, people, waves, person):
    _before, now = waves
    login_as(client, people[person])
    reply = client.get(f"/analysis/campaigns/{now.id}/print")
    assert reply.status_code in (403, 404)
    assert now.title not in reply.get_data(as_text=True)
    # Nor its PDF: no job is started for them.
    refused = client.post(f"/analysis/campaigns/{now.id}/print.pdf")
    assert refused.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
