"""The one way out for e-mail: an SMTP connection made from the app's mail settings
(`MAIL_SERVER`, `MAIL_PORT`, `MAIL_USE_STARTTLS`, `MAIL_USERNAME`, `MAIL_PASSWORD`), the same
for reminders, review notices, recommendations and password reset links; a plain message;
and a run that sends each of several messages once, claimed before it goes."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, TypeVar

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


def plain_message(sender: str, to: str, subject: str, lines: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="collector")
    message["Subject"] = subject
    message.set_content("\n".join(lines))
    return message


Item = TypeVar("Item")
Claim = TypeVar("Claim")


def send_claimed(
    config: Mapping[str, Any],
    items: Sequence[Item],
    claim: Callable[[Item], Claim | None],
    release: Callable[[Claim], None],
    compose: Callable[[Item], EmailMessage],
) -> tuple[list[Item], list[tuple[Item, str]]]:
    """Send a message for each item over one connection, each claimed just before it
    goes (None: another run has it, skipped) so it is never sent twice; released again
    when the server refuses it (the run goes on) or cannot be reached (the run stops).
    Returns the items sent and those refused, with why."""
    sent: list[Item] = []
    refused: list[tuple[Item, str]] = []
    if not items:
        return sent, refused
    with smtp_connection(config) as smtp:
        for item in items:
            try:
                # Written before it is claimed: a message that cannot be (a stored title
                # with a line break for its subject) is refused, not claimed and lost.
                message = compose(item)
            except ValueError as error:
                refused.append((item, str(error)))
                continue
            claimed = claim(item)
            if claimed is None:
                continue
            try:
                smtp.send_message(message)
            except REFUSED as error:
                release(claimed)
                refused.append((item, str(error)))
                continue
            except UNREACHABLE:
                release(claimed)
                raise
            sent.append(item)
    return sent, refused
