"""The campaign report in the browser: the charts are drawn from the page's own data
(no request leaves the site), and the print view fits an A4 page."""

from __future__ import annotations

from tests.browser.test_login_menus import log_in
from tests.reports.fixtures import answered_campaign

A4_WIDTH_PX = 794  # 210 mm at 96 px per inch


def test_report_charts_and_print_view(page, server, tree, people):
    campaign = answered_campaign(tree, people)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    log_in(page, server.url, "region")
    page.goto(f"{server.url}/campaigns/{campaign.id}")
    with page.expect_navigation():
        page.get_by_test_id("report-link").click()
    page.get_by_test_id("indicators").wait_for()
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas.collector-chart')]
            .map(c => window.Chart && Chart.getChart(c) ? Chart.getChart(c).config.type : null)"""
    )
    assert drawn == ["bar", "bar"]  # the indicator against its target, and completeness
    target_line = page.evaluate(
        """() => Chart.getChart(document.querySelector('canvas.collector-chart'))
            .data.datasets.map(d => d.type || 'bar')"""
    )
    assert target_line == ["bar", "line"]
    assert outside == []
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    # The charts follow the narrower page (they resize on the next frames).
    page.wait_for_function(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth",
        timeout=5000,
    )
    assert not page.locator("nav.navbar").is_visible()
