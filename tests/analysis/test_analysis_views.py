"""The analysis page: misses and series worked out by hand over two campaigns of a form,
and each user seeing only their subtree.

2024 (all accepted): A1 plan, 20/100; A2 plan, 15/50; B1 plan, 30/60; B2 no plan, 10/40.
2025 (B2 only submitted): A1 plan, 30/100; A2 no plan, 10/50; B1 plan, 45/60.
plan_share has a target of 60 from 2025.
"""

from __future__ import annotations

import pytest

from collector.analysis.compute import Reason
from collector.analysis.services import campaign_analysis
from collector.extensions import db
from tests.analysis.fixtures import two_years
from tests.conftest import login_as


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people)


def test_the_region_analyses_its_municipalities(tree, people, waves):
    before, now = waves
    analysis = campaign_analysis(db.session, people["region"], now)
    assert [c.id for c in analysis.waves] == [before.id, now.id]
    assert [u.code for u in analysis.units] == ["M-A", "M-B"]
    plan = analysis.results["plan_share"]
    # The region: A1, A2, B1 accepted, two with a plan: 2/3 = 66.7 ≥ 60.
    assert plan.territory == 66.7 and plan.met is True
    rows = {r.unit_id: r for r in plan.rows}
    # M-A: 2024 both plans (100), 2025 one of two (50): below 60 and worse than last year.
    assert rows[tree["mun_a"].id].series == (100.0, 50.0)
    assert rows[tree["mun_a"].id].reasons == (Reason.BELOW_TARGET, Reason.WORSE_THAN_LAST)
    # M-B: 2024 B1 yes, B2 no (50); 2025 B1 alone is accepted (100).
    assert rows[tree["mun_b"].id].series == (50.0, 100.0)
    assert rows[tree["mun_b"].id].reasons == ()
    trained = {r.unit_id: r for r in analysis.results["trained_share"].rows}
    # M-A: 35/150 = 23.3 then 40/150 = 26.7; M-B: 40/100 = 40.0 then 45/60 = 75.0.
    assert trained[tree["mun_a"].id].series == (23.3, 26.7)
    assert trained[tree["mun_a"].id].change == 3.4
    assert trained[tree["mun_b"].id].series == (40.0, 75.0)
    # M-B's value counts one of its two schools this year (B2 only submitted): its change
    # is not judged against last year's complete one.
    assert trained[tree["mun_b"].id].change is None
    assert [u.code for u in analysis.missing_units] == ["M-A"]


def test_a_municipality_analyses_its_schools(tree, people, waves):
    _before, now = waves
    analysis = campaign_analysis(db.session, people["municipal"], now)
    assert analysis.root.id == tree["mun_a"].id
    assert [u.code for u in analysis.units] == ["S-A1", "S-A2"]
    a1, a2 = tree["school_a1"].id, tree["school_a2"].id
    # plan_share is declared for municipalities and the region; a school's own is 100 or 0.
    plan = {r.unit_id: r for r in analysis.results["plan_share"].rows}
    assert plan[a2].series == (100.0, 0.0)
    assert plan[a2].reasons == (Reason.BELOW_TARGET, Reason.WORSE_THAN_LAST)
    assert plan[a1].series == (100.0, 100.0) and plan[a1].reasons == ()
    trained = {r.unit_id: r for r in analysis.results["trained_share"].rows}
    # A1: 20/100 then 30/100; A2: 15/50 = 30.0 then 10/50 = 20.0.
    assert trained[a1].series == (20.0, 30.0) and trained[a1].reasons == ()
    assert trained[a2].series == (30.0, 20.0)
    assert trained[a2].reasons == (Reason.WORSE_THAN_LAST,)
    assert analysis.results["trained_share"].territory == 26.7  # 40/150
    assert [(i.id, r) for i, r in analysis.misses_of(a2)] == [
        ("plan_share", (Reason.BELOW_TARGET, Reason.WORSE_THAN_LAST)),
        ("trained_share", (Reason.WORSE_THAN_LAST,)),
    ]


def test_the_page_shows_the_misses_and_the_series(client, tree, people, waves):
    _before, now = waves
    login_as(client, people["region"])
    report = client.get(f"/reports/campaigns/{now.id}").get_data(as_text=True)
    assert f"/analysis/campaigns/{now.id}" in report
    html = client.get(
        f"/analysis/campaigns/{now.id}?unit={tree['mun_a'].id}&indicator=trained_share"
    ).get_data(as_text=True)
    missing = html.split('data-testid="missing-units"')[1].split("</table>")[0]
    assert 'data-group="S-A2"' in missing and 'data-group="S-A1"' not in missing
    assert "ниже целевого значения" in missing
    series = html.split('data-testid="series"')[1].split("</table>")[0]
    a2 = series.split('data-group="S-A2"')[1].split("</tr>")[0]
    assert 'data-wave="0" data-value="30.0"' in a2 and 'data-wave="1" data-value="20.0"' in a2
    assert 'data-change="-10.0"' in a2


@pytest.mark.parametrize("person", ["other_region", "school"])
def test_outsiders_get_no_analysis(client, people, waves, person):
    _before, now = waves
    login_as(client, people[person])
    reply = client.get(f"/analysis/campaigns/{now.id}")
    assert reply.status_code in (403, 404)
    assert now.title not in reply.get_data(as_text=True)


def test_a_municipality_cannot_analyse_another(client, tree, people, waves):
    _before, now = waves
    login_as(client, people["municipal"])
    reply = client.get(f"/analysis/campaigns/{now.id}?unit={tree['mun_b'].id}")
    assert reply.status_code == 404
    assert tree["mun_b"].name not in reply.get_data(as_text=True)
