"""The surveys of the documents answered through a school's link on a phone-sized
window: the Tomsk parent poll (7.2) and the Nevinnomyssk pupils' satisfaction poll."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.browser.test_parent_survey_phone import PHONE, fits_the_width
from tests.campaigns.factories import new_campaign
from tests.surveys.test_survey_links import link_of

SCHEMAS = Path(__file__).resolve().parents[2] / "form_schemas"


def campaign_for(name: str, tree, people):
    from datetime import datetime

    document = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return new_campaign(
        tree, people, deadline=datetime(2027, 8, 31, 23, 59), document=document, opened=True
    )


def answer_on_a_phone(browser, server, token: str, steps) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/s/{token}")
        assert fits_the_width(page)
        steps(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    finally:
        context.close()


def stored_answers(campaign) -> dict:
    db.session.expire_all()
    [answer] = db.session.scalars(
        select(FormResponse).where(FormResponse.campaign_id == campaign.id)
    )
    return answer.answers


def test_a_parent_answers_the_tomsk_poll(browser, server, tree, people):
    campaign = campaign_for("tomsk-2022-parent-poll", tree, people)

    def steps(page):
        page.locator("#field-grade").get_by_label("10 класс").check()
        page.locator("#field-profile_choice").get_by_label(
            "Выбор предпрофиля/профиля обучения был организован"
        ).check()

    answer_on_a_phone(browser, server, link_of(campaign, tree["school_a1"]).token, steps)
    answers = stored_answers(campaign)
    assert answers["profile_choice"] == "organised" and answers["grade"] == "10"


def test_a_pupil_answers_the_nevinnomyssk_satisfaction_poll(browser, server, tree, people):
    campaign = campaign_for("nevinnomyssk-2020-pupil-satisfaction", tree, people)

    def steps(page):
        page.locator("#field-grade").get_by_label("8 класс").check()
        page.locator("#field-took_part").get_by_label(
            "Экскурсии на предприятия, в колледжи, вузы, дни открытых дверей"
        ).check()
        for field, point in (
            ("info", "4"),
            ("practice", "5"),
            ("choice_help", "4"),
            ("overall", "5"),
        ):
            page.locator(f"#field-{field} input[value='{point}']").check()

    answer_on_a_phone(browser, server, link_of(campaign, tree["school_a1"]).token, steps)
    answers = stored_answers(campaign)
    assert answers["overall"] == "5"  # a verbal scale keeps its option values
    assert answers["grade"] == "8" and "meetings_rating" not in answers
