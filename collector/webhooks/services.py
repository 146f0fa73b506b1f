"""Registering a webhook and reading its deliveries, for the acting user: a coordinator
registers a URL for the events of a unit they review; only its owner sees it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import require, top_units
from collector.errors import NotInScope
from collector.models import OrgUnit, User, Webhook, WebhookDelivery
from collector.models.base import utcnow
from collector.webhooks.addresses import AddressRefused, checked_address
from collector.webhooks.events import send_after_commit

# What a webhook may listen for.
EVENTS = (
    "report.submitted",
    "report.returned",
    "report.accepted",
    "campaign.opened",
    "campaign.closed",
    "export.ready",
    "import.refused",
)
MAX_URL_LENGTH = 500
MAX_HOOKS_PER_USER = 20


class HookRefused(ValueError):
    """A webhook that cannot be registered as asked: the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewHook:
    hook: Webhook
    # The signing key: shown to the owner once, when the hook is made.
    secret: str


def _port(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a number, or past 65535
        return None


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, once its form is right and its host resolves to addresses on the internet
    (any address, when private ones are allowed); delivery checks the host again."""
    url = url.strip()
    parts = urlsplit(url)
    port = _port(url)
    if (
        len(url) > MAX_URL_LENGTH
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or port is None
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        raise HookRefused("url", _("Enter an http or https address of at most 500 characters."))
    try:
        checked_address(parts.hostname, port, allow_private=allow_private)
    except AddressRefused as refused:
        if refused.reason == "unresolved":
            raise HookRefused(
                "url",
                _(
                    "The host %(host)s cannot be found: check the address.",
                    host=parts.hostname,
                ),
            ) from None
        raise HookRefused("url", _("The address must be reachable from the internet.")) from None
    return url


def register_hook(
    session: Session,
    actor: User,
    url: str,
    events: list[str],
    unit_id: int | None,
    *,
    allow_private: bool = False,
) -> NewHook:
    """A new webhook of the acting user for the events of a unit they review (default:
    the top one)."""
    if unit_id is None:
        tops = top_units(session, actor, Action.REVIEW_REPORTS)
        if not tops:
            raise NotInScope(unit_id)
        unit = tops[0]
    else:
        found = session.get(OrgUnit, unit_id)
        if found is None:
            raise NotInScope(unit_id)
        unit = found
    require(actor, Action.REVIEW_REPORTS, unit)
    url = check_url(url, allow_private=allow_private)
    unknown = [e for e in events if e not in EVENTS]
    if not events or unknown:
        raise HookRefused("events", _("Choose events among: %(events)s.", events=", ".join(EVENTS)))
    if len(hooks_of(session, actor)) >= MAX_HOOKS_PER_USER:
        raise HookRefused("url", _("At most %(n)d webhooks per user.", n=MAX_HOOKS_PER_USER))
    secret = secrets.token_hex(32)
    hook = Webhook(
        owner_id=actor.id,
        unit_id=unit.id,
        url=url,
        secret=secret,
        events=sorted(set(events)),
        active=True,
    )
    session.add(hook)
    session.flush()
    record(session, actor, "webhook.create", hook, url=url, events=hook.events)
    return NewHook(hook, secret)


def hooks_of(session: Session, actor: User) -> list[Webhook]:
    return list(
        session.scalars(select(Webhook).where(Webhook.owner_id == actor.id).order_by(Webhook.id))
    )


def hook_of(session: Session, actor: User, hook_id: int) -> Webhook:
    """One of the acting user's own webhooks (another's is not found)."""
    hook = session.get(Webhook, hook_id)
    if hook is None or hook.owner_id != actor.id:
        raise NotInScope(hook_id)
    return hook


def remove_hook(session: Session, actor: User, hook_id: int) -> None:
    hook = hook_of(session, actor, hook_id)
    record(session, actor, "webhook.delete", hook, url=hook.url)
    session.delete(hook)


def resume_hook(
    session: Session, actor: User, hook_id: int, now: datetime | None = None
) -> Webhook:
    """A paused webhook delivers again: what waits is sent at once."""
    hook = hook_of(session, actor, hook_id)
    hook.active, hook.paused_at, hook.failing_since = True, None, None
    now = now or utcnow()
    for waiting in session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == hook.id, WebhookDelivery.state == "pending"
        )
    ):
        waiting.next_attempt_at = now
    record(session, actor, "webhook.resume", hook)
    send_after_commit(session)
    return hook


def deliveries_of(
    session: Session, actor: User, hook_id: int, limit: int = 100
) -> list[WebhookDelivery]:
    """The webhook's latest deliveries, newest first, with their attempts' answers."""
    hook = hook_of(session, actor, hook_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def resend(
    session: Session, actor: User, hook_id: int, delivery_id: int, now: datetime | None = None
) -> WebhookDelivery:
    """Send a delivery again (the same body, newly signed), at the next run."""
    hook = hook_of(session, actor, hook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != hook.id:
        raise NotInScope(delivery_id)
    delivery.state = "pending"
    delivery.next_attempt_at = now or utcnow()
    record(session, actor, "webhook.resend", delivery)
    send_after_commit(session)
    return delivery
