"""Sending deliveries: each POST carries the event's JSON body, signed with HMAC-SHA256
over "<timestamp>.<body>" with the webhook's secret. An answer other than 2xx (or none)
is logged and tried again later (1, 5, 30 minutes, then every 2, 6, 12 hours); a webhook
whose every attempt has failed for a day is paused and its owner told (an audit record
and, when mail is set up, an e-mail). Runs as a job (WEBHOOK_JOB), started when events
are committed and by `flask webhooks deliver` (from cron, for the retries). Each attempt
resolves the host again and posts only to the address it checked (addresses.py)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import logging
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from collector.audit import record
from collector.jobs.registry import JobContext, JobResult
from collector.models import User, Webhook, WebhookDelivery
from collector.models.base import utcnow
from collector.webhooks.addresses import AddressRefused, IPAddress, checked_address

logger = logging.getLogger(__name__)

WEBHOOK_JOB = "webhook_deliveries"
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
PAUSE_AFTER = timedelta(days=1)
ATTEMPTS_KEPT = 20
ANSWER_KEPT = 2000
TIMEOUT_SECONDS = 10
# How long a sender holds a delivery it is posting (past the post's timeout).
CLAIM = timedelta(seconds=TIMEOUT_SECONDS * 6)
BATCH = 200


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out)
    text: str
    error: str = ""


Post = Callable[[str, bytes, Mapping[str, str]], Answer]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Collector-Signature header: sha256=<hex HMAC of "timestamp.body">."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer, not a new address to post to


def _pinned(
    connection: type[http.client.HTTPConnection], address: IPAddress
) -> Callable[..., http.client.HTTPConnection]:
    """Connections of that class to the host named in the URL (its Host header, its TLS
    certificate) made to the address that was checked, not to one resolved anew."""

    def connect(target: tuple[str, int], timeout: Any = None, source: Any = None) -> socket.socket:
        return socket.create_connection((str(address), target[1]), timeout, source)

    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        made = connection(host, **options)
        made._create_connection = connect  # type: ignore[attr-defined]
        return made

    return make


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, address: IPAddress) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, address: IPAddress) -> None:
        self.context = ssl.create_default_context()
        super().__init__(context=self.context)
        self.address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        made = _pinned(http.client.HTTPSConnection, self.address)
        return self.do_open(made, req, context=self.context)


_REFUSED = {
    "private": "the host resolves to an address that is not on the internet",
    "unresolved": "the host cannot be resolved",
}


def http_post(
    url: str, body: bytes, headers: Mapping[str, str], *, allow_private: bool = False
) -> Answer:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = checked_address(parts.hostname or "", port, allow_private=allow_private)
    except AddressRefused as refused:
        return Answer(None, "", _REFUSED[refused.reason])
    except ValueError as error:  # a port out of range
        return Answer(None, "", str(error)[:500])
    # No proxy from the environment: the post goes to the address checked, or nowhere.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirects,
        _PinnedHTTP(address),
        _PinnedHTTPS(address),
    )
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            text = answer.read(ANSWER_KEPT).decode("utf-8", "replace")
            return Answer(answer.status, text)
    except urllib.error.HTTPError as error:
        text = error.read(ANSWER_KEPT).decode("utf-8", "replace") if error.fp else ""
        return Answer(error.code, text)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer(None, "", str(getattr(error, "reason", error))[:500])


def _owner_told(session: Session, hook: Webhook, config: Mapping[str, Any]) -> None:
    record(session, None, "webhook.paused", hook, url=hook.url, owner=hook.owner_id)
    address = hook.owner.email
    if not address or not config.get("MAIL_SERVER"):
        return
    message = EmailMessage()
    message["Subject"] = "Collector: вебхук приостановлен / webhook paused"
    message["From"] = config.get("MAIL_SENDER") or "collector@localhost"
    message["To"] = address
    message.set_content(
        f"Адрес {hook.url} не принимал уведомления сутки; отправка приостановлена. "
        "Возобновите её через API (POST /api/v1/webhooks/{id}/resume).\n\n"
        f"{hook.url} has refused deliveries for a day; they are paused."
    )
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=30) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        logger.exception("webhook %s paused; its owner could not be told by mail", hook.id)


def attempt(
    session: Session,
    delivery: WebhookDelivery,
    now: datetime,
    post: Post,
    config: Mapping[str, Any],
) -> bool:
    """One attempt of one delivery; True when it went through."""
    hook = delivery.webhook
    body = delivery.body.encode("utf-8")
    timestamp = int(now.timestamp())
    answer = post(
        hook.url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": "Collector-Webhooks/1",
            "X-Collector-Event": delivery.event,
            "X-Collector-Delivery": str(delivery.id),
            "X-Collector-Timestamp": str(timestamp),
            "X-Collector-Signature": signature(hook.secret, timestamp, body),
        },
    )
    went = answer.status is not None and 200 <= answer.status < 300
    delivery.attempts = [
        *delivery.attempts,
        {
            "at": now.isoformat(),
            "status": answer.status,
            "answer": answer.text,
            "error": answer.error,
        },
    ][-ATTEMPTS_KEPT:]
    if went:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        hook.failing_since = None
        return True
    failed = sum(1 for a in delivery.attempts if not _went(a))
    delivery.next_attempt_at = now + BACKOFF[min(failed, len(BACKOFF)) - 1]
    hook.failing_since = hook.failing_since or now
    if hook.active and now - hook.failing_since >= PAUSE_AFTER:
        hook.active, hook.paused_at = False, now
        _owner_told(session, hook, config)
    return False


def _went(logged: Mapping[str, Any]) -> bool:
    status = logged.get("status")
    return isinstance(status, int) and 200 <= status < 300


def deliver_due(
    session: Session,
    now: datetime | None = None,
    post: Post | None = None,
    config: Mapping[str, Any] | None = None,
) -> tuple[int, int]:
    """Attempt every pending delivery that is due, of active webhooks; (went, failed).
    Each attempt is committed on its own, so a crash loses at most one."""
    now = now or utcnow()
    config = config if config is not None else current_app.config
    if post is None:
        post = functools.partial(
            http_post, allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE_URLS"))
        )
    went = failed = 0
    due = list(
        session.scalars(
            select(WebhookDelivery.id)
            .join(Webhook, WebhookDelivery.webhook_id == Webhook.id)
            # A deactivated owner's hooks send nothing more, not even what waited.
            .join(User, Webhook.owner_id == User.id)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
                User.is_active_account.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(BATCH)
        )
    )
    for delivery_id in due:
        if not _claimed(session, delivery_id, now):
            continue  # another sender (the job, cron's command) took it meanwhile
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != "pending" or not delivery.webhook.active:
            continue
        if attempt(session, delivery, now, post, config):
            went += 1
        else:
            failed += 1
        session.commit()
    return went, failed


def _claimed(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this sender, committed before it is posted: its next attempt
    moved past the post's time, so a sender running beside this one (a job started by
    new events, `flask webhooks deliver` from cron) finds it not due and never posts it
    twice. The attempt sets the real next time; a sender that dies leaves it due again
    once the claim runs out."""
    taken = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(taken, "rowcount", 0) == 1)


def webhook_deliveries(context: JobContext, params: dict[str, Any]) -> JobResult:
    """The job: send what is due."""
    from collector.extensions import db

    went, failed = deliver_due(db.session())
    context.progress("deliveries", went + failed, went + failed)
    return JobResult(outcome={"delivered": went, "failed": failed})
