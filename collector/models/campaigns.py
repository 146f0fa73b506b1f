"""Campaigns: a form version asked of a set of units for one academic year, with deadlines
per level, and the per-unit deadline extensions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.forms import FormVersion
from collector.models.units import OrgUnit


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    # The coordinating unit: a region, or a city department; the campaign covers its subtree.
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    late_policy: Mapped[str] = mapped_column(String(16), default="flag")
    # Deadlines are typed and shown in this zone and stored in UTC.
    timezone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    form_version: Mapped[FormVersion] = relationship(lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship()
    deadlines: Mapped[list[CampaignDeadline]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", lazy="selectin"
    )


class CampaignDeadline(Base):
    """One deadline per level (unit type): schools by one date, municipalities later."""

    __tablename__ = "campaign_deadline"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_type: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship(back_populates="deadlines")


class DeadlineExtension(Base):
    __tablename__ = "deadline_extension"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
