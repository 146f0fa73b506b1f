"""The campaign report page: indicator values worked out by hand, coverage by which
reports count, drill-down, and each user seeing only their subtree."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.schema.cases import base

# (has a plan, trained, total, status) per school
REPORTS = {
    "school_a1": (True, 30, 100, "accepted"),
    "school_a2": (False, 10, 50, "accepted"),
    "school_b1": (True, 45, 60, "accepted"),
    "school_b2": (False, 5, 40, "submitted"),
}


def report_form() -> dict:
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"] = [
        {"id": "has_plan", "type": "yes_no", "label": "Есть план"},
        {"id": "trained", "type": "integer", "label": "Прошли пробы", "min": 0},
        {"id": "total", "type": "integer", "label": "Всего", "min": 0},
    ]
    doc["rules"] = []
    source = {"document": "Приказ № 1829", "clause": "п. 11"}
    doc["indicators"] = [
        {
            "id": "plan_share",
            "title": "Доля школ с планом",
            "unit": "%",
            "formula": "share(has_plan)",
            "levels": ["municipality", "region"],
            "targets": {"2025": 60},
            "source": source,
        },
        {
            "id": "trained_share",
            "title": "Доля прошедших пробы",
            "unit": "%",
            "formula": "sum(trained) / sum(total) * 100",
            "source": source,
        },
    ]
    return doc


@pytest.fixture
def campaign(app, tree, people):
    made = new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), document=report_form(), opened=True
    )
    for key, (plan, trained, total, status) in REPORTS.items():
        response = db.session.scalar(
            select(FormResponse).where(
                FormResponse.campaign_id == made.id, FormResponse.unit_id == tree[key].id
            )
        )
        response.answers = {"has_plan": plan, "trained": trained, "total": total}
        response.status = status
    db.session.commit()
    return made


def cell(html: str, row_attribute: str, value: str) -> str:
    row = html.split(f'{row_attribute}="{value}"')[1].split("</tr>")[0]
    return row.split('data-value="')[1].split('"')[0]


def test_the_region_sees_values_worked_out_by_hand(client, tree, people, campaign):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    # Accepted only: A1, A2, B1. Plans: 2 of 3; trained (30 + 10 + 45) / (100 + 50 + 60).
    assert float(cell(html, "data-indicator", "plan_share")) == pytest.approx(200 / 3)
    assert float(cell(html, "data-indicator", "trained_share")) == pytest.approx(85 / 210 * 100)
    assert "3 из 4" in html
    everything = client.get(f"/reports/campaigns/{campaign.id}?basis=submitted").get_data(
        as_text=True
    )
    assert float(cell(everything, "data-indicator", "plan_share")) == pytest.approx(50.0)
    assert float(cell(everything, "data-indicator", "trained_share")) == pytest.approx(
        90 / 250 * 100
    )
    assert "4 из 4" in everything


def test_drill_down_by_municipality_with_targets(client, tree, people, campaign):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}?indicator=plan_share").get_data(
        as_text=True
    )
    breakdown = html.split('data-testid="breakdown"')[1].split("</table>")[0]
    assert float(cell(breakdown, "data-group", "M-A")) == pytest.approx(50.0)
    assert float(cell(breakdown, "data-group", "M-B")) == pytest.approx(100.0)  # B2 not accepted
    assert "не достигнуто" in breakdown.split('data-group="M-A"')[1].split("</tr>")[0]
    assert "достигнуто" in breakdown.split('data-group="M-B"')[1].split("</tr>")[0]
    assert 'class="collector-chart"' in html
    schools = client.get(
        f"/reports/campaigns/{campaign.id}?unit={tree['mun_a'].id}&indicator=trained_share"
    ).get_data(as_text=True)
    table = schools.split('data-testid="breakdown"')[1].split("</table>")[0]
    assert float(cell(table, "data-group", "S-A1")) == pytest.approx(30.0)
    assert float(cell(table, "data-group", "S-A2")) == pytest.approx(20.0)


def test_a_municipality_sees_its_own_subtree_only(client, tree, people, campaign):
    login_as(client, people["municipal"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    assert tree["mun_a"].name in html
    assert float(cell(html, "data-indicator", "plan_share")) == pytest.approx(50.0)
    assert "S-B1" not in html and tree["mun_b"].name not in html
    assert (
        client.get(f"/reports/campaigns/{campaign.id}?unit={tree['mun_b'].id}").status_code == 404
    )


@pytest.mark.parametrize("person", ["other_region", "school"])
def test_outsiders_get_no_report(client, people, campaign, person):
    login_as(client, people[person])
    reply = client.get(f"/reports/campaigns/{campaign.id}")
    assert reply.status_code in (403, 404)
    assert campaign.title not in reply.get_data(as_text=True)


def test_a_survey_report_shows_the_response_rate_and_the_answers(client, tree, people, app):
    from collector.models import ReferenceFigure
    from tests.surveys.test_survey_links import GOOD, link_of, survey_document

    document = survey_document()
    document["respondents"]["headcount"] = 'figure("pupils", 8, 11)'
    document["indicators"] = [
        {
            "id": "organised_share",
            "title": "Выбор профиля организован",
            "unit": "%",
            "formula": 'share(organised == "yes")',
            "source": {"document": "Приказ № 1067", "clause": "7.2"},
        }
    ]
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=document,
        year=2026,
        opened=True,
    )
    for grade, pupils in ((8, 20), (9, 20), (10, 5), (11, 5)):
        db.session.add(
            ReferenceFigure(
                unit_id=tree["school_a1"].id,
                academic_year=2026,
                figure="pupils",
                grade=grade,
                value=pupils,
            )
        )
    db.session.commit()
    token = link_of(campaign, tree["school_a1"]).token
    for organised in ("yes", "yes", "no"):
        app.test_client().post(f"/s/{token}", data=GOOD | {"organised": organised})
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}").get_data(
        as_text=True
    )
    assert float(cell(html, "data-indicator", "organised_share")) == pytest.approx(200 / 3)
    participation = html.split('data-testid="participation"')[1].split("</div>")[0]
    assert "Ответов: 3" in participation and "50" in participation  # 3 of 50 parents
    assert "6,0" in participation  # 3 / 50 = 6.0 %
    answers = html.split('data-testid="distribution-organised"')[1].split("</table>")[0]
    assert 'Выбор профиля был организован</td><td class="text-end">2' in answers
