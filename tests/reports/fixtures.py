"""A school-report campaign with four schools' answers in known states, for the report
tests (values worked out by hand in the tests that use it)."""

from __future__ import annotations

import copy
from datetime import datetime

from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormResponse, OrgUnit, User
from tests.campaigns.factories import new_campaign
from tests.schema.cases import base

# (has a plan, trained, total, status) per school
REPORTS = {
    "school_a1": (True, 30, 100, "accepted"),
    "school_a2": (False, 10, 50, "accepted"),
    "school_b1": (True, 45, 60, "accepted"),
    "school_b2": (False, 5, 40, "submitted"),
}


def report_form() -> dict:
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"] = [
        {"id": "has_plan", "type": "yes_no", "label": "Есть план"},
        {"id": "trained", "type": "integer", "label": "Прошли пробы", "min": 0},
        {"id": "total", "type": "integer", "label": "Всего", "min": 0},
    ]
    doc["rules"] = []
    source = {"document": "Приказ № 1829", "clause": "п. 11"}
    doc["indicators"] = [
        {
            "id": "plan_share",
            "title": "Доля школ с планом",
            "unit": "%",
            "formula": "share(has_plan)",
            "levels": ["municipality", "region"],
            "targets": {"2025": 60},
            "source": source,
        },
        {
            "id": "trained_share",
            "title": "Доля прошедших пробы",
            "unit": "%",
            "formula": "sum(trained) / sum(total) * 100",
            "source": source,
        },
    ]
    return doc


def answered_campaign(
    tree: dict[str, OrgUnit],
    people: dict[str, User],
    document: dict | None = None,
    reports: dict[str, tuple[bool, int, int, str]] = REPORTS,
) -> Campaign:
    """An open campaign of `document` (the report form) with the schools' `reports`."""
    made = new_campaign(
        tree,
        people,
        deadline=datetime(2026, 5, 30, 23, 59),
        document=document or report_form(),
        opened=True,
    )
    for key, (plan, trained, total, status) in reports.items():
        response = db.session.scalar(
            select(FormResponse).where(
                FormResponse.campaign_id == made.id, FormResponse.unit_id == tree[key].id
            )
        )
        response.answers = {"has_plan": plan, "trained": trained, "total": total}
        response.status = status
    db.session.commit()
    return made


def organised_share(targets: dict[str, float] | None = None) -> dict:
    """The 7.2-like indicator the survey report tests count by hand."""
    indicator = {
        "id": "organised_share",
        "title": "Выбор профиля организован",
        "unit": "%",
        "formula": 'share(organised == "yes")',
        "source": {"document": "Приказ № 1067", "clause": "7.2"},
    }
    if targets:
        indicator["targets"] = targets
    return indicator
