"""A password reset by e-mail: a signed link that works for an hour and once.

The link carries the user's id and a fingerprint of their password hash and session
version, signed with the app's secret under a salt of its own (a token signed for any
other purpose does not pass). Setting a new password changes both, so the link, and every
other link sent before, stops working; it also ends the user's sessions. Whether an
account exists is never said: the one who asks sees the same answer either way, and only
the account's own address receives anything."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.services import normalise_username
from collector.mail import REFUSED, UNREACHABLE, smtp_connection, usable_address
from collector.models import User, UserSession
from collector.models.base import utcnow

logger = logging.getLogger(__name__)

SALT = "collector.password-reset"
MAX_AGE = timedelta(hours=1)
# A token longer than this is not one we signed (an id and 32 hex digits, a time, a
# signature: about 100 characters).
MAX_TOKEN_LENGTH = 300
# Accounts one address may name at once (an address shared by a school's logins).
MAX_ACCOUNTS = 5


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def _fingerprint(user: User) -> str:
    """Changes when the password does (and with it the session version)."""
    seed = f"{user.password_hash}:{user.session_version}".encode()
    return hashlib.sha256(seed).hexdigest()[:32]


def reset_token(user: User, secret: str) -> str:
    return str(_serializer(secret).dumps([user.id, _fingerprint(user)]))


def user_for_token(
    session: Session,
    token: str,
    secret: str,
    *,
    max_age: timedelta = MAX_AGE,
    now: datetime | None = None,
) -> User | None:
    """The active user the token was signed for, when it is not older than `max_age` and
    their password has not changed since; None otherwise (why is not said)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload, signed_at = _serializer(secret).loads(token, return_timestamp=True)
    except BadSignature:  # a bad signature, a malformed or expired token alike
        return None
    now = now or utcnow()
    if not isinstance(signed_at, datetime) or now - signed_at.astimezone(UTC) > max_age:
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        return None
    user = session.get(User, payload[0])
    if user is None or not user.is_active or payload[1] != _fingerprint(user):
        return None
    return user


def accounts_named(session: Session, typed: str) -> list[User]:
    """The active accounts whose login or e-mail address is `typed` (case aside)."""
    name = normalise_username(typed)
    if not name:
        return []
    query = (
        select(User)
        .where(
            User.is_active_account.is_(True),
            User.email.is_not(None),
            or_(User.username == name, func.lower(User.email) == name),
        )
        .order_by(User.id)
        .limit(MAX_ACCOUNTS)
    )
    return list(session.scalars(query))


def compose(user: User, address: str, link: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = _("Resetting your password")
    message["Message-ID"] = make_msgid(domain="collector")
    message.set_content(
        _(
            "Someone (probably you) asked to reset the password of the account "
            "«%(login)s» (%(name)s).\n\n"
            "To set a new password, open this link within an hour:\n%(link)s\n\n"
            "The link works once. If you did not ask, ignore this message: your password "
            "stays as it is.",
            login=user.username,
            name=user.full_name,
            link=link,
        )
    )
    return message


# Where a link leads: the reset page's address before its token.
RESET_PATH = "/password/reset/"
# The app factory names the function that queues the mailing (jobs, above auth in the
# dependency order, cannot be imported from here): queue_reset_mail(session, typed).
MAILER_EXTENSION = "collector_password_reset_mailer"


def queue_reset_mail(session: Session, typed: str) -> None:
    """Hand the asking over to a job, the same whether or not an account has `typed`: the
    answer takes as long either way, and only the job looks the account up."""
    queue: Callable[[Session, str], object] = current_app.extensions[MAILER_EXTENSION]
    queue(session, typed)


def request_reset(
    session: Session,
    typed: str,
    *,
    secret: str,
    base_url: str,
    config: Mapping[str, Any],
) -> int:
    """Sends a reset link to each active account with an address that `typed` names
    (login or e-mail address) and records it in the audit; returns how many were sent
    (for tests and logs only: the one who asks is never told). A mail server that does
    not answer is logged, not shown. Run by the mailing job, never in the request."""
    messages = []
    for user in accounts_named(session, typed):
        address = usable_address(user.email)
        if address is None:
            continue
        link = base_url.rstrip("/") + RESET_PATH + reset_token(user, secret)
        messages.append((user, compose(user, address, link, config["MAIL_SENDER"])))
    sent = 0
    if messages:
        try:
            with smtp_connection(config) as smtp:
                for user, message in messages:
                    try:
                        smtp.send_message(message)
                    except REFUSED:
                        logger.warning("password reset mail to user %s refused", user.id)
                        continue
                    record(session, None, "password.reset_link_sent", user)
                    sent += 1
        except UNREACHABLE:
            logger.exception("password reset mail not sent: the mail server did not answer")
    return sent


def reset_password(session: Session, user: User, new_password: str) -> None:
    """Sets the new password (the link's user acts on their own account): every link sent
    before and every session of the user end with it."""
    user.set_password(new_password)  # bumps the session version: every session ends
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    record(session, user, "password.reset_by_link", user)
