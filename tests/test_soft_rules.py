"""Soft rules end to end: a school confirms a warning with a comment and submits its
campaign report; the reviewer sees the confirmed warning and its comment; the workbook
lists it on its own sheet."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.reports.test_exports import export_file, workbook_of
from tests.schema.cases import base

COMMENT = "Учтены онлайн-экскурсии проекта «Билет в будущее»"


def soft_document() -> dict:
    doc = copy.deepcopy(base())
    doc["rules"].append(
        {
            "id": "total_unusual",
            "check": "total <= 100",
            "severity": "warning",
            "message": "Больше 100 — необычно много",
            "fields": ["total"],
        }
    )
    return doc


def _confirmed_and_submitted(client, tree, people):
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2099, 5, 30, 23, 59),
        document=soft_document(),
        opened=True,
    )
    school = tree["school_a1"]
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == school.id
        )
    )
    login_as(client, people["school"])
    page = f"/entry/response/{response.id}?section=main"
    typed = {"revision": "0", "action": "submit", "total": "120", "part": "4"}
    refused = client.post(page, data=typed)
    assert refused.status_code == 200 and "Больше 100" in refused.get_data(as_text=True)
    db.session.expire_all()
    revision = str(response.revision)
    sent = client.post(
        page,
        data=typed
        | {"revision": revision, "confirm-total_unusual": "y", "comment-total_unusual": COMMENT},
    )
    assert sent.status_code == 302
    db.session.expire_all()
    assert response.status == "submitted"
    client.get("/logout")
    return campaign, response


def test_the_reviewer_sees_a_confirmed_warning_with_its_comment(client, tree, people):
    campaign, response = _confirmed_and_submitted(client, tree, people)
    login_as(client, people["region"])
    page = client.get(f"/campaigns/{campaign.id}/responses/{response.id}").get_data(as_text=True)
    shown = page[page.index('data-testid="confirmed-warnings"') :].split("</section>")[0]
    assert "Больше 100 — необычно много" in shown and COMMENT in shown and "Всего" in shown


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_the_workbook_lists_confirmed_warnings(client, tree, people):
    campaign, response = _confirmed_and_submitted(client, tree, people)
    response.status = "accepted"
    db.session.commit()
    login_as(client, people["region"])
    book = workbook_of(export_file(client, campaign))
    sheet = book["Подтверждённые предупреждения"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    message = "Больше 100 — необычно много"
    assert rows == [("S-A1", tree["school_a1"].name, "Всего", message, COMMENT)]
