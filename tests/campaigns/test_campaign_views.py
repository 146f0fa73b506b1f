"""Campaign pages over HTTP: creating from the form, the review round with completeness
at each step, scope of every page, the non-submitters' workbook and extensions."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, Campaign, FormResponse, RoleAssignment
from collector.publishing.services import publish
from collector.schema import compile_document
from collector.units.services import current_academic_year
from tests.conftest import login_as
from tests.schema.cases import base


@pytest.fixture
def version(app):
    return publish(db.session, compile_document(copy.deepcopy(base())), None).form_version


def form_data(version, **changes) -> dict[str, str]:
    data = {
        "title": "Мониторинг профориентации 2026",
        "form_version": str(version.id),
        "academic_year": str(current_academic_year()),
        "as_of": "2026-04-30",
        "late_policy": "flag",
        "deadline_institutions": "2026-05-30T23:59",
    }
    return data | changes


@pytest.fixture
def campaign(app, client, tree, people, version) -> Campaign:
    tree["region"].timezone = "Europe/Moscow"
    db.session.commit()
    login_as(client, people["region"])
    reply = client.post("/campaigns/new", data=form_data(version, owner=str(tree["region"].id)))
    assert reply.status_code == 302, reply.get_data(as_text=True)
    made = db.session.scalar(select(Campaign))
    assert reply.headers["Location"].endswith(f"/campaigns/{made.id}")
    return made


def response_of(campaign, unit) -> FormResponse:
    return db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )


def counts(client, campaign, unit=None) -> dict[str, dict[str, str]]:
    """The completeness table as {row code: {status: shown count}}."""
    url = f"/campaigns/{campaign.id}" + (f"?unit={unit.id}" if unit else "")
    html = client.get(url).get_data(as_text=True)
    html = html.split('data-testid="completeness"')[1].split("</table>")[0]
    rows: dict[str, dict[str, str]] = {}
    for chunk in html.split('<tr data-unit="')[1:]:
        code = chunk.split('"', 1)[0]
        cells = chunk.split("</tr>", 1)[0].split('data-status="')[1:]
        rows[code] = {c.split('"', 1)[0]: c.split(">", 1)[1].split("<", 1)[0] for c in cells}
    return rows


def test_creating_stores_the_deadline_in_utc_from_moscow_time(campaign):
    assert campaign.state == "draft"
    assert campaign.unit_types == ["school"]
    assert campaign.answer_roles == ["school_respondent"]
    [deadline] = campaign.deadlines
    assert deadline.unit_type == "school"
    assert deadline.due_at == datetime(2026, 5, 30, 20, 59, tzinfo=UTC)


def test_a_missing_deadline_and_an_unknown_unit_are_named_and_nothing_typed_is_lost(
    client, tree, people, version
):
    login_as(client, people["region"])
    reply = client.post(
        "/campaigns/new",
        data=form_data(
            version,
            owner=str(tree["region"].id),
            deadline_institutions="",
            units=[str(tree["school_a1"].id), "99999"],
        ),
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "99999" in html and "Мониторинг профориентации 2026" in html
    assert f'value="{tree["school_a1"].id}" id="unit-{tree["school_a1"].id}" checked' in html
    assert html.count("invalid-feedback") >= 2
    assert db.session.scalar(select(Campaign)) is None


def test_a_list_of_units_limits_who_answers(client, tree, people, version):
    login_as(client, people["region"])
    client.post(
        "/campaigns/new",
        data=form_data(
            version,
            owner=str(tree["region"].id),
            units=[str(tree["school_a1"].id), str(tree["school_b2"].id)],
        ),
    )
    made = db.session.scalar(select(Campaign))
    client.post(f"/campaigns/{made.id}/state", data={"to": "open"})
    units = {r.unit.code for r in db.session.scalars(select(FormResponse))}
    assert units == {"S-A1", "S-B2"}


def test_the_review_round_over_http_with_completeness_at_each_step(client, tree, people, campaign):
    region, school, municipal = people["region"], people["school"], people["municipal"]
    assert client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"}).status_code == 302
    assert counts(client, campaign)["M-A"]["not_started"] == "2"
    assert counts(client, campaign)["total"]["not_started"] == "4"

    response = response_of(campaign, tree["school_a1"])
    login_as(client, school)
    assert "Мониторинг профориентации 2026" in client.get("/entry/").get_data(as_text=True)
    url = f"/entry/response/{response.id}"
    client.post(url, data={"total": "10", "part": "4", "revision": "0", "action": "save"})
    assert client.post(url, data={"total": "10", "part": "4", "revision": "1", "action": "submit"})
    db.session.expire_all()
    assert response_of(campaign, tree["school_a1"]).status == "submitted"
    # Submitted: locked for the school until returned.
    client.post(url, data={"total": "99", "part": "4", "revision": "1", "action": "save"})
    db.session.expire_all()
    assert response_of(campaign, tree["school_a1"]).answers["total"] == 10

    login_as(client, municipal)
    assert counts(client, campaign, tree["mun_a"])["S-A1"]["submitted"] == "1"
    review = f"/campaigns/{campaign.id}/responses/{response.id}"
    refused = client.post(review, data={"move": "return", "comment": " "})
    assert "Write a comment" in refused.get_data(as_text=True) or "комментарий" in (
        refused.get_data(as_text=True)
    )
    client.post(review, data={"move": "return", "comment": "Проверьте число экскурсий"})
    assert counts(client, campaign, tree["mun_a"])["S-A1"]["returned"] == "1"

    login_as(client, school)
    page = client.get(url).get_data(as_text=True)
    assert "Проверьте число экскурсий" in page
    revision = str(response_of(campaign, tree["school_a1"]).revision)
    client.post(url, data={"total": "12", "part": "4", "revision": revision, "action": "submit"})
    db.session.expire_all()
    assert response_of(campaign, tree["school_a1"]).status == "resubmitted"

    login_as(client, municipal)
    client.post(review, data={"move": "accept", "comment": ""})
    assert counts(client, campaign, tree["mun_a"])["S-A1"]["accepted"] == "1"
    trail = client.get(review).get_data(as_text=True)
    assert trail.count('class="border-start') == 6  # save, submit, return, save, submit, accept

    login_as(client, region)
    assert counts(client, campaign)["M-A"]["accepted"] == "1"
    client.post(review, data={"move": "reopen", "comment": "Ошибка в разделе 11.6"})
    db.session.expire_all()
    reopened = response_of(campaign, tree["school_a1"])
    assert reopened.status == "returned" and reopened.review_comment == "Ошибка в разделе 11.6"
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "form_response", AuditEvent.object_id == reopened.id)
            .order_by(AuditEvent.id)
        )
    ]
    assert actions[-1] == "response.reopen"
    save = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "response.save").order_by(AuditEvent.id)
    )
    assert save.details["changes"]["total"] == [None, 10]


def test_a_municipality_sees_only_its_schools_and_cannot_run_the_campaign(
    client, tree, people, campaign
):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    login_as(client, people["municipal"])
    rows = counts(client, campaign)
    assert set(rows) == {"S-A1", "S-A2", "total"}
    assert client.post(f"/campaigns/{campaign.id}/state", data={"to": "closed"}).status_code in (
        403,
        404,
    )
    other = response_of(campaign, tree["school_b1"])
    assert client.get(f"/campaigns/{campaign.id}/responses/{other.id}").status_code in (403, 404)
    assert client.get(
        f"/campaigns/{campaign.id}/units/{tree['school_a1'].id}/extend"
    ).status_code in (
        403,
        404,
    )


@pytest.mark.parametrize("person", ["other_region", "school"])
def test_outsiders_do_not_see_the_campaign(client, tree, people, campaign, person):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    response = response_of(campaign, tree["school_a1"])
    login_as(client, people[person])
    for url in (
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/not-submitted.xlsx",
        f"/campaigns/{campaign.id}/responses/{response.id}",
    ):
        reply = client.get(url)
        assert reply.status_code in (403, 404), url
        assert campaign.title not in reply.get_data(as_text=True)


def test_a_school_cannot_open_another_schools_report(client, tree, people, campaign, make_user):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    other = make_user("school_respondent", tree["school_a2"])
    login_as(client, other)
    response = response_of(campaign, tree["school_a1"])
    assert client.get(f"/entry/response/{response.id}").status_code in (403, 404)
    assert client.post(
        f"/entry/response/{response.id}", data={"total": "1", "action": "save"}
    ).status_code in (403, 404)


def test_the_not_submitted_workbook_lists_contacts_and_keeps_text_as_text(
    client, tree, people, campaign, make_user
):
    tree["school_a2"].name = '=HYPERLINK("http://evil")'
    tree["school_a2"].contact_name = "Петрова Анна Сергеевна"
    tree["school_a2"].contact_email = "petrova@school2.example"
    tree["school_a2"].contact_phone = "+7 484 000-00-00"
    make_user(
        "school_respondent", tree["school_b1"], full_name="Сидоров Пётр", email="s@b1.example"
    )
    db.session.commit()
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Петрова Анна Сергеевна" in page and "Сидоров Пётр" in page
    reply = client.get(f"/campaigns/{campaign.id}/not-submitted.xlsx")
    assert reply.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(reply.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Мониторинг профориентации 2026" in rows[0][0]
    body = {row[0]: row for row in rows[2:]}
    assert set(body) == {"S-A1", "S-A2", "S-B1", "S-B2"}
    assert body["S-A2"][1] == '=HYPERLINK("http://evil")'
    assert sheet["B4"].data_type == "s"  # a string cell, not a formula
    assert body["S-A2"][5:] == (
        "Петрова Анна Сергеевна",
        "petrova@school2.example",
        "+7 484 000-00-00",
    )
    assert body["S-B1"][5] == "Сидоров Пётр" and body["S-B1"][6] == "s@b1.example"
    assert body["S-A1"][4] == datetime(2026, 5, 30, 23, 59)  # Moscow wall-clock time


def test_an_extension_from_the_page_is_audited(client, tree, people, campaign):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    url = f"/campaigns/{campaign.id}/units/{tree['school_a1'].id}/extend"
    kept = client.post(url, data={"until": "2026-06-05T18:00", "reason": ""})
    assert kept.status_code == 200 and "2026-06-05T18:00" in kept.get_data(as_text=True)
    assert (
        client.post(url, data={"until": "2026-06-05T18:00", "reason": "Карантин"}).status_code
        == 302
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.extend"))
    assert event.details["after"] == "2026-06-05T15:00:00+00:00"
    assert event.details["reason"] == "Карантин"


def test_a_city_department_runs_its_own_campaign_in_its_own_time_zone(
    client, make_unit, make_user, version
):
    """Omsk's order is a city's: the city department coordinates its schools, deadlines
    in Omsk time (UTC+6)."""
    region = make_unit("region", name="Омская область", code="55", timezone="Asia/Omsk")
    city = make_unit("municipality", region, name="Город Омск", code="55-OMSK")
    other = make_unit("municipality", region, name="Тарский район", code="55-TARA")
    for n in (1, 2):
        make_unit("school", city, name=f"БОУ г. Омска «СОШ № {n}»", code=f"55-OMSK-{n}")
    make_unit("school", other, name="БОУ «Тарская СОШ»", code="55-TARA-1")
    coordinator = make_user("regional_coordinator", city)
    login_as(client, coordinator)
    page = client.get("/campaigns/new").get_data(as_text=True)
    assert "Город Омск" in page and "Тарский район" not in page
    reply = client.post("/campaigns/new", data=form_data(version, owner=str(city.id)))
    assert reply.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.timezone == "Asia/Omsk"
    assert campaign.deadlines[0].due_at == datetime(2026, 5, 30, 17, 59, tzinfo=UTC)
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    codes = {r.unit.code for r in db.session.scalars(select(FormResponse))}
    assert codes == {"55-OMSK-1", "55-OMSK-2"}
    # Not the region's: the city's coordinator cannot make a campaign for all of it.
    refused = client.post("/campaigns/new", data=form_data(version, owner=str(region.id)))
    assert (
        refused.status_code == 200
        and db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    )


def test_a_form_asked_in_a_campaign_is_not_listed_again_outside_it(client, tree, people, campaign):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    login_as(client, people["school"])
    page = client.get("/entry/").get_data(as_text=True)
    assert 'data-testid="tasks"' in page and 'data-testid="assignments"' not in page


def test_a_municipality_downloads_the_list_of_its_own_schools(client, tree, people, campaign):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    login_as(client, people["municipal"])
    reply = client.get(f"/campaigns/{campaign.id}/not-submitted.xlsx")
    assert reply.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(reply.data)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[2:]) == ["S-A1", "S-A2"]
    outside = client.get(f"/campaigns/{campaign.id}/not-submitted.xlsx?unit={tree['mun_b'].id}")
    assert outside.status_code == 404


def test_a_coordinator_of_two_municipalities_gets_both_and_the_region_crumb_works(
    client, tree, people, campaign, make_user
):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    both = make_user("municipal_coordinator", tree["mun_a"])
    both.roles.append(RoleAssignment(role="municipal_coordinator", unit=tree["mun_b"]))
    db.session.commit()
    login_as(client, both)
    reply = client.get(f"/campaigns/{campaign.id}/not-submitted.xlsx")
    assert reply.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(reply.data)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[2:]) == ["S-A1", "S-A2", "S-B1", "S-B2"]
    region_view = counts(client, campaign, tree["region"])
    assert set(region_view) == {"M-A", "M-B", "total"}
    # The single-municipality coordinator reaches the region crumb too, cut to their schools.
    login_as(client, people["municipal"])
    assert set(counts(client, campaign, tree["region"])) == {"M-A", "total"}


def test_a_refused_state_change_is_explained_in_russian(client, campaign):
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "closed"})
    page = client.post(
        f"/campaigns/{campaign.id}/state", data={"to": "closed"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Кампания сейчас в состоянии «закрыта»: перевести её в состояние «закрыта» нельзя." in (
        page
    )


def test_a_submit_sent_again_after_it_was_taken_says_it_was_submitted(
    client, tree, people, campaign
):
    """The reply to a submit was lost and the browser sends the same page again: the
    school reads that its report is submitted, not that it cannot be changed; a send with
    other values is still refused with that message, and nothing changes."""
    client.post(f"/campaigns/{campaign.id}/state", data={"to": "open"})
    response = response_of(campaign, tree["school_a1"])
    login_as(client, people["school"])
    url = f"/entry/response/{response.id}"
    sent = {"total": "10", "part": "4", "revision": "0", "action": "submit"}
    assert client.post(url, data=sent).status_code == 302
    db.session.expire_all()
    assert response_of(campaign, tree["school_a1"]).status == "submitted"
    again = client.post(url, data=sent, follow_redirects=True).get_data(as_text=True)
    assert 'alert-success" role="alert">Отчёт отправлен.' in again
    # (The page always holds the hidden notice of answers not to be sent: an alert-warning.)
    assert 'role="alert">Сейчас этот отчёт нельзя изменить' not in again
    other = client.post(url, data={**sent, "total": "11"}, follow_redirects=True)
    assert 'alert-warning" role="alert">Сейчас этот отчёт нельзя изменить.' in other.get_data(
        as_text=True
    )
    db.session.expire_all()
    kept = response_of(campaign, tree["school_a1"])
    assert kept.answers["total"] == 10 and kept.status == "submitted"
