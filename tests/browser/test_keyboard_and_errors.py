"""WCAG 2.1 AA behaviours (issue 24): a skip link first; each refused answer linked to its
message (aria-invalid, aria-describedby) on data entry, survey and designer pages; after a
refused send or save the focus is on the summary at the top, whose links lead into the
fields; a parent answers and sends a survey with the keyboard alone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.browser.test_designer_survey import add_field
from tests.browser.test_live_conditions import open_kaluga_report
from tests.browser.test_login_menus import log_in
from tests.surveys.test_survey_links import link_of, make_survey


def focused(page: Any, script: str) -> Any:
    """`script` applied to the focused element (`el`)."""
    return page.evaluate(f"() => {{ const el = document.activeElement; return {script}; }}")


def tab_to(page: Any, script: str, limit: int = 30) -> None:
    """Tab on until the focused element satisfies `script`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, script):
            return
    raise AssertionError(f"no focus reached {script!r} in {limit} tabs")


def messages_of(control: Any) -> list[str]:
    """The texts that a control's aria-describedby names."""
    texts: list[str] = control.evaluate(
        """el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(node => node.textContent.trim())"""
    )
    return texts


def test_a_parent_answers_a_survey_with_the_keyboard(page, server, tree, people):
    campaign = make_survey(tree, people)
    page.goto(f"{server.url}/s/{link_of(campaign, tree['school_a1']).token}")

    # The skip link comes first, shows when focused, and leads into the page's content.
    page.keyboard.press("Tab")
    assert focused(page, "el.dataset.testid") == "skip-link"
    expect(page.get_by_test_id("skip-link")).to_have_text("Перейти к содержанию")
    expect(page.get_by_test_id("skip-link")).to_be_visible()
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "content"

    # The grade: arrows pick an option in the group.
    tab_to(page, "el.name === 'grade'")
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("9 класс")).to_be_checked()
    # The profile question is left out; a box is ticked with the space bar.
    tab_to(page, "el.name === 'helped'")
    page.keyboard.press("Space")
    expect(page.get_by_label("Тесты")).to_be_checked()
    tab_to(page, "el.name === 'comment'")
    page.keyboard.type("Понравились пробы")
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Refused: the focus is on the summary, which names the question and links to it.
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Был ли организован выбор профиля?")
    expect(link).to_be_visible()
    option = page.get_by_label("Выбор профиля был организован")
    expect(option).to_have_attribute("aria-invalid", "true")
    [message] = messages_of(option)
    assert message and message in summary.inner_text()
    assert page.get_by_label("9 класс").get_attribute("aria-invalid") is None
    expect(page.get_by_label("Комментарий")).to_have_value("Понравились пробы")

    # Its link puts the focus into the question; space answers it; Enter sends.
    tab_to(page, "el.tagName === 'A' && el.closest('[data-error-summary]') !== null")
    page.keyboard.press("Enter")
    expect(option).to_be_focused()
    page.keyboard.press("Space")
    expect(option).to_be_checked()
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
    db.session.expire_all()
    [answer] = db.session.scalars(select(FormResponse))
    assert answer.answers == {
        "grade": "9",
        "organised": "yes",
        "helped": ["tests"],
        "comment": "Понравились пробы",
    }


def test_a_refused_save_in_data_entry_is_linked_to_its_field(page, server, app):
    open_kaluga_report(page, server)
    total = page.get_by_label("Публикации в СМИ по профориентации, всего, ед.")
    total.fill("3")
    district = page.get_by_label("из них в районных СМИ, ед.")
    district.fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    refused = page.locator("[aria-invalid=true]")
    expect(refused.first).to_be_visible()
    for n in range(refused.count()):
        messages = messages_of(refused.nth(n))
        assert messages and all(messages), refused.nth(n).get_attribute("name")
        assert any("больше" in m for m in messages)
    assert total.get_attribute("aria-invalid") is None


def test_a_refused_question_in_the_designer_is_linked_to_its_field(page, server, tree, people):
    page.set_viewport_size({"width": 1400, "height": 1000})
    log_in(page, server.url, "region")
    page.goto(server.url + "/designer/")
    new = page.get_by_test_id("new-form")
    new.locator("input[name=id]").fill("pupil-trials-2026")
    new.locator("input[name=title]").fill("Профессиональные пробы глазами учеников")
    new.locator("select[name=kind]").select_option("survey")
    with page.expect_navigation():
        new.get_by_test_id("start").click()
    add_field(page, 0, "single_choice")
    field_id = page.locator("input[name=id]")
    field_id.fill("")
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    expect(field_id).to_have_attribute("aria-invalid", "true")
    assert messages_of(field_id) and all(messages_of(field_id))
