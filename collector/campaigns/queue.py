"""A reviewer's work queue: the campaign reports waiting for a decision (submitted or
resubmitted, neither accepted nor returned) in the units the reviewer reviews, oldest
submission first, and which of them comes next after a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import scope_clause
from collector.campaigns.lifecycle import CampaignState, Move
from collector.campaigns.services import review_moves, review_scopes
from collector.models import Campaign, FormResponse, OrgUnit, ResponseState, User

WAITING = (ResponseState.SUBMITTED.value, ResponseState.RESUBMITTED.value)
# A decision is taken while a campaign is open, and accepting goes on once it is closed.
DECIDING = (CampaignState.OPEN.value, CampaignState.CLOSED.value)


@dataclass(frozen=True)
class Waiting:
    """A report waiting for the reviewer's decision."""

    campaign: Campaign
    response: FormResponse
    unit: OrgUnit
    parent: OrgUnit | None

    @property
    def order(self) -> tuple[datetime | None, int]:
        return self.response.submitted_at, self.response.id


def review_queue(session: Session, user: User, campaign: Campaign | None = None) -> list[Waiting]:
    """The reports waiting for `user`'s decision (of one campaign, or of all), grouped by
    campaign (newest campaign first), each campaign's oldest submission first. Only those
    the user may accept: in a campaign the user reviews, in a unit below the user's."""
    query = (
        select(FormResponse, Campaign, OrgUnit)
        .join(Campaign, FormResponse.campaign_id == Campaign.id)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.unit_report_key.is_not(None),
            FormResponse.status.in_(WAITING),
            Campaign.state.in_(DECIDING),
            scope_clause(user, Action.REVIEW_REPORTS),
        )
        .order_by(
            Campaign.created_at.desc(), Campaign.id, FormResponse.submitted_at, FormResponse.id
        )
    )
    if campaign is not None:
        query = query.where(FormResponse.campaign_id == campaign.id)
    scopes: dict[int, list[str]] = {}
    found = []
    for response, its_campaign, unit in session.execute(query).all():
        if its_campaign.id not in scopes:
            scopes[its_campaign.id] = review_scopes(user, its_campaign)
        if not any(unit.path.startswith(p) for p in scopes[its_campaign.id]):
            continue
        if Move.ACCEPT not in review_moves(user, response, its_campaign):
            continue  # the user's own unit's report: reviewed above it
        found.append(Waiting(its_campaign, response, unit, unit.parent))
    return found


def next_waiting(
    session: Session, user: User, campaign: Campaign, after: FormResponse
) -> Waiting | None:
    """The report of the same campaign to review after `after`: the next waiting one in
    the queue's order, or (past the end) the first still waiting; never `after` itself."""
    waiting = [w for w in review_queue(session, user, campaign) if w.response.id != after.id]
    if not waiting:
        return None
    mark = (after.submitted_at, after.id)
    return next((w for w in waiting if _later(w.order, mark)), waiting[0])


def _later(one: tuple[datetime | None, int], other: tuple[datetime | None, int]) -> bool:
    # A report never submitted (impossible while waiting, kept for the type) sorts last.
    first = (one[0] is None, one[0] or datetime.min, one[1])
    second = (other[0] is None, other[0] or datetime.min, other[1])
    return first > second
