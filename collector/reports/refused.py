"""Stored values no door accepts now (a number past 2^53, NaN, text with a NUL, let in by
an older version): the report names them, the engine and the exports count them as
missing, and a coordinator who reviews the unit can void them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import require
from collector.errors import NotInScope
from collector.models import Campaign, FormResponse, User
from collector.models.base import utcnow
from collector.schema.kinds import refused_answers
from collector.schema.spec import FormSpec
from collector.schema.values import RefusedAnswer, without_value

# The report lists this many; the count says how many there are in all.
LISTED = 200
# A posted path: a field id, then a grid's row and column or a table's row and column.
_MAX_PATH_TEXT = 300


@dataclass(frozen=True)
class RefusedValue:
    response_id: int
    unit_id: int
    field_id: str
    path: str  # JSON of the path inside the answers, posted back to void it
    shown: str


@dataclass(frozen=True)
class Refused:
    total: int
    listed: tuple[RefusedValue, ...]


def find_refused(spec: FormSpec, responses: Iterable[tuple[int, int, Any]]) -> Refused:
    """Over (response id, unit id, answers) rows: every refused value, the first LISTED
    of them kept for the page."""
    listed: list[RefusedValue] = []
    total = 0
    for response_id, unit_id, answers in responses:
        if not isinstance(answers, dict):
            continue
        for found in refused_answers(spec, answers):
            total += 1
            if len(listed) < LISTED:
                listed.append(refused_value(response_id, unit_id, found))
    return Refused(total, tuple(listed))


def refused_value(response_id: int, unit_id: int, found: RefusedAnswer) -> RefusedValue:
    return RefusedValue(
        response_id, unit_id, found.field_id, json.dumps(list(found.path)), found.shown()
    )


def parse_path(text: str) -> tuple[str | int, ...] | None:
    """A posted path, checked for shape: a JSON list of one to three strings or
    numbers, short. Anything else is None."""
    if not text or len(text) > _MAX_PATH_TEXT:
        return None
    try:
        path = json.loads(text)
    except ValueError:
        return None
    if not isinstance(path, list) or not 1 <= len(path) <= 3:
        return None
    if not all(
        isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) for p in path
    ):
        return None
    if not isinstance(path[0], str):
        return None
    return tuple(path)


def void_value(
    session: Session,
    user: User,
    campaign: Campaign,
    spec: FormSpec,
    response_id: int,
    path: Sequence[str | int],
) -> bool:
    """Remove one refused value from a response of the campaign (audited). Only a value
    that is refused can be voided this way; False when the path names none (already
    voided, or a valid value)."""
    response = session.get(FormResponse, response_id)
    if response is None or response.campaign_id != campaign.id:
        raise NotInScope(response_id)
    require(user, Action.REVIEW_REPORTS, response.unit)
    answers = response.answers if isinstance(response.answers, dict) else {}
    target = next((f for f in refused_answers(spec, answers) if f.path == tuple(path)), None)
    if target is None:
        return False
    response.answers = without_value(answers, target.path)
    response.revision += 1
    response.updated_at = utcnow()
    record(
        session,
        user,
        "response.void",
        response,
        path=list(target.path),
        value=target.shown(200),
    )
    return True
