"""Registry records: a unit's entries in a registry form (a professional trial, a profile
class), each with its passport. Records live across campaigns and form versions; every
change leaves a revision behind, so a record's history can be read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.forms import FormVersion
from collector.models.units import OrgUnit
from collector.models.users import User

ACTIVE = "active"
ARCHIVED = "archived"


class RegistryRecord(Base):
    __tablename__ = "registry_record"
    __table_args__ = (Index("ix_registry_record_form_unit", "form_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The registry's stable form id; the version is the one the record was last saved on.
    form_id: Mapped[str] = mapped_column(String(64))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    # The passport's naming field, kept apart for lists and sorting.
    title: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Counts the saves; an edit made on an older revision is refused, not merged.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    form_version: Mapped[FormVersion] = relationship()
    revisions: Mapped[list[RegistryRevision]] = relationship(
        back_populates="record",
        order_by="RegistryRevision.revision.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class RegistryRevision(Base):
    """A record as one save left it: the record's history."""

    __tablename__ = "registry_revision"
    __table_args__ = (UniqueConstraint("record_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("registry_record.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    # "created", "edited", "archived", "restored"
    change: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    record: Mapped[RegistryRecord] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()
