"""Authentication and the one authorisation service every view asks."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.security import check_password_hash, generate_password_hash

from collector.auth.permissions import Action, Grant, allowed, allowed_anywhere, scope_paths
from collector.errors import ActionForbidden, NotInScope
from collector.models import OrgUnit, User
from collector.models.base import utcnow
from collector.models.units import subtrees_clause

MIN_PASSWORD_LENGTH = 10
# Checked when the login name is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why a new password is not acceptable (a message for the user), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if username is not None and password.strip().lower() == username:
        return str(_("The password must differ from the login."))
    return None


def grants_of(user: User) -> list[Grant]:
    return [Grant(role=r.role, unit_path=r.unit_path) for r in user.roles]


def can(user: User, action: Action, unit: OrgUnit) -> bool:
    return allowed(grants_of(user), action, unit.path)


def can_somewhere(user: User, action: Action) -> bool:
    return allowed_anywhere(grants_of(user), action)


def require(user: User, action: Action, unit: OrgUnit) -> None:
    """Raise NotInScope when the unit is outside every grant of the user (the user must
    not learn it exists), ActionForbidden when it is visible but the action is not allowed."""
    if not can(user, Action.VIEW_UNIT, unit):
        raise NotInScope(unit.id)
    if not can(user, action, unit):
        raise ActionForbidden(action)


def require_somewhere(user: User, action: Action) -> None:
    if not can_somewhere(user, action):
        raise ActionForbidden(action)


def scope_clause(user: User, action: Action) -> ColumnElement[bool]:
    """A WHERE clause on OrgUnit selecting the units where the user may do `action`."""
    paths = scope_paths(grants_of(user), action)
    if not paths:
        return false()
    if "" in paths:
        return OrgUnit.id.is_not(None)
    return subtrees_clause(paths)


def top_units(session: Session, user: User, action: Action) -> list[OrgUnit]:
    """The highest units the user reaches for `action` (roots of their visible forest)."""
    paths = scope_paths(grants_of(user), action)
    if "" in paths:
        return list(
            session.scalars(
                select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)
            )
        )
    return list(
        session.scalars(select(OrgUnit).where(OrgUnit.path.in_(paths)).order_by(OrgUnit.name))
    )
