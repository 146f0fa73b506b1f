"""The surveys of the documents answered through a school's link on a phone-sized
window: the Tomsk parent poll (7.2), the Tomsk teacher professional-needs survey, and the
Nevinnomyssk pupils' and parents' satisfaction polls. Each is answered twice: with
scripts, follow-up questions appear as the answers open them (collector/static/
live-form.js); without, the page asks for them after a send, the answers kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def answer_on_a_phone(browser, server, token: str, steps, *follow_ups, scripts: bool) -> None:
    """Answer, send; when the answers open more questions, answer those and send again
    (once per follow-up step). With scripts the follow-up questions are answered on the
    same page, as they appear, and the page is sent once."""
    context = browser.new_context(**PHONE, java_script_enabled=scripts)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/s/{token}")
        assert fits_the_width(page)
        steps(page)
        for follow_up in follow_ups:
            if not scripts:
                with page.expect_navigation():
                    page.get_by_role("button", name="Отправить").click()
                expect(page.get_by_test_id("more-questions")).to_be_visible()
            assert fits_the_width(page)
            follow_up(page)
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


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_parent_answers_the_tomsk_poll(browser, server, tree, people, scripts):
    campaign = campaign_for("tomsk-2022-parent-poll", tree, people)

    def steps(page):
        assert page.locator("#field-helped").is_hidden()  # asked only once it applies
        page.locator("#field-grade").get_by_label("10 класс").check()
        page.locator("#field-profile_choice").get_by_label(
            "Выбор предпрофиля/профиля обучения был организован"
        ).check()

    def follow_up(page):
        # The answers given so far are still there; the follow-up question is new.
        assert page.locator("#field-grade").get_by_label("10 класс").is_checked()
        page.locator("#field-helped input[type=checkbox]").first.check()

    answer_on_a_phone(
        browser,
        server,
        link_of(campaign, tree["school_a1"]).token,
        steps,
        follow_up,
        scripts=scripts,
    )
    answers = stored_answers(campaign)
    assert answers["profile_choice"] == "organised" and answers["grade"] == "10"
    assert len(answers["helped"]) == 1


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_pupil_answers_the_nevinnomyssk_satisfaction_poll(browser, server, tree, people, scripts):
    campaign = campaign_for("nevinnomyssk-2020-pupil-satisfaction", tree, people)

    def steps(page):
        page.locator("#field-grade").get_by_label("8 класс").check()
        page.locator("#field-took_part").get_by_label(
            "Экскурсии на предприятия, в колледжи, вузы, дни открытых дверей"
        ).check()
        # Asked once it applies: at once with scripts, after a send without.
        assert page.locator("#field-practice").is_visible() is scripts
        for field, point in (("info", "4"), ("choice_help", "4"), ("overall", "5")):
            page.locator(f"#field-{field} input[value='{point}']").check()

    def follow_up(page):
        assert page.locator("#field-meetings_rating").is_hidden()  # no meetings ticked
        assert page.locator("#field-overall input[value='5']").is_checked()  # kept
        page.locator("#field-practice input[value='5']").check()

    answer_on_a_phone(
        browser,
        server,
        link_of(campaign, tree["school_a1"]).token,
        steps,
        follow_up,
        scripts=scripts,
    )
    answers = stored_answers(campaign)
    assert answers["overall"] == "5"  # a verbal scale keeps its option values
    assert answers["grade"] == "8" and "meetings_rating" not in answers


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_mathematics_teacher_answers_the_tomsk_needs_survey(
    browser, server, tree, people, scripts
):
    campaign = campaign_for("tomsk-2022-teacher-needs", tree, people)

    def steps(page):
        # Only the questions about the respondent at first: the items depend on the group.
        assert page.locator("#field-math_profile").is_hidden()
        page.locator("#field-group").get_by_label("Учителя математики").check()
        page.locator("#field-experience").get_by_label("11–20 лет").check()

    def items(page):
        # The mathematics items and module 5, none of the other groups' items.
        assert page.locator("#field-uvr_profile").is_hidden()
        assert page.locator("#field-physics_profile").is_hidden()
        assert page.locator("#field-group").get_by_label("Учителя математики").is_checked()
        page.locator("#field-math_profile").get_by_label("в значительной степени").check()
        page.locator("#field-math_individual").get_by_label("частично").check()
        page.locator("#field-math_ovz").get_by_label("не испытываю потребности").check()
        for field in ("teaches_soo", "class_teacher_soo", "method_recommendations"):
            page.locator(f"#field-{field} input[value='yes']").check()

    def module_5(page):
        # Teaching in grades 10–11 and leading a class there open their questions.
        page.locator("#field-proektoria input[value='yes']").check()
        page.locator("#field-support_program").get_by_label("Да").check()
        page.locator("#field-ovz_difficulty input").first.check()
        page.locator("#field-career_involved input[value='yes']").check()
        page.locator("#field-thematic_courses input[value='no']").check()
        page.locator("#field-other_needs textarea").fill("Курсы по проектной деятельности")

    answer_on_a_phone(
        browser,
        server,
        link_of(campaign, tree["school_a1"]).token,
        steps,
        items,
        module_5,
        scripts=scripts,
    )
    answers = stored_answers(campaign)
    assert answers["group"] == "math" and answers["math_profile"] == "significant"
    assert answers["math_ovz"] == "none" and answers["ovz_difficulty"] == "no_difficulty"
    assert answers["proektoria"] is True and answers["thematic_courses"] is False
    assert answers["other_needs"] == "Курсы по проектной деятельности"
    assert not any(key.startswith(("uvr_", "physics_")) for key in answers)


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_parent_answers_the_nevinnomyssk_satisfaction_poll(
    browser, server, tree, people, scripts
):
    campaign = campaign_for("nevinnomyssk-2020-parent-satisfaction", tree, people)

    def steps(page):
        page.locator("#field-grade").get_by_label("9 класс").check()
        page.locator("#field-took_part").get_by_label("Встречи с представителями профессий").check()
        for field, point in (("info", "3"), ("choice_help", "4"), ("overall", "4")):
            page.locator(f"#field-{field} input[value='{point}']").check()

    def follow_up(page):
        assert page.locator("#field-practice").is_hidden()  # no excursions or trials
        assert page.locator("#field-info input[value='3']").is_checked()
        page.locator("#field-meetings_rating input[value='5']").check()

    answer_on_a_phone(
        browser,
        server,
        link_of(campaign, tree["school_a1"]).token,
        steps,
        follow_up,
        scripts=scripts,
    )
    answers = stored_answers(campaign)
    assert answers["overall"] == "4" and answers["meetings_rating"] == "5"
    assert answers["took_part"] == ["meetings"] and "practice" not in answers
