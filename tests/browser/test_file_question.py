"""A file question in the browser (issue 27): a school attaches a PDF to its report (a
picture named .pdf is refused first, beside the field, with the typed values kept), sends
the report, and its reviewer at the municipality downloads the file from the review page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from collector.campaigns.lifecycle import LatePolicy
from collector.extensions import db
from collector.models import FormResponse
from tests.browser.test_campaign_round import log_out
from tests.browser.test_login_menus import log_in
from tests.campaigns.factories import new_campaign
from tests.test_file_questions import PDF, PNG, with_file_question


def test_a_school_attaches_a_pdf_and_its_reviewer_downloads_it(page, server, tree, people):
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 5, 30, 23, 59),
        policy=LatePolicy.FLAG,
        document=with_file_question(max_size_mb=0.1),
        opened=True,
    )
    response = db.session.scalars(
        select(FormResponse).filter_by(campaign_id=campaign.id, unit_id=tree["school_a1"].id)
    ).one()
    report_url = f"{server.url}/entry/response/{response.id}"

    log_in(page, server.url, "school")
    page.goto(report_url)
    page.get_by_label("Всего, ед.").fill("10")
    page.get_by_label("Из них").fill("4")
    picker = page.get_by_label("Приказ об утверждении плана")
    picker.set_input_files(
        files=[{"name": "приказ.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    # Refused by its content, beside the field; what was typed stays.
    expect(page.locator("#field-plan_file .invalid-feedback")).to_contain_text("не того типа")
    expect(page.get_by_label("Всего, ед.")).to_have_value("10")
    expect(page.get_by_label("Из них")).to_have_value("4")

    picker.set_input_files(
        files=[{"name": "приказ.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    expect(page.get_by_test_id("status")).to_have_text("отправлен")
    expect(page.get_by_test_id("stored-file")).to_contain_text("приказ.pdf")
    log_out(page)

    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/campaigns/{campaign.id}/responses/{response.id}")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="приказ.pdf").click()
    download = downloading.value
    assert download.suggested_filename == "приказ.pdf"
    assert Path(download.path()).read_bytes() == PDF
