"""Issue 23, done when: screenshots of the start page, a refused save, the review queue
and the many-schools chart (the Tomsk parent poll, 67 schools: 50 on its first page of
units) at a desktop's width (1366 × 768) and a phone's (390 × 844), in the demo region,
for a person to read: written to /tmp/screens/ (SCREENS_DIR), never committed. At both
widths no page scrolls sideways, the refused save has its summary on top, focused,
naming the field by its label, and an autosave that could not keep a value says which
by its label."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormVersion
from tests.browser.demo_world import load_demo, log_in_as

SCREENS = Path(os.environ.get("SCREENS_DIR", "/tmp/screens"))
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
LABEL = "Публикации в СМИ по профориентации, всего"  # the field's label
TOTAL = f"{LABEL}, ед."  # its control's, with the unit


def fits_the_width(page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def shoot(page, name: str, size: str, full_page: bool = False) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=full_page)
    assert fits_the_width(page), f"{name} scrolls sideways at {size} width"


def poll_campaign() -> int:
    return db.session.scalar(
        select(Campaign.id)
        .join(FormVersion, FormVersion.id == Campaign.form_version_id)
        .where(FormVersion.form_id == "tomsk-2022-parent-poll")
    )


@pytest.fixture
def demo(app):
    load_demo()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_pages_people_read_first(browser, server, demo, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # The start page of a Kaluga school.
        log_in_as(page, server.url, "school")
        shoot(page, "start", size, full_page=True)

        # A refused save: a number typed as «1e5», the report's summary on top.
        page.goto(server.url + "/entry/")
        page.get_by_text("отчёт общеобразовательной организации").first.click()
        # Typed only once the report's page has loaded and its scripts listen: typed
        # before, under load, the autosave never heard of it (the flake of this test).
        expect(page.get_by_label(TOTAL)).to_be_visible()
        page.wait_for_load_state("load")
        page.get_by_label(TOTAL).fill("1e5")
        # The autosave (3 s after typing stops) names the value by its field's label.
        expect(page.locator("#autosave-state")).to_contain_text(
            f"{LABEL}: Введите целое число", timeout=20_000
        )
        page.get_by_role("button", name="Сохранить черновик").click()
        summary = page.locator("[data-testid=error-summary]")
        expect(summary).to_be_focused()
        assert re.search(rf"{re.escape(LABEL)}: Введите целое число", summary.inner_text())
        assert page.get_by_label(TOTAL).input_value() == "1e5"  # nothing typed is lost
        shoot(page, "refused-save", size)

        # The review queue of the city of Kaluga's coordinator.
        log_in_as(page, server.url, "kaluga")
        page.goto(server.url + "/campaigns/queue")
        expect(page.locator("h1")).to_be_visible()
        shoot(page, "review-queue", size, full_page=True)
        # Its table fits too: on a phone the details go under each name, not off to the side.
        assert page.evaluate(
            "() => [...document.querySelectorAll('.table-responsive')]"
            ".every(box => box.scrollWidth <= box.clientWidth)"
        )
        details = page.get_by_test_id("queue-item-details").first
        assert details.is_visible() is (size == "phone")

        # The per-school chart of the Tomsk parent poll.
        log_in_as(page, server.url, "tomsk")
        page.goto(f"{server.url}/reports/campaigns/{poll_campaign()}")
        heading = page.locator("#breakdown")
        heading.scroll_into_view_if_needed()
        chart = page.locator("#breakdown ~ .chart-box canvas").first
        expect(chart).to_be_visible()
        # 67 schools: the first 50 (unit_pages.UNITS_PER_PAGE), then the other 17 on the
        # next page of units, which the pager under the table opens (issue 22).
        rows = page.locator("[data-testid=breakdown] tbody tr")
        assert rows.count() == 50, rows.count()
        pager = page.locator("#breakdown ~ nav[data-testid=units-pager]").first
        expect(pager.get_by_test_id("units-shown")).to_have_text("Показаны организации 1–50 из 67")
        page.evaluate("() => document.getElementById('breakdown').scrollIntoView()")
        shoot(page, "many-schools-chart", size)
        pager.get_by_role("link", name="Следующая страница").click()
        expect(rows).to_have_count(17)
        expect(pager.locator("[aria-current=page]")).to_have_text("2")
        assert fits_the_width(page)
    finally:
        context.close()
