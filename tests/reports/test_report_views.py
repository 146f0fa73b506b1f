"""The campaign report page: indicator values worked out by hand, coverage by which
reports count, drill-down, and each user seeing only their subtree."""

from __future__ import annotations

from datetime import datetime

import pytest

from collector.extensions import db
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.reports.fixtures import organised_share


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
    document["respondents"]["min_group_size"] = 1  # three answers, all to be shown
    document["indicators"] = [organised_share()]
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
    total = answers.split('data-row="total"')[1].split("</tr>")[0]
    assert 'data-option="yes" data-count="2"' in total and "(66,7 %)" in total
    assert 'data-testid="low-response"' not in html  # no threshold set
    campaign.min_response_rate = 10.0  # 3 of 50 is 6 %: too few to rely on
    db.session.commit()
    flagged = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}")
    assert "Доля ответивших ниже 10,0 %" in flagged.get_data(as_text=True)
    region = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    rates = region.split('data-testid="participation-below"')[1].split("</table>")[0]
    assert 'data-low="1"' in rates.split('data-group="M-A"')[1].split("</tr>")[0]


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_an_unopened_campaign_reports_no_data_without_failing(client, tree, people):
    from tests.reports.fixtures import report_form

    draft = new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), document=report_form()
    )
    login_as(client, people["region"])
    page = client.get(f"/reports/campaigns/{draft.id}")
    assert page.status_code == 200
    assert 'data-value=""' in page.get_data(as_text=True)
    from tests.reports.test_exports import export_file

    assert export_file(client, draft).startswith(b"PK")  # an XLSX is a zip


def test_municipal_reports_roll_up_to_the_region(client, tree, people):
    from sqlalchemy import select

    from collector.extensions import db
    from collector.models import FormResponse
    from tests.reports.fixtures import report_form

    document = report_form()
    document["id"] = "municipal-summary"
    document["respondents"] = {"unit_types": ["municipality"]}
    document["indicators"][0]["levels"] = ["region"]
    campaign = new_campaign(
        tree, people, deadline=datetime(2026, 5, 30, 23, 59), document=document, opened=True
    )
    for key, plan in (("mun_a", True), ("mun_b", False)):
        response = db.session.scalar(
            select(FormResponse).where(FormResponse.unit_id == tree[key].id)
        )
        response.answers = {"has_plan": plan, "trained": 10, "total": 40}
        response.status = "accepted"
    db.session.commit()
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    assert float(cell(html, "data-indicator", "plan_share")) == pytest.approx(50.0)
    assert float(cell(html, "data-indicator", "trained_share")) == pytest.approx(25.0)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_large_campaign_is_computed_by_a_job_and_kept_until_its_data_changes(
    app, client, tree, people, campaign
):
    from sqlalchemy import select

    from collector.campaigns.lifecycle import Move
    from collector.campaigns.services import move_response
    from collector.extensions import db
    from collector.models import FormResponse
    from tests.reports.test_exports import wait_for_job

    app.config["REPORT_INLINE_RESPONSES"] = 0  # every campaign counts as large here
    login_as(client, people["region"])
    url = f"/reports/campaigns/{campaign.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="computing"' in page
    job_id = page.split('href="/jobs/')[1].split('"')[0]
    assert wait_for_job(client, job_id)["state"] == "done"
    html = client.get(url).get_data(as_text=True)
    assert float(cell(html, "data-indicator", "plan_share")) == pytest.approx(200 / 3)
    # Accepting the fourth school's report changes the data: computed again, then new.
    fourth = db.session.scalar(
        select(FormResponse).where(FormResponse.unit_id == tree["school_b2"].id)
    )
    move_response(db.session, people["region"], fourth, Move.ACCEPT)
    db.session.commit()
    # The view is a read: the figures of before, said to be so, while a job computes.
    again = client.get(url).get_data(as_text=True)
    assert 'data-testid="computing"' not in again and 'data-testid="refreshing"' in again
    assert float(cell(again, "data-indicator", "plan_share")) == pytest.approx(200 / 3)
    job_id = again.split('data-testid="refreshing-job"')[0].split('href="/jobs/')[-1].split('"')[0]
    assert wait_for_job(client, job_id)["state"] == "done"
    fresh = client.get(url).get_data(as_text=True)
    assert 'data-testid="refreshing"' not in fresh
    assert float(cell(fresh, "data-indicator", "plan_share")) == pytest.approx(50.0)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_school_with_too_few_answers_shows_no_breakdown(client, tree, people, app):
    from tests.reports.test_exports import export_file, workbook_of
    from tests.surveys.test_survey_links import GOOD, link_of, survey_document

    document = survey_document()  # the smallest group shown: 5 respondents
    document["indicators"] = [organised_share()]
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 8, 31, 23, 59), document=document, opened=True
    )
    token = link_of(campaign, tree["school_a1"]).token
    for _ in range(3):
        app.test_client().post(f"/s/{token}", data=GOOD)
    login_as(client, people["region"])
    school = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}").get_data(
        as_text=True
    )
    assert 'data-status="small_group"' in school
    assert 'data-testid="distributions-hidden"' in school
    assert 'data-testid="distribution-organised"' not in school
    book = workbook_of(export_file(client, campaign, unit=tree["school_a1"]))
    rows = list(book["Показатели"].iter_rows(min_row=3, values_only=True))
    school_row = next(r for r in rows if r[4] == tree["school_a1"].name)
    assert school_row[5] is None and school_row[6].startswith("меньше 5 ответов")


def test_survey_figures_by_respondent_group(client, tree, people, app):
    from tests.surveys.test_survey_links import GOOD, link_of, survey_document

    document = survey_document()
    document["respondents"].update(category_field="grade", min_group_size=2)
    document["indicators"] = [organised_share()]
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 8, 31, 23, 59), document=document, opened=True
    )
    token = link_of(campaign, tree["school_a1"]).token
    # Grade 9: yes, yes, no (2 of 3); grade 10: yes, no (1 of 2); grade 11: one answer.
    for grade, organised in (("9", "yes"), ("9", "yes"), ("9", "no"), ("10", "yes")):
        app.test_client().post(f"/s/{token}", data=GOOD | {"grade": grade, "organised": organised})
    for grade, organised in (("10", "no"), ("11", "yes")):
        app.test_client().post(f"/s/{token}", data=GOOD | {"grade": grade, "organised": organised})
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}").get_data(
        as_text=True
    )
    table = html.split('data-testid="by-group"')[1].split("</table>")[0]
    assert float(cell(table, "data-group", "9")) == pytest.approx(200 / 3)
    assert float(cell(table, "data-group", "10")) == pytest.approx(50.0)
    eleventh = table.split('data-group="11"')[1].split("</tr>")[0]
    assert 'data-status="small_group"' in eleventh  # one answer: not shown
    assert float(cell(html, "data-indicator", "organised_share")) == pytest.approx(4 / 6 * 100)


def test_free_text_answers_with_search_for_coordinators(client, tree, people, app):
    from tests.surveys.test_survey_links import GOOD, link_of, make_survey

    campaign = make_survey(tree, people)  # smallest group shown: 5
    token = link_of(campaign, tree["school_a1"]).token
    comments = ["Больше экскурсий на завод", "Спасибо за профпробы", "", "Экскурсии понравились"]
    for comment in [*comments, "Хорошо"]:
        app.test_client().post(f"/s/{token}", data=GOOD | {"comment": comment})
    login_as(client, people["municipal"])
    url = f"/reports/campaigns/{campaign.id}?unit={tree['school_a1'].id}"
    listed = client.get(url).get_data(as_text=True).split('data-testid="text-answers"')[1]
    listed = listed.split("</ul>")[0]
    assert listed.count("<li") == 4 and "Спасибо за профпробы" in listed
    found = client.get(url + "&q=ЭКСКУРС").get_data(as_text=True)
    found = found.split('data-testid="text-answers"')[1].split("</ul>")[0]
    assert found.count("<li") == 2 and "профпробы" not in found
    # The list is kept with the figures, and a new answer comes in with them.
    app.test_client().post(f"/s/{token}", data=GOOD | {"comment": "Новый отзыв"})
    again = client.get(url).get_data(as_text=True).split('data-testid="text-answers"')[1]
    assert "Новый отзыв" in again.split("</ul>")[0]
    # Fewer respondents than the smallest group: no answers listed at all.
    other = link_of(campaign, tree["school_a2"]).token
    app.test_client().post(f"/s/{other}", data=GOOD | {"comment": "Единственный ответ"})
    small = client.get(f"/reports/campaigns/{campaign.id}?unit={tree['school_a2'].id}")
    assert "Единственный ответ" not in small.get_data(as_text=True)


def test_a_repeated_survey_is_compared_with_the_earlier_wave(client, tree, people, app):
    from tests.surveys.test_survey_links import GOOD, link_of, survey_document

    document = survey_document()
    document["respondents"]["min_group_size"] = 1
    document["indicators"] = [organised_share()]
    waves = []
    for title, answers in (
        ("Волна 1", ("yes", "no", "no", "no")),
        ("Волна 2", ("yes", "yes", "no")),
    ):
        wave = new_campaign(
            tree,
            people,
            deadline=datetime(2027, 8, 31, 23, 59),
            document=document,
            title=title,
            opened=True,
        )
        token = link_of(wave, tree["school_a1"]).token
        for organised in answers:
            app.test_client().post(f"/s/{token}", data=GOOD | {"organised": organised})
        waves.append(wave)
    first, second = waves
    login_as(client, people["region"])
    html = client.get(
        f"/reports/campaigns/{second.id}?unit={tree['school_a1'].id}&compare={first.id}"
    ).get_data(as_text=True)
    table = html.split('data-testid="dynamics"')[1].split("</table>")[0]
    change = table.split('data-change="')[1].split('"')[0]
    assert float(change) == pytest.approx(200 / 3 - 25)  # 66.7 % now, 25 % then
    assert "+41,7" in table


def test_each_group_has_its_response_rate_against_its_own_headcount(client, tree, people):
    """As Table 2 of the Tomsk order counts it: 195 of 314 mathematics teachers answered,
    62.1 % (the order prints 61 %)."""
    from sqlalchemy import insert

    from collector.extensions import db
    from collector.models import FormResponse, ReferenceFigure
    from tests.surveys.test_survey_links import link_of, survey_document

    document = survey_document()
    document["sections"][0]["fields"][0] = {
        "id": "group",
        "type": "single_choice",
        "label": "Группа",
        "required": True,
        "options": [
            {"value": "math", "label": "Учителя математики"},
            {"value": "physics", "label": "Учителя физики"},
        ],
    }
    document["respondents"].update(
        category_field="group",
        category_headcount={
            "math": 'figure("teachers_math")',
            "physics": 'figure("teachers_physics")',
        },
        min_group_size=1,
    )
    document["indicators"] = []
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=document,
        year=2026,
        opened=True,
    )
    # Headcounts over two municipalities' schools: 314 mathematics, 120 physics teachers.
    staff = {
        "school_a1": (100, 40),
        "school_a2": (80, 30),
        "school_b1": (70, 25),
        "school_b2": (64, 25),
    }
    answered = {
        "school_a1": (70, 20),
        "school_a2": (50, 10),
        "school_b1": (40, 15),
        "school_b2": (35, 5),
    }
    rows = []
    for key, (math, physics) in staff.items():
        unit = tree[key]
        for figure, value in (("teachers_math", math), ("teachers_physics", physics)):
            db.session.add(
                ReferenceFigure(
                    unit_id=unit.id, academic_year=2026, figure=figure, grade=None, value=value
                )
            )
        link_of(campaign, unit)
        for group, count in zip(("math", "physics"), answered[key], strict=True):
            rows += [
                {
                    "form_version_id": campaign.form_version_id,
                    "form_id": "parent-poll",
                    "unit_id": unit.id,
                    "campaign_id": campaign.id,
                    "status": "submitted",
                    "answers": {"group": group, "organised": "yes"},
                    "revision": 1,
                    "late": False,
                }
                for _ in range(count)
            ]
    db.session.execute(insert(FormResponse), rows)
    db.session.commit()
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    table = html.split('data-testid="by-group"')[1].split("</table>")[0]
    math = table.split('data-group="math"')[1].split("</tr>")[0]
    assert ">195<" in math and ">314<" in math
    assert float(math.split('data-rate="')[1].split('"')[0]) == pytest.approx(195 / 314 * 100)
    assert "62,1" in math
    physics = table.split('data-group="physics"')[1].split("</tr>")[0]
    assert float(physics.split('data-rate="')[1].split('"')[0]) == pytest.approx(50 / 120 * 100)


def test_a_target_is_shown_with_its_unit(client, tree, people, campaign):
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    row = html.split('data-indicator="plan_share"')[1].split("</tr>")[0]
    assert 'data-target="60.0">60,0\u00a0%</span>' in row


def test_the_survey_rate_is_over_the_known_headcounts_and_names_the_rest(client, tree, people):
    """Issue 28: the headcount adds the groups' figures; physics teachers are not
    recorded, so the rate is the mathematics answers over the mathematics teachers, and
    the page names the physics teachers as left out."""
    from sqlalchemy import insert

    from collector.extensions import db
    from collector.models import FormResponse, ReferenceFigure
    from tests.surveys.test_survey_links import link_of, survey_document

    document = survey_document()
    document["sections"][0]["fields"][0] = {
        "id": "group",
        "type": "single_choice",
        "label": "Группа",
        "required": True,
        "options": [
            {"value": "math", "label": "Учителя математики"},
            {"value": "physics", "label": "Учителя физики"},
        ],
    }
    document["respondents"].update(
        category_field="group",
        category_headcount={
            "math": 'figure("teachers_math")',
            "physics": 'figure("teachers_physics")',
        },
        headcount='figure("teachers_math") + figure("teachers_physics")',
        min_group_size=1,
    )
    document["indicators"] = []
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=document,
        year=2026,
        opened=True,
    )
    rows = []
    # Mathematics teachers 10 and 6 (16), answers 4 and 4; physics: 2 answers, no figure.
    for key, math, (math_answers, physics_answers) in (
        ("school_a1", 10, (4, 1)),
        ("school_a2", 6, (4, 1)),
    ):
        unit = tree[key]
        db.session.add(
            ReferenceFigure(
                unit_id=unit.id, academic_year=2026, figure="teachers_math", grade=None, value=math
            )
        )
        link_of(campaign, unit)
        for group, count in (("math", math_answers), ("physics", physics_answers)):
            rows += [
                {
                    "form_version_id": campaign.form_version_id,
                    "form_id": "parent-poll",
                    "unit_id": unit.id,
                    "campaign_id": campaign.id,
                    "status": "submitted",
                    "answers": {"group": group, "organised": "yes"},
                    "revision": 1,
                    "late": False,
                }
                for _ in range(count)
            ]
    db.session.execute(insert(FormResponse), rows)
    db.session.commit()
    login_as(client, people["region"])
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    block = html.split('data-testid="participation"')[1].split("</div>\n</div>")[0]
    # 10 answers; the rate: (4 + 4) mathematics answers of 10 + 6 = 16 teachers = 50,0 %.
    assert "10" in block and "50,0" in block
    missing = html.split('data-testid="participation-missing"')[1].split("</div>")[0]
    assert "Учителя физики" in missing and "Учителя математики" not in missing
