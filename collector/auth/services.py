"""Authentication and the one authorisation service every view asks."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, false, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from collector.auth.permissions import (
    Action,
    Grant,
    allowed,
    allowed_anywhere,
    owner_in_territory,
    scope_paths,
)
from collector.errors import ActionForbidden, NotInScope
from collector.models import OrgUnit, RoleAssignment, User, UserSession
from collector.models.base import utcnow
from collector.models.units import IN_TREE_ORDER, UnitLike, subtrees_clause

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


# zxcvbn's score: 0 and 1 are guessed within a million tries (its lists of common passwords,
# keyboard rows, sequences, repeats, dates); 2 needs about a hundred million, far beyond what
# the login limits let anyone try.
MIN_PASSWORD_SCORE = 2
# zxcvbn's own bound; its matching grows with the length, and a longer password is judged by
# its start.
_ZXCVBN_MAX_LENGTH = 72
# The Russian keyboard (ЙЦУКЕН) typed as if it were the Latin one: «йцукенгшщз» is the
# keyboard row «qwertyuiop», «gfhjkm» is «пароль» typed on the wrong layout. A layout, not
# a list of passwords: the list is zxcvbn's.
_RUSSIAN_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_AS_LATIN_LAYOUT = str.maketrans(
    _RUSSIAN_KEYS + _RUSSIAN_KEYS.upper(), _LATIN_KEYS + _LATIN_KEYS.upper()
)


def _is_common_password(result: Mapping[str, object]) -> bool:
    sequence = result.get("sequence")
    return (
        isinstance(sequence, list)
        and len(sequence) == 1
        and sequence[0].get("dictionary_name") == "passwords"
    )


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why a new password is not acceptable (a message for the user), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if username is not None and password.strip().lower() == username:
        return str(_("The password must differ from the login."))
    hints = [username] if username else []
    candidates = {password[:_ZXCVBN_MAX_LENGTH]}
    candidates.add(password.translate(_AS_LATIN_LAYOUT)[:_ZXCVBN_MAX_LENGTH])
    results = [zxcvbn(candidate, user_inputs=hints) for candidate in candidates]
    if any(_is_common_password(result) for result in results):
        return str(_("This is one of the most common passwords; choose another."))
    if min(int(result["score"]) for result in results) < MIN_PASSWORD_SCORE:
        return str(
            _(
                "This password is easy to guess (a common word, name, date, keyboard row or "
                "repetition). A phrase of a few unrelated words is strong and easy to remember."
            )
        )
    return None


def start_session(
    session: Session, user: User, lifetime: timedelta, now: datetime | None = None
) -> str:
    """Records a new login session of the user and returns its random id (for the cookie).
    The user's sessions that ended or expired are removed here, so the table stays small
    without a sweep."""
    now = now or utcnow()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.ended_at.is_not(None), UserSession.created_at <= now - lifetime),
        )
    )
    record = UserSession(id=secrets.token_urlsafe(32), user=user, created_at=now, last_seen_at=now)
    session.add(record)
    return record.id


def live_session(
    session: Session,
    session_id: str,
    *,
    user_id: int,
    session_version: int,
    lifetime: timedelta,
    now: datetime | None = None,
) -> UserSession | None:
    """The login session named by a cookie, when it still counts: not ended (logout), not
    older than the lifetime (however often the cookie was renewed), its user active and
    the password unchanged since (a change bumps the version). One primary-key lookup,
    the user joined."""
    now = now or utcnow()
    record = session.get(UserSession, session_id)
    if record is None or record.ended_at is not None or record.user_id != user_id:
        return None
    if record.created_at <= now - lifetime:
        return None
    user = record.user
    if user.session_version != session_version or not user.is_active:
        return None
    return record


def end_session(session: Session, session_id: str, now: datetime | None = None) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )


def grants_of(user: User) -> list[Grant]:
    return [Grant(role=r.role, unit_path=r.unit_path) for r in user.roles]


def can(user: User, action: Action, unit: UnitLike) -> bool:
    return allowed(grants_of(user), action, unit.path)


def territory_paths(user: User) -> list[str]:
    """The paths of the units of the user's grants ("" for an installation-wide one)."""
    return [r.unit_path for r in user.roles]


def in_territory_of(user: User, owner: OrgUnit | None) -> bool:
    """Whether a thing `owner` owns (a form, a system, a registry; None: the whole
    installation's) is in the user's territory: what the user sees and is offered."""
    return owner_in_territory(territory_paths(user), owner.path if owner is not None else None)


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
        found = select(OrgUnit).where(OrgUnit.parent_id.is_(None))
    else:
        found = select(OrgUnit).where(OrgUnit.path.in_(paths))
    return list(session.scalars(found.order_by(*IN_TREE_ORDER)))


def active_users_on(
    session: Session, unit_id: int, roles: Collection[str] | None = None
) -> list[User]:
    """The active users with a role on the unit itself (one of `roles`, when given)."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.unit_id == unit_id, User.is_active_account.is_(True))
        .distinct()
        .order_by(User.id)
    )
    if roles is not None:
        query = query.where(RoleAssignment.role.in_(list(roles)))
    return list(session.scalars(query))
