"""The analytical report of a campaign for a territory, ready to print: every indicator,
the units that miss, the recommendations sent and the measures, with the document's name
and the as-of date in the running header (tests/analysis/fixtures.py's campaigns)."""

from __future__ import annotations

from datetime import date

import pytest

from collector.analysis import measures
from collector.analysis import recommendations as recs
from collector.extensions import db
from tests.analysis.fixtures import two_years, with_recommendations
from tests.conftest import login_as


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people, with_recommendations())


def test_the_report_holds_the_whole_cycle(client, tree, people, waves):
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


@pytest.mark.parametrize("person", ["school", "other_region"])
def test_outsiders_get_no_report(client, people, waves, person):
    _before, now = waves
    login_as(client, people[person])
    reply = client.get(f"/analysis/campaigns/{now.id}/print")
    assert reply.status_code in (403, 404)
    assert now.title not in reply.get_data(as_text=True)
