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


def test_satisfaction_by_grade_and_by_organisation_with_parents_beside(
    page, server, tree, people, app
):
    """The pupils' poll report: scales as stacked shares per grade, then per
    municipality, and the parents' poll beside it; a click on a municipality in the
    joint table drills down to its schools."""
    from tests.reports.test_questions import ANSWERS
    from tests.reports.test_together import PARENTS, answered

    pupils = answered(
        tree,
        people,
        "nevinnomyssk-2020-pupil-satisfaction",
        "Опрос обучающихся",
        {key: [score for _grade, score, _took in rows] for key, rows in ANSWERS.items()},
    )
    answered(tree, people, "nevinnomyssk-2020-parent-satisfaction", "Опрос родителей", PARENTS)
    assert pupils.id
    log_in(page, server.url, "region")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server.url}/reports/campaigns/{pupils.id}")
    overall = page.get_by_test_id("distribution-overall")
    expect(overall.locator('tr[data-row="total"]')).to_contain_text("13")
    stacked = page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-testid=distribution-overall]')"
        ".closest('.table-responsive').previousElementSibling.querySelector('canvas'))"
        ".options.scales.x.stacked"
    )
    assert stacked is True  # a rating: shares stacked to 100 % per grade
    with page.expect_navigation():
        page.locator('a[data-by="unit"]').click()
    expect(page.get_by_test_id("distribution-overall")).to_contain_text("Бабынинский район")
    together = page.get_by_test_id("together")
    # Pupils 8 of 13 satisfied (61.5 %), parents 12 of 15 (80 %): together 70.8 %.
    expect(together.locator('tr[data-group="R1"]')).to_contain_text("70,8")
    with page.expect_navigation():
        together.get_by_role("link", name="Бабынинский район").click()
    expect(page.get_by_test_id("report-title")).to_have_text("Бабынинский район")
    # School A1: pupils 4 of 6 (66.7 %), parents 2 of 5 (40 %): together 53.3 %.
    expect(page.get_by_test_id("together").locator('tr[data-group="S-A1"]')).to_contain_text("53,3")
