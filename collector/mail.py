"""The one way out for e-mail: an SMTP connection made from the app's mail settings
(`MAIL_SERVER`, `MAIL_PORT`, `MAIL_USE_STARTTLS`, `MAIL_USERNAME`, `MAIL_PASSWORD`), the same
for reminders, review notices and password reset links."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from email_validator import EmailNotValidError, validate_email

# A refusal of one message (a wrong address, a message the server will not take): the
# others of the same run still go.
REFUSED: tuple[type[Exception], ...] = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
# The server itself failing or not answering.
UNREACHABLE: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)


@contextmanager
def smtp_connection(config: Mapping[str, Any]) -> Iterator[smtplib.SMTP]:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        yield smtp


def usable_address(address: str | None) -> str | None:
    """The address as mail reads it, or None when it is not one (or would break a
    header)."""
    if not address:
        return None
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
