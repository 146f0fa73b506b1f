"""axe-core over the pages of issue 24 (WCAG 2.1 A and AA): the login, the start page,
data entry (the Kaluga school report, refused save included), a survey link (the Tomsk
parent poll, refused send included), a review, a campaign report (and a page of its
units below, with the pager) and the designer. No serious or critical violation on any
of them; lesser ones are printed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from collector.reports import unit_pages
from tests.browser.accessibility import assert_accessible
from tests.browser.test_designer_survey import add_field
from tests.browser.test_live_conditions import open_kaluga_report, poll_link
from tests.browser.test_login_menus import log_in
from tests.reports.fixtures import answered_campaign


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """As conftest's page, but the app's Content-Security-Policy (script-src 'self') lets
    the test inject axe: the pages' own scripts are unchanged."""
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_login_and_start_pages(page, server, tree, people):
    page.goto(server.url + "/login")
    assert_accessible(page, "the login page")
    page.get_by_label("Логин").fill("region")
    page.get_by_label("Пароль").fill("wrong password")
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert_accessible(page, "a refused login")
    log_in(page, server.url, "region")
    assert_accessible(page, "the start page")


def test_kaluga_data_entry(page, server, app):
    open_kaluga_report(page, server)
    page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").wait_for()
    assert_accessible(page, "the Kaluga school report")
    page.get_by_label("Публикации в СМИ по профориентации, всего, ед.").fill("3")
    page.get_by_label("из них в районных СМИ, ед.").fill("5")
    # Messages shown as the user types (linked to their fields) and the totals.
    page.locator("[data-testid=live-rule]").wait_for()
    page.get_by_label("Школьный уровень, Количество, ед.").first.fill("2")
    page.locator('[data-derived="experience_events.count"]').wait_for()
    assert_accessible(page, "live rule messages and totals in the Kaluga school report")
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    page.get_by_test_id("error-summary").wait_for()
    assert_accessible(page, "a refused save of the Kaluga school report")


def test_parent_poll_survey_page(page, server, tree, people):
    token = poll_link(tree, people)
    page.goto(f"{server.url}/s/{token}")
    assert_accessible(page, "the parent poll")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить").click()
    page.get_by_test_id("error-summary").wait_for()
    assert_accessible(page, "a refused send of the parent poll")


def test_review_and_report_pages(page, server, tree, people, monkeypatch):
    campaign = answered_campaign(tree, people)
    submitted = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.status == "submitted"
        )
    )
    log_in(page, server.url, "region")
    page.goto(f"{server.url}/campaigns/{campaign.id}")
    assert_accessible(page, "the campaign page")
    page.goto(f"{server.url}/campaigns/{campaign.id}/responses/{submitted.id}")
    assert_accessible(page, "the review page")
    page.goto(f"{server.url}/campaigns/{campaign.id}")
    with page.expect_navigation():
        page.get_by_test_id("report-link").click()
    page.get_by_test_id("indicators").wait_for()
    assert_accessible(page, "the campaign report")
    # Its second page of the units below, with the pager (a unit to a page: issue 22).
    monkeypatch.setattr(unit_pages, "UNITS_PER_PAGE", 1)
    page.goto(f"{server.url}/reports/campaigns/{campaign.id}?units_page=2")
    page.get_by_test_id("units-pager").first.wait_for()
    assert_accessible(page, "a page of the units below with its pager")


def test_designer_pages(page, server, tree, people):
    log_in(page, server.url, "region")
    page.goto(server.url + "/designer/")
    assert_accessible(page, "the designer's list")
    new = page.get_by_test_id("new-form")
    new.locator("input[name=id]").fill("pupil-trials-2026")
    new.locator("input[name=title]").fill("Профессиональные пробы глазами учеников")
    new.locator("select[name=kind]").select_option("survey")
    with page.expect_navigation():
        new.get_by_test_id("start").click()
    assert_accessible(page, "the designer's editor")
    add_field(page, 0, "single_choice")
    assert_accessible(page, "a question in the designer")
    page.locator("input[name=id]").fill("")
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    page.get_by_test_id("error-summary").wait_for()
    assert_accessible(page, "a refused question in the designer")
