"""Printed documents in the browser (issue 26): a school opens its report for signature
from the report's page and downloads its PDF; a coordinator asks for the analytical
report's PDF from the analysis page, and its job's page offers the file when made."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.analysis.fixtures import two_years, with_recommendations
from tests.browser.test_login_menus import log_in
from tests.printing.kaluga import kaluga_campaign, response_of
from tests.printing.reading import flat


def pdf_text(path: str) -> str:
    with open(path, "rb") as file:
        content = file.read()
    return flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def test_a_school_prints_its_report_for_signature(page, server, tree, people):
    campaign = kaluga_campaign(tree, people, {"school_a1": "submitted"})
    response = response_of(campaign, tree["school_a1"])
    log_in(page, server.url, "school")
    page.goto(f"{server.url}/entry/response/{response.id}")
    with page.expect_navigation():
        page.get_by_test_id("print-filled").click()
    assert page.get_by_test_id("print-title").inner_text().startswith("Мониторинг системы")
    assert page.get_by_test_id("signature").is_visible()
    with page.expect_download() as event:
        page.get_by_test_id("pdf-link").click(modifiers=["Alt"])  # Alt-click saves the link
    text = pdf_text(event.value.path())
    assert tree["school_a1"].name in text and "М.П." in text


def test_a_coordinator_gets_the_analytical_report_as_pdf(page, server, tree, people):
    _before, now = two_years(tree, people, with_recommendations())
    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/analysis/campaigns/{now.id}")
    with page.expect_navigation():
        page.get_by_test_id("pdf-form").get_by_role("button").click()
    assert "/jobs/" in page.url
    download_link = page.get_by_test_id("job-download")
    download_link.wait_for(state="visible", timeout=30_000)
    with page.expect_download() as event:
        download_link.click()
    text = pdf_text(event.value.path())
    assert "Аналитическая справка" in text and tree["school_a2"].name in text
