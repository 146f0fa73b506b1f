"""A parent answers a survey through a school's link on a phone-sized window: no
account, no sideways scrolling, a missing answer is pointed out with the rest kept,
the answer counts for the school, and the same phone cannot answer twice."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.surveys.test_survey_links import link_of, make_survey

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ru-RU",
}


def fits_the_width(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_parent_answers_on_a_phone(browser, server, tree, people):
    campaign = make_survey(tree, people)
    token = link_of(campaign, tree["school_a1"]).token
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/s/{token}")
        expect(page.get_by_text("МКОУ «СОШ № 1»")).to_be_visible()
        expect(page.get_by_text("Опрос анонимный")).to_be_visible()
        assert fits_the_width(page)
        page.get_by_label("9 класс").check()
        page.get_by_label("Комментарий").fill("Профориентационные пробы понравились")
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        # The profile question was skipped: it is marked, the rest is kept.
        expect(page.get_by_test_id("error-summary")).to_be_visible()
        assert page.get_by_label("9 класс").is_checked()
        assert page.get_by_label("Комментарий").input_value() == (
            "Профориентационные пробы понравились"
        )
        page.get_by_label("Выбор профиля был организован").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Отправить").click()
        expect(page.get_by_test_id("thanks")).to_contain_text("Спасибо")
        assert fits_the_width(page)
        page.goto(f"{server.url}/s/{token}")
        expect(page.get_by_test_id("thanks")).to_contain_text("уже получен")
    finally:
        context.close()
    db.session.expire_all()
    [answer] = db.session.scalars(select(FormResponse))
    assert answer.unit_id == tree["school_a1"].id
    assert answer.answers == {
        "grade": "9",
        "organised": "yes",
        "comment": "Профориентационные пробы понравились",
    }
