"""Published form versions. A version never changes once published; responses point at
the version they answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base, UTCDateTime, utcnow


class FormVersion(Base):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    # Assigned at publication: 1, 2, 3 … per form_id, whatever the file declared.
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(32))
    # Loaded only when read: a published version never changes and is compiled once per
    # process (spec_of), so the queries that pass through versions (every answer, every
    # report row) must not fetch and decode a document of up to half a megabyte each time.
    document: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # SHA-256 of the canonical document without its version number: an unchanged file
    # published again is recognised and not made a new version.
    checksum: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The unit the form belongs to (the one it was designed for, or named by `flask schemas
    # load --owner`): its territory sees and is offered the form (and the system and the
    # registry it makes; collector.auth.permissions.owner_in_territory), and its
    # coordinators make the next version in the designer. None: the whole installation's,
    # offered to everyone; only an admin revises it.
    owner_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="SET NULL"), index=True
    )
