"""Two campaigns of the report form of tests/reports/fixtures.py, a year apart, with the
schools' answers in known states (values worked out by hand in the tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormResponse, OrgUnit, User
from tests.campaigns.factories import new_campaign
from tests.reports.fixtures import REPORTS, report_form

# (has a plan, trained, total, status) per school, the year before REPORTS
LAST_YEAR = {
    "school_a1": (True, 20, 100, "accepted"),
    "school_a2": (True, 15, 50, "accepted"),
    "school_b1": (True, 30, 60, "accepted"),
    "school_b2": (False, 10, 40, "accepted"),
}


def campaign_of(
    tree: dict[str, OrgUnit],
    people: dict[str, User],
    year: int,
    reports: dict[str, tuple[bool, int, int, str]],
    document: dict[str, Any] | None = None,
) -> Campaign:
    made = new_campaign(
        tree,
        people,
        deadline=datetime(year + 1, 5, 30, 23, 59),
        document=document or report_form(),
        title=f"Мониторинг {year + 1}",
        year=year,
        opened=True,
    )
    for key, (plan, trained, total, status) in reports.items():
        response = db.session.scalar(
            select(FormResponse).where(
                FormResponse.campaign_id == made.id, FormResponse.unit_id == tree[key].id
            )
        )
        assert response is not None
        response.answers = {"has_plan": plan, "trained": trained, "total": total}
        response.status = status
    db.session.commit()
    return made


def two_years(
    tree: dict[str, OrgUnit], people: dict[str, User], document: dict[str, Any] | None = None
) -> tuple[Campaign, Campaign]:
    """The 2024 campaign (LAST_YEAR) and the 2025 one (REPORTS: B2 only submitted)."""
    return (
        campaign_of(tree, people, 2024, LAST_YEAR, document),
        campaign_of(tree, people, 2025, REPORTS, document),
    )


def with_recommendations() -> dict[str, Any]:
    """The report form with two recommendations: a plan below the target, and fewer
    trained than last year."""
    document = report_form()
    document["recommendations"] = [
        {
            "id": "rec_plan",
            "title": "План профориентационной работы",
            "text": "Разработать и утвердить годовой план профориентационной работы.",
            "indicators": ["plan_share"],
            "when": ["below_target"],
            "source": {"clause": "13"},
        },
        {
            "id": "rec_trained",
            "title": "Профессиональные пробы",
            "text": "Расширить участие обучающихся в профессиональных пробах.",
            "indicators": ["trained_share"],
            "when": ["worse_than_last"],
            "source": {"clause": "13"},
        },
    ]
    return document
