"""What the API answers, as JSON-ready dicts, always for an acting user and through the
same services (and so the same permission checks) as the pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.services import territory_paths
from collector.campaigns.completeness import Tally, completeness, default_root
from collector.campaigns.services import review_scopes, view_root, visible_campaigns
from collector.entry.services import campaign_tasks
from collector.errors import NotInScope
from collector.models import ApiToken, Campaign, FormVersion, OrgUnit, User
from collector.publishing.versions import in_territory
from collector.reports.services import Basis, campaign_report, level_of


def unit_json(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.id, "name": unit.name, "code": unit.code, "unit_type": unit.unit_type}


def me(token: ApiToken) -> dict[str, Any]:
    user = token.user
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "roles": [
            {"role": r.role, "unit": unit_json(r.unit) if r.unit is not None else None}
            for r in user.roles
        ],
        "token": {
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "scope": token.scope,
            "expires_at": token.expires_at,
        },
    }


def _answered_campaigns(session: Session, user: User) -> list[Campaign]:
    """Campaigns asking a report of one of the user's own units (as on their entry page)."""
    found: dict[int, Campaign] = {}
    for task in campaign_tasks(session, user):
        found.setdefault(task.campaign.id, task.campaign)
    return list(found.values())


def campaigns_of(session: Session, user: User) -> list[Campaign]:
    """The campaigns the user reviews (some of) and those that ask the user's units for a
    report, newest first."""
    found = {c.id: c for c in visible_campaigns(session, user)}
    for campaign in _answered_campaigns(session, user):
        found.setdefault(campaign.id, campaign)
    return sorted(found.values(), key=lambda c: (c.created_at, c.id), reverse=True)


def campaign_of(session: Session, user: User, campaign_id: int) -> Campaign:
    """A campaign the user reviews or answers; any other is not found."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope(campaign_id)
    if review_scopes(user, campaign):
        return campaign
    if any(c.id == campaign.id for c in _answered_campaigns(session, user)):
        return campaign
    raise NotInScope(campaign_id)


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "title": campaign.title,
        "state": campaign.state,
        "academic_year": campaign.academic_year,
        "form_id": campaign.form_version.form_id,
        "form_version": campaign.form_version.version,
        "owner": unit_json(campaign.owner_unit),
        "opened_at": campaign.opened_at,
    }


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {
        "unit": unit_json(tally.unit),
        "total": tally.total,
        "submitted": tally.submitted,
        "late": tally.late,
        "by_status": {status: count for status, count in tally.counts.items() if count},
    }


def campaign_detail(session: Session, user: User, campaign_id: int) -> dict[str, Any]:
    campaign = campaign_of(session, user, campaign_id)
    found: dict[str, Any] | None = None
    if review_scopes(user, campaign):
        counts = completeness(session, user, campaign)
        found = {
            "root": unit_json(counts.root),
            "overall": _tally_json(counts.overall),
            "rows": [_tally_json(row) for row in counts.rows],
        }
    return {
        **campaign_summary(campaign),
        "deadlines": {d.unit_type: d.due_at for d in campaign.deadlines},
        "completeness": found,
    }


def indicators(
    session: Session,
    user: User,
    campaign_id: int,
    unit_id: int | None,
    basis: Basis,
    language: str,
) -> dict[str, Any]:
    """The campaign's indicators at one unit the user reviews (default: the top of what
    they review), as the report page computes them (campaign_report)."""
    campaign = session.get(Campaign, campaign_id)
    scopes = review_scopes(user, campaign) if campaign is not None else []
    if campaign is None or not scopes:
        raise NotInScope(campaign_id)
    unit = view_root(session, user, campaign, unit_id) or default_root(session, campaign, scopes)
    report = campaign_report(session, user, campaign, basis)
    values = []
    for spec in report.spec.computed_indicators:
        value = report.value(spec.id, unit.id)
        if value is None:
            continue
        values.append(
            {
                "indicator": spec.id,
                "code": spec.code,
                "title": spec.title.get(language),
                "unit_of_measure": spec.unit,
                "level": level_of(unit),
                "value": value.value,
                "shown": value.shown,
                "status": value.status,
                "answered": value.answered,
                "expected": value.expected,
                "coverage": value.coverage,
                "target": value.target,
                "met": value.met,
            }
        )
    return {
        "campaign": campaign.id,
        "unit": unit_json(unit),
        "basis": basis.value,
        "values": values,
    }


def form_version(session: Session, user: User, form_id: str, number: int) -> dict[str, Any]:
    """A published version of a form in the user's territory (as the pages offer it)."""
    version = session.scalar(
        select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == number)
    )
    if version is None or not in_territory(session, territory_paths(user), [version]):
        raise NotInScope(number)
    return {
        "form_id": version.form_id,
        "version": version.version,
        "title": version.title,
        "kind": version.kind,
        "published_at": version.published_at,
        "document": version.document,
    }
