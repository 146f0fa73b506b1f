"""A coordinator opens a survey's report and drills down from the region to a school."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect

from tests.browser.test_login_menus import log_in
from tests.campaigns.factories import new_campaign
from tests.reports.fixtures import organised_share
from tests.surveys.test_survey_links import GOOD, link_of, survey_document


def test_coordinator_drills_down_to_a_school(page, server, tree, people, app):
    document = survey_document()
    document["respondents"]["min_group_size"] = 2
    document["indicators"] = [organised_share(targets={"2026": 80})]
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 8, 31, 23, 59),
        document=document,
        year=2026,
        opened=True,
    )
    for key, answers in (("school_a1", ("yes", "yes", "no")), ("school_b1", ("yes", "yes"))):
        token = link_of(campaign, tree[key]).token
        for organised in answers:
            app.test_client().post(f"/s/{token}", data=GOOD | {"organised": organised})
    log_in(page, server.url, "region")
    page.goto(f"{server.url}/reports/campaigns/{campaign.id}")
    indicators = page.get_by_test_id("indicators")
    expect(indicators).to_contain_text("80,0")  # 4 of 5 at the region
    with page.expect_navigation():
        page.get_by_test_id("breakdown").get_by_role("link", name="Бабынинский район").click()
    expect(page.get_by_test_id("report-title")).to_have_text("Бабынинский район")
    with page.expect_navigation():
        page.get_by_test_id("breakdown").get_by_role("link", name="МКОУ «СОШ № 1»").click()
    expect(page.get_by_test_id("report-title")).to_have_text("МКОУ «СОШ № 1»")
    expect(page.get_by_test_id("indicators")).to_contain_text("66,7")
    expect(page.get_by_test_id("participation")).to_contain_text("Ответов: 3")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas.collector-chart')]"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    assert drawn
