"""A parent answers the Tomsk parent poll on a 390 × 844 phone (issue 24): nothing scrolls
sideways, every option is a target at least 44 px high, and the page says how many of the
questions asked are answered, as the parent answers (with scripts) or after a send
(without)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_live_conditions import ORGANISED, poll_link
from tests.browser.test_parent_survey_phone import PHONE, fits_the_width

MIN_TARGET = 44


def target_heights(page: Any) -> list[float]:
    """The heights of the visible options' targets (a label with its box, which a tap on
    either answers)."""
    heights: list[float] = page.evaluate(
        """() => [...document.querySelectorAll('#survey-form .form-check')]
            .filter(o => o.offsetParent !== null)
            .map(o => Math.min(o.getBoundingClientRect().height,
                               o.querySelector('label').getBoundingClientRect().height))"""
    )
    return heights


def test_the_parent_poll_on_a_phone(browser, server, tree, people):
    token = poll_link(tree, people)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    progress = page.get_by_test_id("progress")
    try:
        page.goto(f"{server.url}/s/{token}")
        assert fits_the_width(page)
        heights = target_heights(page)
        assert len(heights) == 8  # four grades, four answers about the profile
        assert min(heights) >= MIN_TARGET, heights
        # Three questions asked at first (the follow-up waits for its answer).
        expect(progress).to_contain_text("Отвечено: 0 из 3")
        page.get_by_label("9 класс").tap()
        expect(page.get_by_label("9 класс")).to_be_checked()
        expect(progress).to_contain_text("Отвечено: 1 из 3")
        page.get_by_label(ORGANISED).tap()
        # The follow-up question is asked now: one more to answer.
        expect(progress).to_contain_text("Отвечено: 2 из 4")
        assert page.locator("[data-testid=progress] progress").evaluate(
            "p => [p.value, p.max]"
        ) == [2, 4]
        assert fits_the_width(page)
        heights = target_heights(page)
        assert len(heights) == 8 + 7 and min(heights) >= MIN_TARGET, heights
        page.locator("#field-helped input[type=checkbox]").first.tap()
        expect(progress).to_contain_text("Отвечено: 3 из 4")
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").tap()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    finally:
        context.close()


def test_the_progress_without_scripts_is_the_servers(browser, server, tree, people):
    token = poll_link(tree, people)
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    progress = page.get_by_test_id("progress")
    try:
        page.goto(f"{server.url}/s/{token}")
        expect(progress).to_contain_text("Отвечено: 0 из 3")
        page.get_by_label("9 класс").check()
        page.get_by_label(ORGANISED).check()
        expect(progress).to_contain_text("Отвечено: 0 из 3")  # nothing counts by itself
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("more-questions")).to_be_visible()
        expect(progress).to_contain_text("Отвечено: 2 из 4")
        assert fits_the_width(page)
        assert min(target_heights(page)) >= MIN_TARGET
    finally:
        context.close()
