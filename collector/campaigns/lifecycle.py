"""The rules of a campaign's life, pure: response states and who may move them, deadlines
entered in a region's time zone and kept in UTC, late policies and per-unit extensions.
The database layer and the pages build on these."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from collector.auth.permissions import ROLE_ACTIONS, Action, Grant
from collector.models.responses import ResponseState


class CampaignState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


CAMPAIGN_MOVES: MappingProxyType[CampaignState, frozenset[CampaignState]] = MappingProxyType(
    {
        CampaignState.DRAFT: frozenset({CampaignState.OPEN}),
        CampaignState.OPEN: frozenset({CampaignState.CLOSED}),
        # A closed campaign may open again (a deadline moved); archived is final.
        CampaignState.CLOSED: frozenset({CampaignState.OPEN, CampaignState.ARCHIVED}),
        CampaignState.ARCHIVED: frozenset(),
    }
)


class Move(enum.StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"


class Actor(enum.StrEnum):
    """Who makes a move: the unit's own respondents, or a reviewer above the unit."""

    RESPONDENT = "respondent"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    to: ResponseState
    by: Actor
    needs_comment: bool = False


S = ResponseState
TRANSITIONS: MappingProxyType[tuple[ResponseState, Move], Transition] = MappingProxyType(
    {
        (S.NOT_STARTED, Move.SAVE): Transition(S.DRAFT, Actor.RESPONDENT),
        (S.DRAFT, Move.SAVE): Transition(S.DRAFT, Actor.RESPONDENT),
        (S.RETURNED, Move.SAVE): Transition(S.RETURNED, Actor.RESPONDENT),
        (S.DRAFT, Move.SUBMIT): Transition(S.SUBMITTED, Actor.RESPONDENT),
        (S.RETURNED, Move.SUBMIT): Transition(S.RESUBMITTED, Actor.RESPONDENT),
        (S.SUBMITTED, Move.RETURN): Transition(S.RETURNED, Actor.REVIEWER, needs_comment=True),
        (S.RESUBMITTED, Move.RETURN): Transition(S.RETURNED, Actor.REVIEWER, needs_comment=True),
        (S.SUBMITTED, Move.ACCEPT): Transition(S.ACCEPTED, Actor.REVIEWER),
        (S.RESUBMITTED, Move.ACCEPT): Transition(S.ACCEPTED, Actor.REVIEWER),
        (S.ACCEPTED, Move.REOPEN): Transition(S.RETURNED, Actor.REVIEWER, needs_comment=True),
    }
)


class MoveRefused(ValueError):
    """The move is not possible from this state, for this user, or without a comment."""


class CommentRequired(MoveRefused):
    """Returning or reopening says what to correct."""


def parent_path(unit_path: str) -> str:
    """ "/1/7/42/" -> "/1/7/"; a root's parent is the whole installation ("")."""
    parts = unit_path.strip("/").split("/")
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else ""


def actor_role(
    grants: Iterable[Grant], unit_path: str, answer_roles: Collection[str] | None = None
) -> set[Actor]:
    """A respondent holds a filling role on the unit itself (a coordinator above it does
    not submit in its place), and one of the campaign's answering roles when it names
    them; a reviewer holds review rights on a unit strictly above it (a municipality does
    not accept its own report)."""
    grants = list(grants)
    roles: set[Actor] = set()
    if any(
        Action.FILL_REPORT in _actions(g)
        and g.unit_path == unit_path
        and (not answer_roles or g.role in answer_roles)
        for g in grants
    ):
        roles.add(Actor.RESPONDENT)
    above = parent_path(unit_path)
    if any(Action.REVIEW_REPORTS in _actions(g) and above.startswith(g.unit_path) for g in grants):
        roles.add(Actor.REVIEWER)
    return roles


def _actions(grant: Grant) -> frozenset[Action]:
    return ROLE_ACTIONS.get(grant.role, frozenset())


def moves_for(
    state: ResponseState,
    grants: Iterable[Grant],
    unit_path: str,
    answer_roles: Collection[str] | None = None,
) -> list[Move]:
    """The moves this holder of grants can make on a response in this state."""
    roles = actor_role(grants, unit_path, answer_roles)
    return [
        move for (start, move), step in TRANSITIONS.items() if start == state and step.by in roles
    ]


def next_state(
    state: ResponseState,
    move: Move,
    grants: Iterable[Grant],
    unit_path: str,
    comment: str = "",
    answer_roles: Collection[str] | None = None,
) -> ResponseState:
    transition = TRANSITIONS.get((state, move))
    if transition is None:
        raise MoveRefused(f"cannot {move} a {state} response")
    if transition.by not in actor_role(grants, unit_path, answer_roles):
        raise MoveRefused(f"{move} needs a {transition.by}")
    if transition.needs_comment and not comment.strip():
        raise CommentRequired(f"{move} needs a comment")
    return transition.to


class LatePolicy(enum.StrEnum):
    REFUSE = "refuse"
    FLAG = "flag"


def deadline_utc(local: datetime, timezone: str) -> datetime:
    """A deadline typed as a wall-clock time in the region's zone, kept in UTC."""
    if local.tzinfo is not None:
        raise ValueError("give the wall-clock time without a time zone")
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def shown_in(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


class SubmissionCheck(NamedTuple):
    allowed: bool
    late: bool


def check_submission(
    now: datetime,
    deadline: datetime,
    policy: LatePolicy,
    extended_to: datetime | None = None,
) -> SubmissionCheck:
    """On time up to and including the deadline (or the unit's extension)."""
    if now.tzinfo is None or deadline.tzinfo is None:
        raise ValueError("compare aware datetimes only")
    effective = max(deadline, extended_to) if extended_to else deadline
    late = now > effective
    return SubmissionCheck(allowed=not late or policy == LatePolicy.FLAG, late=late)
