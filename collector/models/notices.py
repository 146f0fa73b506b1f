"""What a user is told about their unit's report: a reviewer returned, accepted or
reopened it. One row per decision and recipient (the decision is its audit record), so a
notice is e-mailed at most once and shown on the start page until it is marked read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.responses import FormResponse


class ReviewNotice(Base):
    __tablename__ = "review_notice"
    __table_args__ = (
        UniqueConstraint("decision_id", "user_id"),
        # The start page asks for one user's unread notices.
        Index("ix_review_notice_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("form_response.id", ondelete="CASCADE"), index=True
    )
    move: Mapped[str] = mapped_column(String(16))  # return, accept or reopen
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Claimed just before the message goes; cleared again if the server refuses it.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    response: Mapped[FormResponse] = relationship()
