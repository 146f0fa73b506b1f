"""Who has answered a campaign: counts by status under each unit of one level of the
tree, the list of units that have not submitted with whom to contact, and for surveys
the number of answers per unit. Always within what the user may review."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.auth.permissions import ROLE_ACTIONS, Action
from collector.campaigns.services import effective_deadline, review_scopes
from collector.models import (
    Campaign,
    FormResponse,
    OrgUnit,
    ResponseState,
    Role,
    RoleAssignment,
    SurveyLink,
    User,
)
from collector.models.units import IN_TREE_ORDER, in_tree_order, subtree_clause, subtrees_clause

# Columns of the completeness table, in the order of the workflow.
STATUSES = tuple(ResponseState)
# A report is with its school (not yet handed in) in these states.
NOT_SUBMITTED = (ResponseState.NOT_STARTED, ResponseState.DRAFT, ResponseState.RETURNED)
DONE = (ResponseState.SUBMITTED, ResponseState.RESUBMITTED, ResponseState.ACCEPTED)


def default_root(session: Session, campaign: Campaign, scopes: list[str]) -> OrgUnit:
    """The campaign's owner, or the one unit below it that is all the user reviews."""
    if len(scopes) == 1 and scopes[0] != campaign.owner_unit.path:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.path == scopes[0]))
        if unit is not None:
            return unit
    return campaign.owner_unit


def _unit_of(row: Tally) -> OrgUnit:
    return row.unit


@dataclass
class Tally:
    """Counts under one unit of the level shown."""

    unit: OrgUnit
    counts: Counter[str] = field(default_factory=Counter)
    late: int = 0
    # When the row is itself an answering unit: its response.
    response: FormResponse | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def submitted(self) -> int:
        return sum(self.counts[s] for s in DONE)

    def percent(self, *statuses: str) -> float:
        return 100 * sum(self.counts[s] for s in statuses) / self.total if self.total else 0.0


@dataclass
class Completeness:
    root: OrgUnit
    rows: list[Tally]
    overall: Tally


def completeness(
    session: Session, user: User, campaign: Campaign, root: OrgUnit | None = None
) -> Completeness:
    """Counts of responses by status under each child of `root` (default: the top the
    user sees), only over the units the user may review."""
    scopes = review_scopes(user, campaign)
    if not scopes:
        return Completeness(campaign.owner_unit, [], Tally(campaign.owner_unit))
    if root is None:
        root = default_root(session, campaign, scopes)
    responses = session.execute(
        select(FormResponse, OrgUnit.path)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_report_key.is_not(None),
            subtree_clause(root.path),
            subtrees_clause(scopes),
        )
    ).all()
    child_ids: dict[int, list[tuple[FormResponse, str]]] = defaultdict(list)
    for response, path in responses:
        ids = path.strip("/").split("/")
        child = int(ids[root.depth + 1]) if len(ids) > root.depth + 1 else root.id
        child_ids[child].append((response, path))
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(child_ids)))}
    rows = []
    overall = Tally(root)
    for child_id, items in child_ids.items():
        tally = Tally(units[child_id])
        for response, _path in items:
            tally.counts[response.status] += 1
            overall.counts[response.status] += 1
            tally.late += response.late
            overall.late += response.late
            if response.unit_id == child_id:
                tally.response = response
        rows.append(tally)
    return Completeness(root, in_tree_order(rows, _unit_of), overall)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None


@dataclass
class Missing:
    """A unit that has not submitted, and whom to ask."""

    unit: OrgUnit
    parent: OrgUnit | None
    response: FormResponse
    due_at: datetime | None
    contacts: list[Contact]


# Who fills a unit's reports in (and so is the one to ask when no contact is recorded).
ANSWERING_ROLES = [
    role
    for role, actions in ROLE_ACTIONS.items()
    if Action.FILL_REPORT in actions and role != Role.ADMIN
]


def contacts_of(session: Session, units: list[OrgUnit]) -> dict[int, list[Contact]]:
    """The unit's contact person, or when none is recorded the accounts that answer for
    it (a school's respondents, a municipality's coordinators)."""
    found: dict[int, list[Contact]] = {
        u.id: [Contact(u.contact_name or "", u.contact_email, u.contact_phone)]
        for u in units
        if u.contact_name or u.contact_email or u.contact_phone
    }
    without = [u.id for u in units if u.id not in found]
    if without:
        rows = session.execute(
            select(RoleAssignment.unit_id, User)
            .join(User, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.unit_id.in_(without),
                RoleAssignment.role.in_(ANSWERING_ROLES),
                User.is_active_account.is_(True),
            )
            .order_by(User.full_name)
        ).all()
        for unit_id, user in rows:
            assert unit_id is not None  # matched in_(without)
            found.setdefault(unit_id, []).append(Contact(user.full_name, user.email, None))
    return found


def not_submitted(
    session: Session, user: User, campaign: Campaign, root: OrgUnit | None = None
) -> list[Missing]:
    scopes = review_scopes(user, campaign)
    if not scopes:
        return []
    query = (
        select(FormResponse)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_report_key.is_not(None),
            FormResponse.status.in_([s.value for s in NOT_SUBMITTED]),
            subtrees_clause(scopes),
        )
    )
    if root is not None:
        query = query.where(subtree_clause(root.path))
    responses = list(session.scalars(query.order_by(*IN_TREE_ORDER)))
    units = [r.unit for r in responses]
    contacts = contacts_of(session, units)
    parents = {
        u.id: u
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_({u.parent_id for u in units if u.parent_id}))
        )
    }
    return [
        Missing(
            r.unit,
            parents.get(r.unit.parent_id) if r.unit.parent_id else None,
            r,
            effective_deadline(session, campaign, r.unit),
            contacts.get(r.unit_id, []),
        )
        for r in responses
    ]


@dataclass
class SurveyCount:
    link: SurveyLink
    answers: int


def survey_counts(session: Session, user: User, campaign: Campaign) -> list[SurveyCount]:
    """For a survey campaign: each link of a unit the user may review, with its answers."""
    scopes = review_scopes(user, campaign)
    if not scopes:
        return []
    answers = dict(
        session.execute(
            select(FormResponse.unit_id, func.count())
            .where(FormResponse.campaign_id == campaign.id)
            .group_by(FormResponse.unit_id)
        ).all()
    )
    links = session.scalars(
        select(SurveyLink)
        .join(OrgUnit, SurveyLink.unit_id == OrgUnit.id)
        .where(SurveyLink.campaign_id == campaign.id, subtrees_clause(scopes))
        .order_by(*IN_TREE_ORDER)
    )
    return [SurveyCount(link, answers.get(link.unit_id, 0)) for link in links]
