"""The cycle after a campaign in the browser: from the report to the analysis, the drafts
for the units that miss, a draft edited and sent, the school reading it on its start page
and acknowledging it, and a measure recorded with its effect shown at the next campaign
(values as in tests/analysis: S-A2 20.0 % trained, down from 30.0 %)."""

from __future__ import annotations

from collector.models import Role
from tests.analysis.fixtures import two_years, with_recommendations
from tests.browser.test_login_menus import log_in


def test_from_analysis_to_acknowledgement(page, server, tree, people, make_user):
    before, now = two_years(tree, people, with_recommendations())
    make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="school_a2")
    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/reports/campaigns/{now.id}")
    with page.expect_navigation():
        page.get_by_test_id("analysis-link").click()
    missing = page.get_by_test_id("missing-units")
    assert missing.locator("tr[data-group='S-A2']").is_visible()
    assert missing.locator("tr[data-group='S-A1']").count() == 0
    with page.expect_navigation():
        page.get_by_test_id("recommendations-link").click()
    with page.expect_navigation():
        page.get_by_test_id("make-drafts").click()
    row = page.get_by_test_id("recommendations").locator("tr[data-group='S-A2']")
    assert row.get_attribute("data-status") == "draft"
    with page.expect_navigation():
        row.get_by_role("link").click()
    body = page.get_by_label("Рекомендация")
    assert "Расширить участие обучающихся" in body.input_value()
    body.fill("Расширить участие обучающихся 9-х классов в профессиональных пробах.")
    with page.expect_navigation():
        page.get_by_test_id("send").click()
    assert page.get_by_test_id("recommendation-status").get_attribute("data-status") == "sent"

    page.context.clear_cookies()  # another person at another computer
    log_in(page, server.url, "school_a2")
    mine = page.get_by_test_id("my-recommendations").locator("a")
    assert mine.get_attribute("data-status") == "sent"
    with page.expect_navigation():
        mine.click()
    assert "9-х классов" in page.get_by_test_id("recommendation-body").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("acknowledge").click()
    status = page.get_by_test_id("recommendation-status")
    assert status.get_attribute("data-status") == "acknowledged"

    # A measure on last year's campaign, and its effect now that this year's is in.
    page.context.clear_cookies()
    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/analysis/campaigns/{before.id}/measures?unit={tree['mun_a'].id}")
    form = page.get_by_test_id("measure-form")
    form.get_by_label("Принятая мера (решение)").fill("Курсы для классных руководителей")
    form.get_by_label(tree["school_a2"].name).check()
    form.get_by_label("Доля прошедших пробы").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Внести").click()
    effect = page.get_by_test_id("effect").locator("tr[data-indicator='trained_share']")
    assert effect.locator("[data-concerned]").get_attribute("data-concerned") == "-10.0"
    assert effect.locator("[data-difference]").get_attribute("data-difference") == "-20.0"
