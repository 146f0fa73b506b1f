"""Login sessions kept on the server. The browser's signed cookie names one by a random id,
and it counts only while its record here is live: logging out ends it for every app
process, and a copied cookie is worth nothing afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.users import User


class UserSession(Base):
    __tablename__ = "user_session"

    # secrets.token_urlsafe(32): 43 characters.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Refreshed at most every few minutes, not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Joined: each request reads the session and its user in one primary-key lookup.
    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<UserSession of user {self.user_id}>"
