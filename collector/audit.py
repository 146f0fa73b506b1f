"""Leaving an audit record for every change of data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from collector.models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: Any = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details,
    )
    session.add(event)
    return event
