"""Long work off the request path: one row per job, with its progress, its result file
and, when it fails, its message for the user and its log for the coordinator."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base, UTCDateTime, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_STATES = (JobState.QUEUED.value, JobState.RUNNING.value)
# The longest title a job keeps (longer ones are cut: a title may name an uploaded file).
TITLE_LENGTH = 500


class Job(Base):
    __tablename__ = "job"

    # Random, not a serial number: the id is in the job page's address.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The same work asked again while this one runs gets this job, not a second one.
    dedupe_key: Mapped[str | None] = mapped_column(String(300), index=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    # {"stage": "Ответы", "done": 1200, "total": 50000, "stages": {...}}
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)  # for the user, in plain words
    log: Mapped[str | None] = mapped_column(Text)  # for the coordinator: what went wrong
    result_path: Mapped[str | None] = mapped_column(String(500))
    result_name: Mapped[str | None] = mapped_column(String(300))
    result_type: Mapped[str | None] = mapped_column(String(200))
    # What the page shows when it is done (an import's report: counts and bad rows).
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Coordinators who review this unit may see the job and take its file too.
    scope_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
