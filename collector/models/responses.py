"""Responses to published forms: answers stored as JSON by field id, with a status and a
revision number that detects two people saving over each other."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.forms import FormVersion
from collector.models.units import OrgUnit


class ResponseState(enum.StrEnum):
    """Where a response stands (FormResponse.status); collector.campaigns.lifecycle says
    who may move it where."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    ACCEPTED = "accepted"


class FormResponse(Base):
    __tablename__ = "form_response"
    # A survey answer's submission key is unique per link (campaign and school), so a
    # browser's retried send is the answer already stored, never a second one.
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "submission_key"),
        # A report's data stamp counts a campaign's responses and finds its last save on
        # every view: read from this index alone, not the table (issue 22).
        Index("ix_form_response_campaign_id_updated_at", "campaign_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Null for a response made outside any campaign.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # The reviewer's comment when returned or reopened, shown to the respondents.
    review_comment: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "form_id:unit_id" (or "campaign:N:unit_id") for a unit report, which has one response
    # per unit; unique, so two first saves at once cannot make two. Null for surveys.
    unit_report_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # A survey answer: the random key of the page it was sent from (made when the page was
    # shown, not tied to the browser). Null for unit reports and for answers sent without.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ResponseState.DRAFT.value)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The warnings (soft rules) the respondents confirmed, by rule id: {"comment", "by",
    # "at", "values"} (collector.entry.services.Confirmation). Apart from the answers, so
    # that nothing reading answers (indicators, exports, diffs) meets them.
    confirmations: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    form_version: Mapped[FormVersion] = relationship(lazy="joined")
    unit: Mapped[OrgUnit] = relationship()


class CampaignDataVersion(Base):
    """A mark drawn anew (a random number, never a count that could come back to an
    earlier value after a restore) whenever a campaign's responses change: a report's
    data stamp reads these few rows instead of counting a national campaign's million
    responses on every view. Kept by the database itself (triggers on form_response,
    migration 0023_campaign_data_version), so that every way a response is written,
    deleted or moved counts, the survey's bare insert and a cascade too. On PostgreSQL
    each connection marks a shard of its own, so that answers from several workers do
    not queue on one row until they commit. No foreign key: a campaign's deletion
    deletes its responses, whose triggers still mark here.

    A migration that rebuilds form_response on SQLite (batch mode copies the table)
    drops its triggers: it must create them again (tests/reports/test_data_stamp.py
    fails without them)."""

    __tablename__ = "campaign_data_version"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    mark: Mapped[int] = mapped_column(BigInteger)
