"""A file question in the browser (issue 27): a school attaches a PDF to its report (a
picture named .pdf is refused first, beside the field, with the typed values kept), sends
the report, and its reviewer at the municipality downloads the file from the review page.
A file past the question's limit is refused by the page before it is sent; one past the
server's limit comes back said, the typed values restored; «Удалить файл» empties the
answer; the reviewer's page shows the file as a link, no picker."""

from __future__ import annotations

import re
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


def test_a_file_past_the_servers_limit_then_removing_one_and_the_read_only_review(
    page, server, tree, people
):
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
    # The server reads at most 50,000 bytes here (16 MB in production): a file of 60,000,
    # within the question's 0.1 MB, is more than the whole page may send.
    server.app.config["MAX_CONTENT_LENGTH"] = 50_000

    log_in(page, server.url, "school")
    page.goto(report_url)
    # No autosave meanwhile: the values come back from the browser's copy, not the server.
    page.locator("#entry-form").evaluate("f => f.dataset.autosaveDelay = '600000'")
    page.get_by_label("Всего, ед.").fill("10")
    page.get_by_label("Из них").fill("4")
    picker = page.get_by_label("Приказ об утверждении плана")
    # Past the question's own 0.1 MB: refused beside the field before anything is sent.
    huge = b"%PDF-1.4\n" + b"0" * 120_000
    picker.set_input_files(
        files=[{"name": "огромный.pdf", "mimeType": "application/pdf", "buffer": huge}]
    )
    expect(page.get_by_test_id("file-too-large")).to_have_text("Файл больше 0.1 МБ.")
    assert picker.evaluate("el => el.files.length") == 0
    expect(picker).to_have_class(re.compile(r"\bis-invalid\b"))

    big = b"%PDF-1.4\n" + b"0" * 60_000
    picker.set_input_files(
        files=[{"name": "большой.pdf", "mimeType": "application/pdf", "buffer": big}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    expect(
        page.get_by_role("alert").filter(has_text="больше, чем принимает сервер")
    ).to_contain_text("не более 0.05 МБ")
    expect(page.get_by_label("Всего, ед.")).to_have_value("10")
    expect(page.get_by_label("Из них")).to_have_value("4")
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers == {}

    # A small one is taken; then «Удалить файл» empties the answer.
    picker.set_input_files(
        files=[{"name": "приказ.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_test_id("stored-file")).to_contain_text("приказ.pdf")
    # Ticked, the box waits for the page to be sent: an autosave meanwhile keeps the file.
    page.locator("#entry-form").evaluate("f => f.dataset.autosaveDelay = '200'")
    page.get_by_label("Всего, ед.").fill("11")
    page.get_by_label("Удалить файл").check()
    page.get_by_text("Сохранено автоматически.").wait_for()
    db.session.expire_all()
    autosaved = db.session.get(FormResponse, response.id).answers
    assert autosaved["total"] == 11 and autosaved["plan_file"]["name"] == "приказ.pdf"
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_test_id("stored-file")).to_have_count(0)
    db.session.expire_all()
    assert "plan_file" not in db.session.get(FormResponse, response.id).answers

    picker = page.get_by_label("Приказ об утверждении плана")
    picker.set_input_files(
        files=[{"name": "новый.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()
    expect(page.get_by_test_id("status")).to_have_text("отправлен")
    log_out(page)

    # The reviewer reads the file's name as a link: no picker, disabled or not.
    log_in(page, server.url, "mun")
    page.goto(f"{server.url}/campaigns/{campaign.id}/responses/{response.id}")
    field = page.locator("#field-plan_file")
    expect(field).to_contain_text("Приказ об утверждении плана")
    expect(field.get_by_role("link", name="новый.pdf")).to_be_visible()
    expect(field.locator("input")).to_have_count(0)
