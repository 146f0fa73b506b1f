"""Rows that each mail one user once (review notices, sent recommendations): written in
the transaction of what they tell, then mailed by a job, each claimed (mailed_at set and
committed) just before its message goes and released if the server refuses it, so a job
run again, or two at once, never sends one twice."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from collector.mail import send_claimed, usable_address
from collector.models import User
from collector.models.base import utcnow

Row = TypeVar("Row")


def waiting(session: Session, model: type[Any], *where: ColumnElement[bool]) -> int:
    """How many rows of `model` matching `where` are not mailed yet and have a user with
    an address (nothing to start a job for without one)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(model)
            .join(User, User.id == model.user_id)
            .where(
                *where,
                model.mailed_at.is_(None),
                User.email.is_not(None),
                User.email != "",
            )
        )
        or 0
    )


@dataclass
class OutboxRun:
    sent: int = 0
    no_address: int = 0  # no usable address, or the account closed: nothing sent, not claimed
    refused: int = 0  # refused by the server: tried again by the next run


def mail_rows(
    session: Session,
    config: Mapping[str, Any],
    model: type[Any],
    rows: Sequence[Row],
    compose: Callable[[Row, str], EmailMessage],
) -> OutboxRun:
    """Mail each of `rows` (of `model`: id, user_id, mailed_at) not mailed yet to its
    user's address, composed by `compose(row, address)`."""
    run = OutboxRun()
    addressed = []
    for row in rows:
        user = session.get(User, getattr(row, "user_id", None))
        # An account closed since the row was written is mailed nothing.
        active = user is not None and user.is_active_account
        address = usable_address(user.email) if active and user is not None else None
        if address is None:
            run.no_address += 1
        else:
            addressed.append((row, address))
    sent, refused = send_claimed(
        config,
        addressed,
        lambda item: _mark(session, model, getattr(item[0], "id", None), claim=True),
        lambda row_id: _mark(session, model, row_id, claim=False),
        lambda item: compose(*item),
    )
    run.sent, run.refused = len(sent), len(refused)
    return run


def _mark(session: Session, model: type[Any], row_id: Any, *, claim: bool) -> Any:
    """Claim the row (mailed now), committed at once: of two runs only the one whose
    update finds it unmailed gets its id back. Without `claim`, release it."""
    query = update(model).where(model.id == row_id)
    if claim:
        query = query.where(model.mailed_at.is_(None))
    done = session.execute(
        query.values(mailed_at=utcnow() if claim else None).execution_options(
            synchronize_session=False
        )
    )
    session.commit()
    return row_id if getattr(done, "rowcount", 0) else None
