"""Pupils' and parents' satisfaction (Nevinnomyssk 2020) reported separately and together:
the two real forms in two campaigns of one academic year, the report of either showing
both and the joint figure at the unit shown and each unit below it.

Answers to «В целом…» (1–5) by school, worked by hand (a share counts 4 and 5):

school  pupils             share  mean  |  parents          share  mean  |  together
A1      5 5 4 4 2          4/5    20/5  |  5 4 3 3 3        2/5    18/5  |  (80 + 40) / 2 = 60
A2      5 3 3 2 1 4        2/6    18/6  |  4 4 4 4 5        5/5    21/5  |  (33.3 + 100) / 2 = 66.7
B1      5 4 4 4 3 5 5      6/7    30/7  |  (none)           —            |  — (no parents' figure)
B2      4 4 (2: too few)   —            |  5 5 5 5 5        5/5    25/5  |  — (pupils' hidden)

municipality A: pupils 6/11, parents 7/10 → (54.5 + 70) / 2 = 62.3
municipality B: pupils 8/9, parents 5/5 → (88.9 + 100) / 2 = 94.4
region: pupils 14/20 = 70, parents 12/15 = 80 → 75; mean score (76/20 + 64/15) / 2
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from collector.extensions import db
from collector.models import FormResponse
from collector.reports import unit_pages
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

FORMS = Path(__file__).resolve().parents[2] / "form_schemas"
PUPILS = {
    "school_a1": [5, 5, 4, 4, 2],
    "school_a2": [5, 3, 3, 2, 1, 4],
    "school_b1": [5, 4, 4, 4, 3, 5, 5],
    "school_b2": [4, 4],
}
PARENTS = {
    "school_a1": [5, 4, 3, 3, 3],
    "school_a2": [4, 4, 4, 4, 5],
    "school_b2": [5, 5, 5, 5, 5],
}


def answered(tree, people, form: str, title: str, scores: dict[str, list[int]]):
    document = json.loads((FORMS / f"{form}.json").read_text(encoding="utf-8"))
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2026, 5, 31, 23, 59),
        document=document,
        title=title,
        opened=True,
    )
    rows = [
        {
            "form_version_id": campaign.form_version_id,
            "form_id": document["id"],
            "unit_id": tree[key].id,
            "campaign_id": campaign.id,
            "status": "submitted",
            "answers": {"grade": "9", "took_part": ["none"], "overall": str(score)},
            "revision": 1,
            "late": False,
        }
        for key, unit_scores in scores.items()
        for score in unit_scores
    ]
    db.session.execute(insert(FormResponse), rows)
    db.session.commit()
    return campaign


@pytest.fixture
def pupils(app, tree, people):
    return answered(
        tree, people, "nevinnomyssk-2020-pupil-satisfaction", "Опрос обучающихся", PUPILS
    )


@pytest.fixture
def parents(app, tree, people, pupils):
    return answered(
        tree, people, "nevinnomyssk-2020-parent-satisfaction", "Опрос родителей", PARENTS
    )


def together(html: str, code: str, indicator: str) -> float | None:
    table = html.split('data-testid="together"')[1].split("</table>")[0]
    row = table.split(f'data-group="{code}"')[1].split("</tr>")[0]
    found = row.split(f'data-indicator="{indicator}" data-value="')[1].split('"')[0]
    return float(found) if found else None


def page(client, campaign, unit=None) -> str:
    query = f"?unit={unit.id}" if unit is not None else ""
    return client.get(f"/reports/campaigns/{campaign.id}{query}").get_data(as_text=True)


def test_the_region_and_its_municipalities(client, tree, people, pupils, parents):
    login_as(client, people["region"])
    html = page(client, pupils)
    assert together(html, "R1", "satisfied_share") == pytest.approx((70 + 80) / 2)
    assert together(html, "R1", "mean_score") == pytest.approx((76 / 20 + 64 / 15) / 2)
    assert together(html, "M-A", "satisfied_share") == pytest.approx((600 / 11 + 70) / 2)
    assert together(html, "M-B", "satisfied_share") == pytest.approx((800 / 9 + 100) / 2)
    # The sides are shown as they are: 70,0 and 80,0 beside the joint 75,0.
    region = html.split('data-testid="together"')[1].split('data-group="M-A"')[0]
    assert "70,0" in region and "80,0" in region and "75,0" in region


def test_schools_together_only_where_both_sides_have_a_figure(
    client, tree, people, pupils, parents
):
    login_as(client, people["region"])
    html = page(client, pupils, tree["mun_a"])
    assert together(html, "S-A1", "satisfied_share") == pytest.approx((80 + 40) / 2)
    assert together(html, "S-A2", "satisfied_share") == pytest.approx((200 / 6 + 100) / 2)
    assert together(html, "S-A1", "mean_score") == pytest.approx((4.0 + 3.6) / 2)
    html = page(client, pupils, tree["mun_b"])
    assert together(html, "S-B1", "satisfied_share") is None  # no parents answered
    assert together(html, "S-B2", "satisfied_share") is None  # two pupils: not shown
    row = html.split('data-testid="together"')[1].split('data-group="S-B2"')[1]
    assert 'data-status="small_group"' in row.split("</tr>")[0]


def test_the_parents_report_shows_the_same_joint_figures(client, tree, people, pupils, parents):
    login_as(client, people["region"])
    html = page(client, parents)
    assert together(html, "R1", "satisfied_share") == pytest.approx(75)
    assert together(html, "M-A", "satisfied_share") == pytest.approx((600 / 11 + 70) / 2)


def test_a_municipal_coordinator_sees_the_joint_figures_of_their_schools_only(
    client, tree, people, pupils, parents
):
    login_as(client, people["municipal"])
    html = page(client, pupils)
    assert 'data-group="S-A1"' in html.split('data-testid="together"')[1]
    assert 'data-group="S-B1"' not in html and "M-B" not in html


def test_without_a_companion_campaign_the_report_says_so(client, tree, people, pupils):
    login_as(client, people["region"])
    html = page(client, pupils)
    assert 'data-testid="together-missing"' in html


def test_a_large_companion_is_not_computed_while_the_page_waits(
    app, client, tree, people, pupils, parents
):
    """The pupils' poll has 20 answers, the parents' 15; with pages computing at most 17
    inline, the parents' report links to the pupils' (which computes it as a job)."""
    app.config["REPORT_INLINE_RESPONSES"] = 17
    login_as(client, people["region"])
    html = page(client, parents)
    assert 'data-testid="together-waiting"' in html
    assert f"/reports/campaigns/{pupils.id}?unit={tree['region'].id}" in html
    assert 'data-testid="together"' not in html


def test_a_page_of_units_keeps_the_unit_shown_first(
    client, tree, people, pupils, parents, monkeypatch
):
    """One unit to a page (issue 22): page 2 has the region's row and M-B's only."""
    monkeypatch.setattr(unit_pages, "UNITS_PER_PAGE", 1)
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{pupils.id}?units_page=2").get_data(as_text=True)
    rows = html.split('data-testid="together"')[1].split("</table>")[0]
    assert re.findall(r'data-group="([^"]+)"', rows) == ["R1", "M-B"]
    assert together(html, "R1", "satisfied_share") == pytest.approx((70 + 80) / 2)
    assert together(html, "M-B", "satisfied_share") == pytest.approx((800 / 9 + 100) / 2)
    pager = html.split('data-testid="together"')[1].split('data-testid="units-pager"')[1]
    assert "Показаны организации 2–2 из 2" in pager.split("</nav>")[0]
