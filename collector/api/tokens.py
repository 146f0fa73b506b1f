"""Personal access tokens: made and revoked by their user, shown once, stored hashed.
A token acts as exactly its user (the same roles, through the same permission service as
the pages), only while it is unexpired, unrevoked and its user active; a read token
cannot write."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.errors import NotInScope
from collector.models import ApiToken, TokenScope, User
from collector.models.base import utcnow

# Every secret starts with this, so a leaked one is recognisable (secret scanners, logs).
SECRET_PREFIX = "col_"
# How many characters of the secret stay visible in the list of tokens.
VISIBLE_CHARACTERS = len(SECRET_PREFIX) + 6
# The lifetimes a user may choose from, in days.
EXPIRY_DAYS = (7, 30, 90, 365)
MAX_NAME_LENGTH = 100
# last_used_at is written at most this often per token, not on every request.
USE_NOTED_EVERY = timedelta(minutes=5)


class TokenError(ValueError):
    """A token that cannot be made as asked (shown beside its field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The secret itself: shown to the user once, never stored.
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    actor: User,
    name: str,
    scope: TokenScope,
    days: int,
    now: datetime | None = None,
) -> NewToken:
    """A new token of the acting user; its secret is in the answer and nowhere else."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise TokenError(
            "name", _("Name the token in at most %(n)d characters.", n=MAX_NAME_LENGTH)
        )
    if days not in EXPIRY_DAYS:
        raise TokenError("days", _("Choose one of the offered lifetimes."))
    now = now or utcnow()
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:VISIBLE_CHARACTERS],
        token_hash=hash_secret(secret),
        scope=TokenScope(scope).value,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def tokens_of(session: Session, actor: User) -> list[ApiToken]:
    """The acting user's tokens, newest first (revoked and expired ones too)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == actor.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(
    session: Session, actor: User, token_id: int, now: datetime | None = None
) -> ApiToken:
    """Revokes one of the acting user's own tokens (another's is not found)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotInScope(token_id)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and token.expires_at > now and token.user.is_active


def authenticate_token(
    session: Session, secret: str, now: datetime | None = None
) -> ApiToken | None:
    """The live token a bearer secret names (its user is `.user`), or None: unknown,
    expired, revoked, or its user deactivated. The last use is noted every few minutes."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not is_live(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_NOTED_EVERY:
        token.last_used_at = now
    return token


def may_write(token: ApiToken) -> bool:
    return token.scope == TokenScope.WRITE
