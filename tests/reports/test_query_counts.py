"""What a report page and an export ask of the database does not grow with the answers:
the same number of statements for 12 answers as for 60, and the form's document read at
most once per page, never once per answer (issue 22)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event, insert

from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.jobs.test_jobs import wait

FORM = (
    Path(__file__).resolve().parents[2]
    / "form_schemas"
    / "nevinnomyssk-2020-pupil-satisfaction.json"
)
SCHOOLS = ("school_a1", "school_a2", "school_b1")


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement sent to the database inside the block."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def add_answers(campaign, tree, document, count: int) -> None:
    rows = [
        {
            "form_version_id": campaign.form_version_id,
            "form_id": document["id"],
            "unit_id": tree[SCHOOLS[n % len(SCHOOLS)]].id,
            "campaign_id": campaign.id,
            "status": "submitted",
            "answers": {"grade": "9", "overall": str(1 + n % 5), "took_part": ["none"]},
            "revision": 1,
            "late": False,
        }
        for n in range(count)
    ]
    db.session.execute(insert(FormResponse), rows)
    db.session.commit()


@pytest.fixture
def survey(app, tree, people):
    document = json.loads(FORM.read_text(encoding="utf-8"))
    campaign = new_campaign(
        tree, people, deadline=datetime(2026, 5, 31, 23, 59), document=document, opened=True
    )
    return campaign, document


def page_statements(client, url: str) -> list[str]:
    with statements() as seen:
        assert client.get(url).status_code == 200
    return seen


def reads_document(statement: str) -> bool:
    return "form_version.document" in statement


def test_the_report_page_asks_the_same_of_the_database_for_more_answers(
    client, tree, people, survey
):
    campaign, document = survey
    login_as(client, people["region"])
    url = f"/reports/campaigns/{campaign.id}?by=unit"
    add_answers(campaign, tree, document, 12)
    client.get(url)  # computed and kept
    few = page_statements(client, url)
    add_answers(campaign, tree, document, 48)
    client.get(url)
    many = page_statements(client, url)
    assert len(many) == len(few), "\n".join(many)
    assert sum(map(reads_document, many)) <= 1
    # A computing view (the data changed) reads each answer row once, not the document
    # once per answer.
    add_answers(campaign, tree, document, 30)
    computing = page_statements(client, url)
    assert sum(map(reads_document, computing)) <= 1


@pytest.mark.committed  # the export runs in a job thread on its own connection
def test_an_export_reads_the_document_once_however_many_answers(client, tree, people, survey):
    campaign, document = survey
    login_as(client, people["region"])
    add_answers(campaign, tree, document, 60)
    with statements() as seen:
        started = client.post(
            f"/reports/campaigns/{campaign.id}/export",
            data={"basis": "submitted", "table": ""},
        )
        assert started.status_code == 302
        job_id = started.location.rstrip("/").rsplit("/", 1)[-1]
        status = wait(client, job_id)
    assert status["state"] == "done", status
    exported = [s for s in seen if "form_response" in s]
    assert exported, "the export's own statements were seen"
    assert sum(map(reads_document, seen)) <= 1
