"""A campaign's unit reports as the API reads them: filtered by a unit's subtree, status
and last change, a page at a time in the order of their last change (a client keeps in
step by asking for what changed since its last page). Scoped as the pages are: a
reviewer sees the reports of what they review (collector.campaigns.services.review_scopes),
a respondent their own units' (the units where they may fill a report). Survey answers
are not served one by one (they are anonymous; their counts are in the indicators)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from collector.api.resources import campaign_of, unit_json
from collector.auth.permissions import Action, scope_paths
from collector.auth.services import grants_of
from collector.campaigns.services import review_scopes
from collector.errors import NotInScope
from collector.models import Campaign, FormResponse, OrgUnit, User
from collector.models.units import subtree_clause, subtrees_clause

MAX_PAGE = 500
DEFAULT_PAGE = 100
_CURSOR_SALT = "collector.api.responses.cursor"


@dataclass(frozen=True)
class Filters:
    unit_id: int | None = None
    status: str | None = None
    updated_since: datetime | None = None

    def key(self, campaign_id: int) -> str:
        """A short digest of the campaign and filters a cursor was made for."""
        text = json.dumps(
            [
                campaign_id,
                self.unit_id,
                self.status,
                self.updated_since.isoformat() if self.updated_since else None,
            ]
        )
        return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:9]).decode()


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last report's change time and id."""

    updated_at: datetime
    id: int


class BadCursor(ValueError):
    """A cursor not made by this server, or for another campaign or filters."""


def encode_cursor(secret: str, campaign_id: int, filters: Filters, at: Position) -> str:
    serializer = URLSafeSerializer(secret, salt=_CURSOR_SALT)
    return serializer.dumps([filters.key(campaign_id), at.updated_at.isoformat(), at.id])


def decode_cursor(secret: str, campaign_id: int, filters: Filters, cursor: str) -> Position:
    serializer = URLSafeSerializer(secret, salt=_CURSOR_SALT)
    try:
        key, updated_at, response_id = serializer.loads(cursor)
        if key != filters.key(campaign_id):
            raise BadCursor(cursor)
        return Position(datetime.fromisoformat(updated_at), int(response_id))
    except (BadSignature, ValueError, TypeError) as error:
        raise BadCursor(cursor) from error


def _visible_paths(user: User, campaign: Campaign) -> list[str]:
    """The subtrees whose reports the user sees on the pages: what they review, and the
    units they answer for."""
    paths = set(review_scopes(user, campaign))
    paths.update(scope_paths(grants_of(user), Action.FILL_REPORT))
    return sorted(paths)


def _unit_in_view(session: Session, unit_id: int, paths: Sequence[str]) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not any(unit.path.startswith(p) or p.startswith(unit.path) for p in paths):
        raise NotInScope(unit_id)
    return unit


def responses_page(
    session: Session,
    user: User,
    campaign_id: int,
    filters: Filters,
    after: Position | None = None,
    limit: int = DEFAULT_PAGE,
) -> tuple[list[FormResponse], Position | None]:
    """One page of the campaign's unit reports the user sees, oldest change first, and
    where the next page starts (None: this is the last)."""
    campaign = campaign_of(session, user, campaign_id)
    paths = _visible_paths(user, campaign)
    if not paths:
        raise NotInScope(campaign_id)
    query = (
        select(FormResponse)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_report_key.is_not(None),
            subtrees_clause(paths),
        )
    )
    if filters.unit_id is not None:
        unit = _unit_in_view(session, filters.unit_id, paths)
        query = query.where(subtree_clause(unit.path))
    if filters.status is not None:
        query = query.where(FormResponse.status == filters.status)
    if filters.updated_since is not None:
        query = query.where(FormResponse.updated_at >= filters.updated_since)
    if after is not None:
        query = query.where(
            or_(
                FormResponse.updated_at > after.updated_at,
                and_(FormResponse.updated_at == after.updated_at, FormResponse.id > after.id),
            )
        )
    limit = max(1, min(limit, MAX_PAGE))
    found = list(
        session.scalars(query.order_by(FormResponse.updated_at, FormResponse.id).limit(limit + 1))
    )
    if len(found) <= limit:
        return found, None
    page = found[:limit]
    return page, Position(page[-1].updated_at, page[-1].id)


def response_json(response: FormResponse) -> dict[str, Any]:
    return {
        "id": response.id,
        "campaign": response.campaign_id,
        "unit": unit_json(response.unit),
        "form_id": response.form_id,
        "form_version": response.form_version.version,
        "status": response.status,
        "revision": response.revision,
        "late": response.late,
        "review_comment": response.review_comment,
        "answers": response.answers,
        "updated_at": response.updated_at,
        "submitted_at": response.submitted_at,
    }
