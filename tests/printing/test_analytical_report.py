"""The analytical report («аналитическая справка») of a Kaluga school campaign (order
№ 1829) for the region as PDF, read back with pypdf: each of the form's 32 indicators by
its title, Cyrillic intact, every page counted. (The whole cycle's report as PDF, with
its recommendations and measures: tests/analysis/test_printable.py.)"""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import Job
from collector.schema import compile_document
from tests.conftest import login_as
from tests.printing.kaluga import kaluga_campaign, kaluga_form
from tests.printing.reading import flat, footers_count_the_pages, pages_of, pdf_by_job
from tests.reports.test_exports import wait_for_job

SCHOOLS = ("school_a1", "school_a2", "school_b1", "school_b2")


# A job makes the PDF in a worker thread of its own, on its own connection: it must see
# the committed data.
@pytest.mark.committed
def test_the_kaluga_analytical_report_names_every_indicator(client, tree, people):
    campaign = kaluga_campaign(tree, people, dict.fromkeys(SCHOOLS, "accepted"))
    login_as(client, people["region"])
    pages = pages_of(pdf_by_job(client, f"/analysis/campaigns/{campaign.id}/print.pdf"))
    text = flat(" ".join(pages))
    spec = compile_document(kaluga_form()).spec
    assert len(spec.computed_indicators) == 32
    for indicator in spec.computed_indicators:
        assert flat(indicator.title.ru) in text, indicator.id
    assert "Аналитическая справка" in text and tree["region"].name in text
    assert "данные на 30.04.2026" in flat(pages[-1])
    # 32 indicators in a table: more than a page, each one's foot counting them.
    assert len(pages) >= 2
    footers_count_the_pages(pages)


@pytest.mark.committed
def test_without_weasyprints_libraries_the_job_fails_in_words(client, tree, people, monkeypatch):
    campaign = kaluga_campaign(tree, people, {"school_a1": "accepted"})
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # its import fails, as without Pango
    login_as(client, people["region"])
    started = client.post(f"/analysis/campaigns/{campaign.id}/print.pdf")
    status = wait_for_job(client, started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert status["state"] == "failed"
    assert "PDF нельзя сделать на этом сервере" in status["message"]


@pytest.mark.committed
def test_the_pdf_job_and_its_file_are_the_askers(client, tree, people):
    """The region's PDF: the job's page and file are refused to a school, to a district's
    coordinator (the job covers the whole region) and to another region's; a school asking
    for one starts nothing."""
    campaign = kaluga_campaign(tree, people, dict.fromkeys(SCHOOLS, "accepted"))
    login_as(client, people["region"])
    started = client.post(f"/analysis/campaigns/{campaign.id}/print.pdf")
    job_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    status = wait_for_job(client, job_id)
    assert status["state"] == "done"
    for person in ("school", "municipal", "other_region"):
        login_as(client, people[person])
        for address in (f"/jobs/{job_id}", status["download"]):
            reply = client.get(address)
            assert reply.status_code in (403, 404), (person, address)
            assert reply.mimetype != "application/pdf"
    login_as(client, people["school"])
    refused = client.post(f"/analysis/campaigns/{campaign.id}/print.pdf")
    assert refused.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
