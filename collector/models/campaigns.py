"""Campaigns: a form version asked of a set of units for one academic year, with deadlines
per level, and the per-unit deadline extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
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
    # Which units must answer: these types, within the owner's subtree or a smaller one,
    # or only the listed units; and which roles may answer for them.
    unit_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    subtree_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    unit_list: Mapped[list[int] | None] = mapped_column(JSON)
    answer_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Surveys: a response rate below this (in %) is flagged as too low to rely on.
    min_response_rate: Mapped[float | None] = mapped_column(Float)

    form_version: Mapped[FormVersion] = relationship(lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship(foreign_keys=[owner_unit_id])
    subtree_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[subtree_unit_id])
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


class SurveyLink(Base):
    """A school's own address for a survey campaign: whoever has the token may answer,
    and every answer counts for that school."""

    __tablename__ = "survey_link"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[OrgUnit] = relationship()


class SurveyBallot(Base):
    """That one browser has answered through one link. Kept apart from the answers, with
    no time, address or user agent, so it cannot tell which answers came from whom."""

    __tablename__ = "survey_ballot"

    # No serial id: ballots numbered in the order they came would line up with the
    # answers' ids.
    link_id: Mapped[int] = mapped_column(
        ForeignKey("survey_link.id", ondelete="CASCADE"), primary_key=True
    )
    browser_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class ReminderSent(Base):
    """One reminder of one kind about one deadline went to one unit; never again."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "kind", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    # "before" or "after" the deadline
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
