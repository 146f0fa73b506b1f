"""The Kaluga school report (order № 1829, appendix 2, п. 11) in a campaign for the tests'
tree, its schools answering as school S1 of the form's worked example
(tests/worked_examples/kaluga-1829-school.json), with a career plan's file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormResponse, OrgUnit, User
from tests.campaigns.factories import new_campaign

ROOT = Path(__file__).resolve().parents[2]
FORM = ROOT / "form_schemas" / "kaluga-1829-school.json"
EXAMPLE = ROOT / "tests" / "worked_examples" / "kaluga-1829-school.json"
# A stored file's descriptor as an upload leaves it (collector.entry.files).
PLAN_FILE = {
    "file": "a" * 32,
    "name": "План профориентации 2025-2026.pdf",
    "type": "pdf",
    "size": 48213,
    "sha256": "0" * 64,
    "link": "http://localhost/entry/files/" + "a" * 32,
}


def kaluga_form() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FORM.read_text(encoding="utf-8"))
    return document


def school_one() -> dict[str, Any]:
    """S1's answers in the worked example, and the plan's file."""
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))["examples"][0]
    answers: dict[str, Any] = dict(example["responses"])["S1"]
    return {**answers, "career_plan_file": PLAN_FILE}


def response_of(campaign: Campaign, unit: OrgUnit) -> FormResponse:
    found = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )
    assert found is not None
    return found


def kaluga_campaign(
    tree: dict[str, OrgUnit], people: dict[str, User], answered: dict[str, str]
) -> Campaign:
    """An open campaign, data as of 30 April 2026; the schools `answered` (tree key:
    status) hold S1's answers."""
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2026, 5, 30, 23, 59),
        document=kaluga_form(),
        title="Мониторинг профориентации 2026",
        opened=True,
    )
    campaign.as_of = date(2026, 4, 30)
    for key, status in answered.items():
        response = response_of(campaign, tree[key])
        response.answers = school_one()
        response.status = status
    db.session.commit()
    return campaign
