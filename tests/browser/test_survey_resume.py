"""A survey answered in pieces (issue 27): what a teacher types is kept in the browser
under the link and the form version (collector/static/entry.js), restored when the link is
opened again after the tab was closed, never stored on the server before it is sent, and
cleared once the answer is received. A survey whose schema asks for pages shows one
section at a time under the progress bar."""

from __future__ import annotations

import copy
import json

from playwright.sync_api import expect
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import FormResponse
from tests.browser.test_document_surveys_phone import SCHEMAS
from tests.browser.test_parent_survey_phone import PHONE
from tests.campaigns.factories import new_campaign
from tests.surveys.test_survey_links import link_of

NEEDS = json.loads((SCHEMAS / "tomsk-2022-teacher-needs.json").read_text(encoding="utf-8"))


def needs_campaign(tree, people, paged: bool = False):
    from datetime import datetime

    document = copy.deepcopy(NEEDS)
    if paged:
        document["respondents"]["section_pages"] = True
    return new_campaign(
        tree, people, deadline=datetime(2027, 8, 31, 23, 59), document=document, opened=True
    )


def stored(campaign) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(FormResponse)
        .where(FormResponse.campaign_id == campaign.id)
    )


def first_half(page) -> None:
    page.locator("#field-group").get_by_label("Учителя математики").check()
    page.locator("#field-experience").get_by_label("11–20 лет").check()
    page.locator("#field-math_profile").get_by_label("в значительной степени").check()
    page.locator("#field-math_individual").get_by_label("частично").check()


def second_half(page) -> None:
    page.locator("#field-math_ovz").get_by_label("не испытываю потребности").check()
    for field in ("teaches_soo", "class_teacher_soo", "method_recommendations"):
        page.locator(f"#field-{field} input[value='yes']").check()
    page.locator("#field-proektoria input[value='yes']").check()
    page.locator("#field-support_program").get_by_label("Да").check()
    page.locator("#field-ovz_difficulty input").first.check()
    page.locator("#field-career_involved input[value='yes']").check()
    page.locator("#field-thematic_courses input[value='no']").check()


def test_a_teacher_closes_the_tab_half_way_and_finds_the_answers(browser, server, tree, people):
    campaign = needs_campaign(tree, people)
    url = f"{server.url}/s/{link_of(campaign, tree['school_a1']).token}"
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(url)
        first_half(page)
        page.locator("#field-other_needs textarea").fill("Курсы по проектной деятельности")
        page.close()  # the tab is closed; nothing was sent
        assert stored(campaign) == 0

        page = context.new_page()
        page.goto(url)
        expect(page.get_by_test_id("kept-state")).to_contain_text("восстановлены")
        group = page.locator("#field-group").get_by_label("Учителя математики")
        expect(group).to_be_checked()
        expect(page.locator("#field-experience").get_by_label("11–20 лет")).to_be_checked()
        # The questions the restored answers open are shown again, with their answers.
        expect(page.locator("#field-math_profile")).to_be_visible()
        expect(
            page.locator("#field-math_profile").get_by_label("в значительной степени")
        ).to_be_checked()
        expect(page.locator("#field-math_individual").get_by_label("частично")).to_be_checked()
        expect(page.locator("#field-other_needs textarea")).to_have_value(
            "Курсы по проектной деятельности"
        )
        # group, experience, two mathematics items and the free text.
        expect(page.get_by_test_id("progress")).to_contain_text("Отвечено: 5 из")
        assert stored(campaign) == 0

        second_half(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
        assert stored(campaign) == 1
        kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('survey:'))")
        assert kept == []  # received: the browser's copy is gone

        # The link opened again (the survey takes several answers from one browser): a
        # fresh page, nothing restored.
        page.goto(url)
        expect(page.locator("#field-group").get_by_label("Учителя математики")).not_to_be_checked()
        expect(page.get_by_test_id("kept-state")).to_have_text("")
    finally:
        context.close()


def test_a_paged_survey_shows_one_section_at_a_time(browser, server, tree, people):
    campaign = needs_campaign(tree, people, paged=True)
    url = f"{server.url}/s/{link_of(campaign, tree['school_a1']).token}"
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(url)
        send = page.get_by_role("button", name="Отправить")
        forward = page.get_by_role("button", name="Следующий раздел")
        back = page.get_by_role("button", name="Назад")
        pages = page.get_by_test_id("survey-pages")
        # The first page: who answers; no way back, nothing to send yet.
        expect(pages).to_contain_text("Страница 1 из")
        expect(page.locator("#field-group")).to_be_visible()
        expect(send).to_be_hidden()
        expect(back).to_be_hidden()
        page.locator("#field-group").get_by_label("Учителя математики").check()
        page.locator("#field-experience").get_by_label("11–20 лет").check()
        # The mathematics section, module 5 and the free text: four pages.
        expect(pages).to_contain_text("Страница 1 из 4")
        forward.click()
        expect(pages).to_contain_text("Страница 2 из 4")
        expect(page.locator("#field-group")).to_be_hidden()
        expect(page.locator("#field-math_profile")).to_be_visible()
        page.locator("#field-math_profile").get_by_label("в значительной степени").check()
        page.locator("#field-math_individual").get_by_label("частично").check()
        page.locator("#field-math_ovz").get_by_label("не испытываю потребности").check()
        # The progress counts the whole survey.
        expect(page.get_by_test_id("progress")).to_contain_text("Отвечено: 5 из")
        back.click()
        expect(pages).to_contain_text("Страница 1 из 4")
        expect(page.locator("#field-group").get_by_label("Учителя математики")).to_be_checked()
        forward.click()
        forward.click()
        expect(pages).to_contain_text("Страница 3 из 4")
        for field in ("teaches_soo", "class_teacher_soo", "method_recommendations"):
            page.locator(f"#field-{field} input[value='yes']").check()
        page.locator("#field-proektoria input[value='yes']").check()
        page.locator("#field-support_program").get_by_label("Да").check()
        page.locator("#field-ovz_difficulty input").first.check()
        page.locator("#field-career_involved input[value='yes']").check()
        page.locator("#field-thematic_courses input[value='no']").check()
        forward.click()
        expect(pages).to_contain_text("Страница 4 из 4")
        expect(forward).to_be_hidden()
        with page.expect_navigation():
            send.click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
        assert stored(campaign) == 1
    finally:
        context.close()
