"""Users and their roles, each role bound to an org unit (and so to its subtree)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.units import OrgUnit


class Role(enum.StrEnum):
    ADMIN = "admin"
    # Designs forms and runs campaigns in its subtree: a region, or a city department
    # (Tomsk, Omsk, Nevinnomyssk) bound to its municipality unit.
    REGIONAL_COORDINATOR = "regional_coordinator"
    MUNICIPAL_COORDINATOR = "municipal_coordinator"
    SCHOOL_RESPONDENT = "school_respondent"


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Login name; stored lower-case so logins are case-insensitive.
    username: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change so other sessions of the user stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_account

    def get_id(self) -> str:
        # The session version makes a password change log out the user's other sessions.
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt, a memory-hard scheme.
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RoleAssignment(Base):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "unit_id"),
        CheckConstraint(
            "role IN ('admin', 'regional_coordinator', 'municipal_coordinator', "
            "'school_respondent')",
            name="role",
        ),
        # Only an admin grant may be installation-wide (no unit).
        CheckConstraint("unit_id IS NOT NULL OR role = 'admin'", name="unit_required"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    # Null only for an installation-wide admin.
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[OrgUnit | None] = relationship(lazy="joined")

    @property
    def unit_path(self) -> str:
        # The empty path is a prefix of every path: the whole installation.
        return self.unit.path if self.unit is not None else ""
