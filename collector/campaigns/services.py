"""Running campaigns on behalf of a coordinator: create, open (which creates the expected
responses), extend one unit's deadline, move a response through review. Every change is
audited with what it was before."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action, covers, scope_paths
from collector.auth.services import can, grants_of, require
from collector.campaigns.lifecycle import (
    CAMPAIGN_MOVES,
    CampaignState,
    LatePolicy,
    Move,
    check_submission,
    deadline_utc,
    moves_for,
    next_state,
)
from collector.campaigns.notices import record_notices
from collector.errors import NotInScope
from collector.labels import campaign_state_label
from collector.models import (
    AuditEvent,
    Campaign,
    CampaignDeadline,
    DeadlineExtension,
    FormResponse,
    FormVersion,
    OrgUnit,
    ResponseState,
    SurveyLink,
    User,
)
from collector.models.base import utcnow
from collector.models.units import IN_TREE_ORDER, subtree_clause
from collector.units.tree import effective_timezone


class CampaignError(ValueError):
    """A change the campaign's state does not allow; the message is for the user."""


class DeadlinePassed(CampaignError):
    """Submitted after the deadline (and any extension) under the refusing policy."""


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
    # Who must answer: by default every unit of the owner's subtree whose type answers the
    # form; narrowed to some of those types, to a smaller subtree, or to a list of units.
    unit_types: Sequence[str] = ()
    subtree_unit: OrgUnit | None = None
    unit_list: Sequence[OrgUnit] | None = None
    # The roles that may answer; by default those the form names.
    answer_roles: Sequence[str] = field(default_factory=tuple)
    # Surveys: a response rate below this (%) is flagged.
    min_response_rate: float | None = None


def _check_selection(data: NewCampaign) -> list[str]:
    form_types = list(data.form_version.document["respondents"]["unit_types"])
    unit_types = list(data.unit_types) or form_types
    stray = sorted(set(unit_types) - set(form_types))
    if stray:
        raise CampaignError(_("The form is not answered by: %(types)s.", types=", ".join(stray)))
    if data.subtree_unit is not None and not data.subtree_unit.path.startswith(
        data.owner_unit.path
    ):
        raise CampaignError(_("The subtree lies outside the coordinating organisation."))
    for unit in data.unit_list or ():
        if not unit.path.startswith(data.owner_unit.path) or unit.unit_type not in unit_types:
            raise CampaignError(_("%(code)s cannot answer this campaign.", code=unit.code))
    missing = sorted(set(unit_types) - set(data.deadlines))
    if missing:
        raise CampaignError(_("A deadline is needed for: %(types)s.", types=", ".join(missing)))
    return unit_types


def create_campaign(session: Session, actor: User, data: NewCampaign) -> Campaign:
    require(actor, Action.RUN_CAMPAIGNS, data.owner_unit)
    unit_types = _check_selection(data)
    timezone = effective_timezone(session, data.owner_unit, "Europe/Moscow")
    campaign = Campaign(
        unit_types=unit_types,
        subtree_unit_id=data.subtree_unit.id if data.subtree_unit else None,
        unit_list=[u.id for u in data.unit_list] if data.unit_list is not None else None,
        min_response_rate=data.min_response_rate,
        answer_roles=list(data.answer_roles)
        or list(data.form_version.document["respondents"].get("roles", [])),
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
            if unit_type in unit_types
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


def review_scopes(user: User, campaign: Campaign) -> list[str]:
    """The paths, within the campaign, whose reports the user may see: the campaign's
    whole subtree for a coordinator at or above its owner, their own subtree below it."""
    owner = campaign.owner_unit.path
    found = []
    for path in scope_paths(grants_of(user), Action.REVIEW_REPORTS):
        if covers(path, owner):
            return [owner]
        if covers(owner, path):
            found.append(path)
    return found


def view_root(
    session: Session, user: User, campaign: Campaign, unit_id: int | None
) -> OrgUnit | None:
    """The unit a campaign page is looked at from (None: the default). A unit of the
    campaign that holds or lies in what the user reviews; the counts and values below it
    are always cut to that."""
    if unit_id is None:
        return None
    unit = session.get(OrgUnit, unit_id)
    scopes = review_scopes(user, campaign)
    if (
        unit is None
        or not unit.path.startswith(campaign.owner_unit.path)
        or not any(unit.path.startswith(p) or p.startswith(unit.path) for p in scopes)
    ):
        raise NotInScope(unit_id)
    return unit


def path_to(session: Session, campaign: Campaign, unit: OrgUnit) -> list[OrgUnit]:
    """The units from the campaign's owner down to `unit`, for breadcrumbs."""
    ids = [int(i) for i in unit.path.strip("/").split("/")][campaign.owner_unit.depth :]
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [units[i] for i in ids if i in units]


def visible_campaigns(session: Session, user: User) -> list[Campaign]:
    """Campaigns whose subtree overlaps what the user reviews, newest first."""
    campaigns = session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    return [c for c in campaigns if review_scopes(user, c)]


def get_campaign(session: Session, user: User, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not review_scopes(user, campaign):
        raise NotInScope(campaign_id)
    return campaign


def may_run(user: User, campaign: Campaign) -> bool:
    return can(user, Action.RUN_CAMPAIGNS, campaign.owner_unit)


def assigned_units(session: Session, campaign: Campaign) -> list[OrgUnit]:
    """The active units that must answer, in tree order."""
    unit_types = campaign.unit_types or campaign.form_version.document["respondents"]["unit_types"]
    root = campaign.subtree_unit or campaign.owner_unit
    query = select(OrgUnit).where(
        subtree_clause(root.path),
        OrgUnit.unit_type.in_(unit_types),
        OrgUnit.is_active.is_(True),
    )
    if campaign.unit_list is not None:
        query = query.where(OrgUnit.id.in_(campaign.unit_list))
    return list(session.scalars(query.order_by(*IN_TREE_ORDER)))


def is_survey(campaign: Campaign) -> bool:
    return bool(campaign.form_version.document["kind"] == "survey")


def report_key(campaign: Campaign, unit_id: int) -> str:
    return f"campaign:{campaign.id}:{unit_id}"


def _move_campaign(session: Session, actor: User, campaign: Campaign, to: CampaignState) -> None:
    require(actor, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    current = CampaignState(campaign.state)
    if to not in CAMPAIGN_MOVES[current]:
        raise CampaignError(
            _(
                "The campaign is %(now)s: it cannot become %(then)s.",
                now=campaign_state_label(current),
                then=campaign_state_label(to),
            )
        )
    campaign.state = to.value
    record(session, actor, f"campaign.{to.value}", campaign, before=current.value)


def open_campaign(session: Session, actor: User, campaign: Campaign) -> int:
    """Open it and create an expected, not-started response for every assigned unit, so
    that who has not answered is known from the first minute (for a survey: a link for
    every assigned unit). Returns how many were made."""
    _move_campaign(session, actor, campaign, CampaignState.OPEN)
    campaign.opened_at = campaign.opened_at or utcnow()
    if is_survey(campaign):
        return _make_survey_links(session, campaign)
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


def _make_survey_links(session: Session, campaign: Campaign) -> int:
    existing = set(
        session.scalars(select(SurveyLink.unit_id).where(SurveyLink.campaign_id == campaign.id))
    )
    links = [
        # 192 random bits: not guessable, and short enough for a QR code a phone reads.
        SurveyLink(campaign_id=campaign.id, unit_id=unit.id, token=secrets.token_urlsafe(24))
        for unit in assigned_units(session, campaign)
        if unit.id not in existing
    ]
    session.add_all(links)
    session.flush()
    return len(links)


def close_campaign(session: Session, actor: User, campaign: Campaign) -> None:
    _move_campaign(session, actor, campaign, CampaignState.CLOSED)


def campaign_moves(campaign: Campaign) -> frozenset[CampaignState]:
    return CAMPAIGN_MOVES[CampaignState(campaign.state)]


def move_campaign(session: Session, actor: User, campaign: Campaign, to: CampaignState) -> int:
    """Open (creating what is expected; returns how many), close or archive."""
    if to == CampaignState.OPEN:
        return open_campaign(session, actor, campaign)
    _move_campaign(session, actor, campaign, to)
    return 0


def move_allowed_in(campaign: Campaign, move: Move) -> bool:
    """Filling, submitting, returning and reopening need an open campaign (a returned
    report must be fillable again); accepting goes on after closing; nothing happens in
    an archive."""
    if campaign.state == CampaignState.OPEN:
        return True
    return campaign.state == CampaignState.CLOSED and move == Move.ACCEPT


def review_moves(actor: User, response: FormResponse, campaign: Campaign) -> list[Move]:
    """The review moves (not saving or submitting) the actor can make on the response."""
    if response.unit_report_key is None:
        return []  # a survey answer is nobody's report to review
    return [
        move
        for move in moves_for(
            ResponseState(response.status),
            grants_of(actor),
            response.unit.path,
            campaign.answer_roles or None,
        )
        if move in (Move.RETURN, Move.ACCEPT, Move.REOPEN) and move_allowed_in(campaign, move)
    ]


@dataclass(frozen=True)
class TrailEntry:
    event: AuditEvent
    who: str

    @property
    def is_decision(self) -> bool:
        return self.event.action in DECISIONS


# The reviewer's decisions on a report, in the audit's words.
DECISIONS = frozenset(f"response.{m.value}" for m in (Move.RETURN, Move.ACCEPT, Move.REOPEN))


def audit_trail(session: Session, response: FormResponse) -> list[TrailEntry]:
    """Every change of the response's data and state, newest first, with who made it."""
    rows = session.execute(
        select(AuditEvent, User.full_name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.object_type == "form_response", AuditEvent.object_id == response.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    return [TrailEntry(event, name or "—") for event, name in rows]


def latest_decision(trail: Sequence[TrailEntry]) -> TrailEntry | None:
    """The reviewer's latest decision (return, accept, reopen) in a newest-first trail:
    its comment, if any, is the one the organisation reads now; older ones are history."""
    return next((entry for entry in trail if entry.is_decision), None)


def deadline_for(campaign: Campaign, unit: OrgUnit) -> datetime | None:
    return next((d.due_at for d in campaign.deadlines if d.unit_type == unit.unit_type), None)


def extension_for(session: Session, campaign: Campaign, unit: OrgUnit) -> DeadlineExtension | None:
    return session.scalar(
        select(DeadlineExtension).where(
            DeadlineExtension.campaign_id == campaign.id, DeadlineExtension.unit_id == unit.id
        )
    )


def effective_deadline(session: Session, campaign: Campaign, unit: OrgUnit) -> datetime | None:
    due = deadline_for(campaign, unit)
    extension = extension_for(session, campaign, unit)
    if extension is not None and due is not None:
        return max(due, extension.until)
    return due


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
    if campaign.state != CampaignState.OPEN:
        raise CampaignError(_("The campaign is not open."))
    response = unit_report(session, campaign, unit)
    link = session.scalar(
        select(SurveyLink).where(
            SurveyLink.campaign_id == campaign.id, SurveyLink.unit_id == unit.id
        )
    )
    if response is None and link is None:
        raise CampaignError(_("This organisation does not answer this campaign."))
    if not reason.strip():
        raise CampaignError(_("An extension needs a reason."))
    until = deadline_utc(local_until, campaign.timezone)
    due = deadline_for(campaign, unit)
    if due is not None and until <= due:
        raise CampaignError(_("The new deadline must be later than the campaign's deadline."))
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
    if response is not None:
        # In the report's own history too, where its reviewers read it.
        record(
            session,
            actor,
            "response.extend",
            response,
            before=before,
            after=until.isoformat(),
            comment=reason.strip(),
        )
    return extension


def unit_report(session: Session, campaign: Campaign, unit: OrgUnit) -> FormResponse | None:
    return session.scalar(
        select(FormResponse).where(FormResponse.unit_report_key == report_key(campaign, unit.id))
    )


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
        raise CampaignError(_("The report belongs to no campaign."))
    if not move_allowed_in(campaign, move):
        raise CampaignError(_("The campaign is not open."))
    unit = response.unit
    before = ResponseState(response.status)
    after = next_state(
        before, move, grants_of(actor), unit.path, comment, campaign.answer_roles or None
    )
    if move == Move.SUBMIT:
        due = deadline_for(campaign, unit)
        # Only the first submission meets the deadline: a report returned for corrections
        # goes back when the reviewer's round allows, and keeps its on-time mark.
        if due is not None and before == ResponseState.DRAFT:
            extension = extension_for(session, campaign, unit)
            check = check_submission(
                now or utcnow(),
                due,
                LatePolicy(campaign.late_policy),
                extension.until if extension else None,
            )
            if not check.allowed:
                raise DeadlinePassed(_("The deadline has passed."))
            response.late = check.late
        response.submitted_at = now or utcnow()
    if move in (Move.RETURN, Move.REOPEN, Move.ACCEPT):
        # The comment of the latest decision: accepting leaves an earlier return's
        # comment to the history, not to the report.
        response.review_comment = comment.strip() or None
    response.status = after.value
    decision = record(
        session,
        actor,
        f"response.{move.value}",
        response,
        before=before.value,
        after=after.value,
        comment=comment.strip() or None,
    )
    record_notices(session, response, campaign, move, decision, comment)
    return after
