"""A registry campaign: each school confirms its records as of that moment; the
campaign's indicators count the confirmed records (a school confirming none counts 0, one
that has not confirmed is no data), and later edits of the registry do not change what
was confirmed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collector.campaigns.lifecycle import Move
from collector.campaigns.services import move_response
from collector.entry.services import open_campaign_entry
from collector.extensions import db
from collector.models import FormResponse
from collector.registries import services
from collector.reports.services import Basis, campaign_report
from tests.conftest import login_as
from tests.registries.fixtures import passport, registry_campaign
from tests.reports.test_exports import export_file, indicator_cells, workbook_of


@pytest.fixture
def campaign(app, tree, people):
    return registry_campaign(tree, people, "Подтверждение реестра профильных классов")


def response_of(campaign, unit) -> FormResponse:
    return db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )


def confirm(people, user, campaign, unit):
    entry = open_campaign_entry(db.session, people[user], response_of(campaign, unit).id)
    problems = services.confirm_records(db.session, people[user], entry)
    db.session.commit()
    return problems


def test_confirmed_records_are_what_the_indicators_count(campaign, tree, people, make_user):
    kept = services.registry(db.session, "test-classes")
    for name, profile, pupils in (("10 «А»", "tech", 25), ("10 «Б»", "science", 20)):
        services.create_record(
            db.session,
            people["school"],
            kept,
            tree["school_a1"],
            passport(name, profile, pupils),
            True,
        )
    db.session.commit()
    assert confirm(people, "school", campaign, tree["school_a1"]) == []
    # School A2 has no profile classes and says so.
    a2 = make_user("school_respondent", tree["school_a2"], username="school-a2")
    people["a2"] = a2
    assert confirm(people, "a2", campaign, tree["school_a2"]) == []

    confirmed = response_of(campaign, tree["school_a1"])
    assert confirmed.status == "submitted"
    assert [r["_title"] for r in confirmed.answers["records"]] == ["10 «А»", "10 «Б»"]

    # Edited after the confirmation: the campaign keeps what was confirmed.
    record = services.unit_records(db.session, "test-classes", tree["school_a1"].id)[0]
    services.edit_record(
        db.session, people["school"], kept, record, passport("10 «А»", pupils=30), True, 1
    )
    db.session.commit()

    report = campaign_report(db.session, people["region"], campaign, Basis.SUBMITTED, stored=False)
    value = lambda indicator, unit: report.value(indicator, tree[unit].id).value  # noqa: E731
    assert value("classes", "school_a1") == 2
    assert value("tech_classes", "school_a1") == 1
    assert value("pupils_total", "school_a1") == 45  # 25 + 20 as confirmed, not 30 + 20
    assert value("classes", "school_a2") == 0  # confirmed: no classes
    assert value("pupils_total", "school_a2") == 0
    assert report.value("classes", tree["school_b1"].id).status == "no_data"  # not confirmed
    assert value("classes", "mun_a") == 2 and value("classes", "region") == 2
    assert report.value("classes", tree["region"].id).answered == 2


def test_the_confirmation_page_lists_the_records_and_confirms_them(campaign, tree, people, client):
    kept = services.registry(db.session, "test-classes")
    services.create_record(
        db.session, people["school"], kept, tree["school_a1"], passport("11 «А»"), True
    )
    db.session.commit()
    login_as(client, people["school"])
    response_id = response_of(campaign, tree["school_a1"]).id
    # Data entry sends a registry campaign's report to the registries' confirmation page.
    assert client.get(f"/entry/response/{response_id}").location.endswith(
        f"/registries/responses/{response_id}/confirm"
    )
    url = f"/registries/responses/{response_id}/confirm"
    page = client.get(url).get_data(as_text=True)
    assert "11 «А»" in page and 'data-testid="confirm-records"' in page
    assert client.post(url).status_code == 302
    after = client.get(url).get_data(as_text=True)
    assert 'data-testid="confirmed"' in after and 'data-testid="confirm-records"' not in after
    assert response_of(campaign, tree["school_a1"]).answers["records"][0]["class_name"] == "11 «А»"


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_campaign_workbook_lists_the_confirmed_records(campaign, tree, people, client):
    kept = services.registry(db.session, "test-classes")
    for name in ("10 «А»", "11 «А»"):
        services.create_record(
            db.session, people["school"], kept, tree["school_a1"], passport(name), True
        )
    db.session.commit()
    confirm(people, "school", campaign, tree["school_a1"])
    move_response(
        db.session, people["region"], response_of(campaign, tree["school_a1"]), Move.ACCEPT
    )
    db.session.commit()
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    rows = list(book["Подтверждённые записи"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [("S-A1", "10 «А»"), ("S-A1", "11 «А»")]
    cells = indicator_cells(book)
    assert cells[("classes", "Регион", "Калужская область")] == 2
    assert cells[("pupils_total", "Организация", "МКОУ «СОШ № 1»")] == 50  # 25 + 25


def test_the_reviewer_reads_the_confirmed_records(campaign, tree, people, client):
    kept = services.registry(db.session, "test-classes")
    services.create_record(
        db.session,
        people["school"],
        kept,
        tree["school_a1"],
        passport("10 «А»", customer="ТПУ"),
        True,
    )
    db.session.commit()
    confirm(people, "school", campaign, tree["school_a1"])
    login_as(client, people["municipal"])
    response = response_of(campaign, tree["school_a1"])
    page = client.get(f"/campaigns/{campaign.id}/responses/{response.id}").get_data(as_text=True)
    table = page[page.index('data-testid="confirmed-records"') :]
    assert "10 «А»" in table and "ТПУ" in table and "Технологический" in table
    assert "Записи реестра подтверждены" in page  # the trail names the confirmation


def test_only_the_units_people_confirm_its_records(campaign, tree, people, client, make_user):
    """The confirmation pages check scope as data entry does: another school's user and a
    coordinator elsewhere neither see nor confirm them (404/403), and nothing is kept."""
    from collector.models import Role

    kept = services.registry(db.session, "test-classes")
    services.create_record(
        db.session, people["school"], kept, tree["school_a1"], passport("11 «А»"), True
    )
    db.session.commit()
    response_id = response_of(campaign, tree["school_a1"]).id
    strangers = [
        make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="neighbour"),
        people["other_region"],
    ]
    urls = [
        f"/registries/responses/{response_id}/confirm",
        f"/registries/test-classes/units/{tree['school_a1'].id}/confirm",
    ]
    for user in strangers:
        login_as(client, user)
        for url in urls:
            assert client.get(url).status_code in (403, 404), (user.username, url)
            assert client.post(url).status_code in (403, 404), (user.username, url)
    db.session.expire_all()
    assert "records" not in response_of(campaign, tree["school_a1"]).answers
    login_as(client, people["school"])
    assert client.get(urls[0]).status_code == 200


def test_an_expired_token_on_the_confirmation_says_so_on_the_page(campaign, tree, people, make_app):
    """The confirmation checks its own token, as data entry does: a page left open past
    the token's life comes back with a message, not the 400 error page, and nothing is
    confirmed."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_as(client, people["school"])
    response_id = response_of(campaign, tree["school_a1"]).id
    page = client.post(
        f"/registries/responses/{response_id}/confirm", data={"csrf_token": "expired"}
    )
    assert page.status_code == 200
    assert "Страница была открыта слишком долго" in page.get_data(as_text=True)
    db.session.expire_all()
    assert "records" not in response_of(campaign, tree["school_a1"]).answers
