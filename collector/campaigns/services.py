"""Running campaigns on behalf of a coordinator: create, open (which creates the expected
responses), extend one unit's deadline, move a response through review. Every change is
audited with what it was before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import grants_of, require
from collector.campaigns.lifecycle import (
    CAMPAIGN_MOVES,
    CampaignState,
    LatePolicy,
    Move,
    ResponseState,
    check_submission,
    deadline_utc,
    next_state,
)
from collector.models import (
    Campaign,
    CampaignDeadline,
    DeadlineExtension,
    FormResponse,
    FormVersion,
    OrgUnit,
    User,
)
from collector.models.base import utcnow
from collector.models.units import subtree_clause
from collector.units.tree import effective_timezone


class CampaignError(ValueError):
    """A change the campaign's state does not allow; the message is for the user."""


@dataclass(frozen=True)
class NewCampaign:
    title: str
    form_version: FormVersion
    owner_unit: OrgUnit
    academic_year: int
    as_of: date | None
    late_policy: LatePolicy
    # Wall-clock deadlines in the owner's time zone, per unit type.
    deadlines: dict[str, datetime]


def create_campaign(session: Session, actor: User, data: NewCampaign) -> Campaign:
    require(actor, Action.RUN_CAMPAIGNS, data.owner_unit)
    timezone = effective_timezone(session, data.owner_unit, "Europe/Moscow")
    campaign = Campaign(
        title=data.title,
        form_version=data.form_version,
        owner_unit=data.owner_unit,
        academic_year=data.academic_year,
        as_of=data.as_of,
        late_policy=data.late_policy.value,
        timezone=timezone,
        created_by=actor.id,
        deadlines=[
            CampaignDeadline(unit_type=unit_type, due_at=deadline_utc(local, timezone))
            for unit_type, local in data.deadlines.items()
        ],
    )
    session.add(campaign)
    session.flush()
    record(
        session,
        actor,
        "campaign.create",
        campaign,
        title=data.title,
        form=data.form_version.form_id,
        version=data.form_version.version,
    )
    return campaign


def assigned_units(session: Session, campaign: Campaign) -> list[OrgUnit]:
    """The units of the owner's subtree whose type answers the form."""
    unit_types = campaign.form_version.document["respondents"]["unit_types"]
    return list(
        session.scalars(
            select(OrgUnit).where(
                subtree_clause(campaign.owner_unit.path),
                OrgUnit.unit_type.in_(unit_types),
                OrgUnit.is_active.is_(True),
            )
        )
    )


def report_key(campaign: Campaign, unit_id: int) -> str:
    return f"campaign:{campaign.id}:{unit_id}"


def _move_campaign(session: Session, actor: User, campaign: Campaign, to: CampaignState) -> None:
    require(actor, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    current = CampaignState(campaign.state)
    if to not in CAMPAIGN_MOVES[current]:
        raise CampaignError(f"a {current} campaign cannot become {to}")
    campaign.state = to.value
    record(session, actor, f"campaign.{to.value}", campaign, before=current.value)


def open_campaign(session: Session, actor: User, campaign: Campaign) -> int:
    """Open it and create an expected, not-started response for every assigned unit, so
    that who has not answered is known from the first minute. Returns how many were made."""
    _move_campaign(session, actor, campaign, CampaignState.OPEN)
    campaign.opened_at = campaign.opened_at or utcnow()
    existing = set(
        session.scalars(select(FormResponse.unit_id).where(FormResponse.campaign_id == campaign.id))
    )
    rows = [
        {
            "form_version_id": campaign.form_version_id,
            "form_id": campaign.form_version.form_id,
            "unit_id": unit.id,
            "campaign_id": campaign.id,
            "unit_report_key": report_key(campaign, unit.id),
            "status": ResponseState.NOT_STARTED.value,
            "answers": {},
            "revision": 0,
            "late": False,
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for unit in assigned_units(session, campaign)
        if unit.id not in existing
    ]
    if rows:
        session.execute(insert(FormResponse), rows)
    return len(rows)


def close_campaign(session: Session, actor: User, campaign: Campaign) -> None:
    _move_campaign(session, actor, campaign, CampaignState.CLOSED)


def deadline_for(campaign: Campaign, unit: OrgUnit) -> datetime | None:
    return next((d.due_at for d in campaign.deadlines if d.unit_type == unit.unit_type), None)


def extension_for(session: Session, campaign: Campaign, unit: OrgUnit) -> DeadlineExtension | None:
    return session.scalar(
        select(DeadlineExtension).where(
            DeadlineExtension.campaign_id == campaign.id, DeadlineExtension.unit_id == unit.id
        )
    )


def extend_deadline(
    session: Session,
    actor: User,
    campaign: Campaign,
    unit: OrgUnit,
    local_until: datetime,
    reason: str,
) -> DeadlineExtension:
    require(actor, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    require(actor, Action.REVIEW_REPORTS, unit)
    if not reason.strip():
        raise CampaignError("an extension needs a reason")
    until = deadline_utc(local_until, campaign.timezone)
    extension = extension_for(session, campaign, unit)
    before = extension.until.isoformat() if extension else None
    if extension is None:
        extension = DeadlineExtension(
            campaign_id=campaign.id,
            unit_id=unit.id,
            until=until,
            reason=reason.strip(),
            granted_by=actor.id,
        )
        session.add(extension)
    else:
        extension.until, extension.reason, extension.granted_by = until, reason.strip(), actor.id
    session.flush()
    record(
        session,
        actor,
        "campaign.extend",
        extension,
        unit_id=unit.id,
        before=before,
        after=until.isoformat(),
        reason=reason.strip(),
    )
    return extension


def move_response(
    session: Session,
    actor: User,
    response: FormResponse,
    move: Move,
    comment: str = "",
    now: datetime | None = None,
) -> ResponseState:
    """Apply a review-workflow move, checking state, role, comment and deadline."""
    campaign = session.get(Campaign, response.campaign_id) if response.campaign_id else None
    if campaign is None:
        raise CampaignError("the response belongs to no campaign")
    if campaign.state != CampaignState.OPEN and move in (Move.SAVE, Move.SUBMIT):
        raise CampaignError("the campaign is not open")
    unit = response.unit
    before = ResponseState(response.status)
    after = next_state(before, move, grants_of(actor), unit.path, comment)
    if move == Move.SUBMIT:
        due = deadline_for(campaign, unit)
        if due is not None:
            extension = extension_for(session, campaign, unit)
            check = check_submission(
                now or utcnow(),
                due,
                LatePolicy(campaign.late_policy),
                extension.until if extension else None,
            )
            if not check.allowed:
                raise CampaignError("the deadline has passed")
            response.late = check.late
        response.submitted_at = now or utcnow()
    if move in (Move.RETURN, Move.REOPEN):
        response.review_comment = comment.strip()
    response.status = after.value
    record(
        session,
        actor,
        f"response.{move.value}",
        response,
        before=before.value,
        after=after.value,
        comment=comment.strip() or None,
    )
    return after
