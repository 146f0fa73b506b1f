"""A large export in the browser: the report page starts it and returns at once, the
job's page moves its bar to 100 % without reloading, and the file downloads."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import insert

from collector.extensions import db
from collector.models import FormResponse
from collector.models.base import utcnow
from tests.browser.test_login_menus import log_in
from tests.surveys.test_survey_links import link_of, make_survey

ANSWERS = 3000


def test_export_job_progress_and_download(page, server, tree, people):
    campaign = make_survey(tree, people)
    link = link_of(campaign, tree["school_a1"])
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.execute(
        insert(FormResponse),
        [
            {
                "form_version_id": campaign.form_version_id,
                "form_id": "parent-poll",
                "unit_id": link.unit_id,
                "campaign_id": campaign.id,
                "status": "submitted",
                "answers": {"grade": "9", "organised": "yes" if n % 3 else "no"},
                "revision": 1,
                "late": False,
                "created_at": today,
                "updated_at": today,
                "submitted_at": today,
            }
            for n in range(ANSWERS)
        ],
    )
    db.session.commit()
    log_in(page, server.url, "region")
    page.goto(f"{server.url}/reports/campaigns/{campaign.id}")
    with page.expect_navigation():
        page.get_by_test_id("export-xlsx").click()
    assert "/jobs/" in page.url
    page.evaluate("() => { window.sameJobPage = true; }")
    download_link = page.get_by_test_id("job-download")
    download_link.wait_for(state="visible", timeout=30_000)
    assert page.evaluate("() => window.sameJobPage === true")  # no reload on the way
    assert page.get_by_test_id("job-progress").evaluate("bar => bar.value") == 100
    assert page.get_by_test_id("job-state").inner_text() == "Готово."
    with page.expect_download() as event:
        download_link.click()
    path = event.value.path()
    with open(path, "rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()), read_only=True)
    answers = book["Ответы"]
    assert sum(1 for _ in answers.iter_rows(min_row=3)) == ANSWERS
    book.close()
