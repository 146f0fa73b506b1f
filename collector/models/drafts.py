"""Form drafts: a form schema being designed in the browser. The draft holds the schema
document itself (valid or not yet), so that nothing about a form lives only in the
designer; publishing compiles it into an immutable FormVersion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.forms import FormVersion
from collector.models.units import OrgUnit

DRAFT = "draft"
PUBLISHED = "published"
DISCARDED = "discarded"


class FormDraft(Base):
    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The document's id and title at the last save, for lists (the document may be invalid).
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(500))
    # The unit the form is designed for: its coordinators may edit the draft, and the
    # published form belongs to it. None: the whole installation (an admin's).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    # The published version it started from (a copy or a new version of it).
    base_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", ondelete="SET NULL")
    )
    # True: the next version of the base version's form (its id cannot change);
    # False: a form of its own (from nothing, a copy, an upload).
    new_version: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Counts the saves; a save from an older page is refused, not merged.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", ondelete="SET NULL")
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[OrgUnit | None] = relationship()
    base_version: Mapped[FormVersion | None] = relationship(foreign_keys=[base_version_id])
    published_version: Mapped[FormVersion | None] = relationship(
        foreign_keys=[published_version_id]
    )
