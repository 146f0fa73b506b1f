"""The whole review round in the browser: the coordinator creates and opens a campaign;
a school submits; the municipality returns it with a comment; the school fixes and
resubmits; the municipality accepts. The completeness page shows the counts each time."""

from __future__ import annotations

import copy

import pytest
from playwright.sync_api import expect

from collector.extensions import db
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.browser.test_login_menus import log_in
from tests.schema.cases import base


@pytest.fixture
def test_form(app, tree):
    tree["region"].timezone = "Europe/Moscow"
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"][0]["required"] = True
    publish(db.session, compile_document(doc), None)
    db.session.commit()


def count(page, row: str, status: str) -> str:
    return page.locator(
        f'[data-testid=completeness] tr[data-unit="{row}"] td[data-status="{status}"]'
    ).inner_text()


def log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Выйти").click()


def test_review_round_with_completeness(page, server, tree, people, test_form):
    # The regional coordinator creates and opens the campaign.
    log_in(page, server.url, "region")
    page.goto(server.url + "/campaigns/")
    with page.expect_navigation():
        page.get_by_role("link", name="Новая кампания").click()
    page.get_by_label("Название").fill("Мониторинг профориентации 2026")
    page.get_by_label("Срок для школ и других организаций").fill("2027-05-30T23:59")
    with page.expect_navigation():
        page.get_by_role("button", name="Создать кампанию").click()
    expect(page.get_by_test_id("campaign-state")).to_have_text("готовится")
    with page.expect_navigation():
        page.get_by_role("button", name="Открыть кампанию").click()
    expect(page.get_by_test_id("campaign-state")).to_have_text("открыта")
    assert count(page, "total", "not_started") == "4"
    assert "30.05.2027" in page.get_by_text("Школа:").inner_text()
    campaign_url = page.url
    log_out(page)

    # The school fills in and submits.
    log_in(page, server.url, "school")
    page.goto(server.url + "/entry/")
    with page.expect_navigation():
        page.get_by_text("Мониторинг профориентации 2026").click()
    page.get_by_label("Всего, ед.").fill("10")
    page.get_by_label("Из них").fill("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    expect(page.get_by_test_id("status")).to_have_text("отправлен")
    expect(page.get_by_test_id("locked")).to_be_visible()
    log_out(page)

    # The municipality sees it submitted and returns it with a comment.
    log_in(page, server.url, "mun")
    page.goto(campaign_url)
    assert count(page, "S-A1", "submitted") == "1"
    assert count(page, "total", "not_started") == "1"
    with page.expect_navigation():
        page.get_by_role("link", name="МКОУ «СОШ № 1»").first.click()
    page.get_by_label("Комментарий для организации").fill("Уточните число участников")
    with page.expect_navigation():
        page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_test_id("status")).to_have_text("возвращён")
    page.goto(campaign_url)
    assert count(page, "S-A1", "returned") == "1"
    log_out(page)

    # The school reads the comment, fixes and resubmits.
    log_in(page, server.url, "school")
    page.goto(server.url + "/entry/")
    expect(page.get_by_text("Уточните число участников")).to_be_visible()
    with page.expect_navigation():
        page.get_by_text("Мониторинг профориентации 2026").click()
    expect(page.get_by_test_id("review-comment")).to_contain_text("Уточните число участников")
    page.get_by_label("Из них").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    expect(page.get_by_test_id("status")).to_have_text("отправлен повторно")
    log_out(page)

    # The municipality accepts; the report is locked and the counts say so.
    log_in(page, server.url, "mun")
    page.goto(campaign_url)
    assert count(page, "S-A1", "resubmitted") == "1"
    with page.expect_navigation():
        page.get_by_role("link", name="МКОУ «СОШ № 1»").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Принять").click()
    expect(page.get_by_test_id("status")).to_have_text("принят")
    trail = page.get_by_test_id("audit-trail")
    expect(trail).to_contain_text("Возвращён на доработку")
    expect(trail).to_contain_text("Уточните число участников")
    page.goto(campaign_url)
    assert count(page, "S-A1", "accepted") == "1"
    assert count(page, "total", "accepted") == "1"
    assert count(page, "total", "not_started") == "1"
