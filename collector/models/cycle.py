"""After a campaign's analysis: the recommendations a coordinator sends to the units that
miss, and the measures (managerial decisions) recorded with the indicators they aim at."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.campaigns import Campaign
from collector.models.units import OrgUnit


class RecommendationState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"


class Recommendation(Base):
    """One unit's recommendation after one campaign: drafted from the form's declared
    recommendations its misses propose, edited by the coordinator, sent, acknowledged."""

    __tablename__ = "recommendation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id"),
        CheckConstraint("status IN ('draft', 'sent', 'acknowledged')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # The recipient, and the territory whose analysis proposed it (the sender's).
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    # What proposed it: the form's recommendation ids, and [indicator, [reasons]] misses.
    proposed: Mapped[list[str]] = mapped_column(JSON, default=list)
    misses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=RecommendationState.DRAFT)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id])
    territory: Mapped[OrgUnit] = relationship(foreign_keys=[territory_id])


class RecommendationMail(Base):
    """A sent recommendation e-mailed to one of its recipients, at most once: claimed
    (mailed_at set) just before the message goes, released if the server refuses it."""

    __tablename__ = "recommendation_mail"
    __table_args__ = (UniqueConstraint("recommendation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeasureState(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Measure(Base):
    """A measure or managerial decision taken on a campaign's analysis (Kaluga п. 13,
    Omsk appendix 4): its kind from the document's list, who is responsible, when, the
    units it concerns, the indicators it aims at, and the act that records it."""

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # The territory that decided it (its coordinators keep the register).
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    responsible_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="SET NULL")
    )
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The order or protocol that records the decision («приказ от … № …»).
    act: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=MeasureState.PLANNED)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    territory: Mapped[OrgUnit] = relationship(foreign_keys=[territory_id])
    responsible_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[responsible_unit_id])
