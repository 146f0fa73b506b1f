"""E-mail reminders to the units that have not submitted: some days before their
deadline and once after it (not under the refusing policy: nothing could be sent then).
Each (campaign, unit, kind, deadline) goes out once: a reminder is claimed in the
database before it is sent and released if the server refuses it, so a run that stops
half way and runs again sends only the rest, and a wrong address holds up no one else.
A moved deadline (an extension) is a new deadline and may be reminded of again."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Generic, Protocol, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.campaigns.completeness import NOT_SUBMITTED, contacts_of
from collector.campaigns.lifecycle import CampaignState, LatePolicy
from collector.campaigns.services import effective_deadline, is_survey
from collector.formats import moment_text
from collector.jobs.registry import JobContext, JobResult
from collector.mail import plain_message, send_claimed
from collector.models import Campaign, FormResponse, OrgUnit, ReminderSent
from collector.models.base import utcnow

AFTER = "after"
REMINDER_JOB = "campaign_reminders"


def before_kind(days: int) -> str:
    return f"before:{days}"


@dataclass
class Reminder:
    campaign: Campaign
    unit: OrgUnit
    response: FormResponse
    kind: str
    due_at: datetime
    recipients: list[str] = field(default_factory=list)


def reminder_kind(now: datetime, due: datetime, days_before: Sequence[int]) -> str | None:
    """Which reminder is due now: after the deadline "after"; before it, the nearest of
    the configured days whose moment has come (a missed earlier one is not sent late)."""
    if now > due:
        return AFTER
    reached = [days for days in days_before if now >= due - timedelta(days=days)]
    return before_kind(min(reached)) if reached else None


def due_reminders(
    session: Session, now: datetime, days_before: Sequence[int], campaign_id: int | None = None
) -> list[Reminder]:
    """Reminders due now that have not been sent, for reports not yet submitted in open
    campaigns (or in one of them)."""
    found: list[Reminder] = []
    query = select(Campaign).where(Campaign.state == CampaignState.OPEN.value)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    campaigns = session.scalars(query.order_by(Campaign.id))
    for campaign in campaigns:
        if is_survey(campaign):
            continue
        sent = {
            (r.unit_id, r.kind, r.due_at)
            for r in session.scalars(
                select(ReminderSent).where(ReminderSent.campaign_id == campaign.id)
            )
        }
        responses = session.scalars(
            select(FormResponse).where(
                FormResponse.campaign_id == campaign.id,
                FormResponse.unit_report_key.is_not(None),
                FormResponse.status.in_([s.value for s in NOT_SUBMITTED]),
            )
        )
        for response in responses:
            due = effective_deadline(session, campaign, response.unit)
            if due is None:
                continue
            kind = reminder_kind(now, due, days_before)
            if kind == AFTER and campaign.late_policy == LatePolicy.REFUSE:
                continue  # it could not be submitted any more: nothing to ask for
            if kind is not None and (response.unit_id, kind, due) not in sent:
                found.append(Reminder(campaign, response.unit, response, kind, due))
    contacts = contacts_of(session, [r.unit for r in found])
    for reminder in found:
        reminder.recipients = sorted(
            {address for c in contacts.get(reminder.unit.id, []) for address in addresses(c.email)}
        )
    return found


def addresses(text: str | None) -> list[str]:
    """The usable addresses in a contact field: several may be typed with commas or
    semicolons; anything that is not an address (or would break a mail header) is left
    out."""
    found = []
    for part in re.split(r"[,;\s]+", text or ""):
        try:
            found.append(validate_email(part, check_deliverability=False).normalized)
        except EmailNotValidError:
            continue
    return found


def compose(reminder: Reminder, sender: str, base_url: str) -> EmailMessage:
    campaign = reminder.campaign
    due = moment_text(reminder.due_at, campaign.timezone)
    link = f"{base_url.rstrip('/')}/entry/response/{reminder.response.id}"
    if reminder.kind == AFTER:
        subject = _("Overdue: %(title)s", title=campaign.title)
        opening = _("The deadline for the report of %(unit)s has passed (%(due)s, %(zone)s).")
    else:
        subject = _("Reminder: %(title)s", title=campaign.title)
        opening = _("The report of %(unit)s is due by %(due)s (%(zone)s).")
    lines = [
        opening % {"unit": reminder.unit.name, "due": due, "zone": campaign.timezone},
        _("Campaign: %(title)s.", title=campaign.title),
        _("The report has not been submitted yet. Fill it in and submit it here:"),
        link,
        "",
        _("This message was sent automatically by Collector."),
    ]
    return plain_message(sender, ", ".join(reminder.recipients), subject, lines)


class Addressed(Protocol):
    recipients: list[str]


Due = TypeVar("Due", bound=Addressed)
# What a reminder is claimed by in reminder_sent: campaign id, unit id, kind, deadline.
ReminderKey = tuple[int, int, str, datetime]


@dataclass
class RunResult(Generic[Due]):
    sent: list[Due] = field(default_factory=list)
    # Due, but no usable e-mail address is recorded for the unit: shown to the operator.
    no_address: list[Due] = field(default_factory=list)
    # Refused by the mail server (a wrong address): tried again on the next run.
    failed: list[tuple[Due, str]] = field(default_factory=list)


def days_of(config: Mapping[str, Any], days_before: Sequence[int] | None) -> tuple[int, ...]:
    """The days before a deadline to remind: those given, or REMINDER_DAYS_BEFORE."""
    return tuple(days_before if days_before is not None else config["REMINDER_DAYS_BEFORE"])


def send_due(
    session: Session,
    config: Mapping[str, Any],
    due: Sequence[Due],
    dry_run: bool,
    key: Callable[[Due], ReminderKey],
    compose: Callable[[Due], EmailMessage],
) -> RunResult[Due]:
    """Mail the reminders due that have an address, each claimed in reminder_sent by its
    `key` before it goes (a dry run lists them and sends nothing)."""
    result: RunResult[Due] = RunResult()
    to_send = [r for r in due if r.recipients]
    result.no_address = [r for r in due if not r.recipients]
    if dry_run:
        result.sent = to_send
        return result
    result.sent, result.failed = send_claimed(
        config,
        to_send,
        lambda r: claim_reminder(session, *key(r), r.recipients),
        lambda claim: release_reminder(session, claim),
        compose,
    )
    return result


def send_reminders(
    session: Session,
    config: Mapping[str, Any],
    now: datetime | None = None,
    days_before: Sequence[int] | None = None,
    dry_run: bool = False,
    campaign_id: int | None = None,
) -> RunResult[Reminder]:
    due = due_reminders(session, now or utcnow(), days_of(config, days_before), campaign_id)
    return send_due(
        session,
        config,
        due,
        dry_run,
        lambda r: (r.campaign.id, r.unit.id, r.kind, r.due_at),
        lambda r: compose(r, config["MAIL_SENDER"], config["PUBLIC_BASE_URL"]),
    )


def claim_reminder(
    session: Session,
    campaign_id: int,
    unit_id: int,
    kind: str,
    due_at: datetime,
    recipients: list[str],
) -> ReminderSent | None:
    """Record the reminder before sending, committed at once (a short write, so SQLite
    is not held locked while the mail server talks), so two runs cannot both send it;
    None when another run has it."""
    claim = ReminderSent(
        campaign_id=campaign_id,
        unit_id=unit_id,
        kind=kind,
        due_at=due_at,
        recipients=recipients,
        sent_at=utcnow(),
    )
    session.add(claim)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return claim


def release_reminder(session: Session, claim: ReminderSent) -> None:
    session.delete(claim)
    session.commit()


def reminders_job(context: JobContext, params: dict[str, Any]) -> JobResult:
    """A reminder run for one campaign, started from its page."""
    from flask import current_app

    from collector.extensions import db

    context.progress(_("Sending reminders"), 0, None)
    result = send_reminders(db.session(), current_app.config, campaign_id=params["campaign_id"])
    context.progress(_("Done"), 1, 1)
    return JobResult(
        outcome={
            "sent": [[r.unit.code, r.unit.name, ", ".join(r.recipients)] for r in result.sent],
            "no_address": [[r.unit.code, r.unit.name] for r in result.no_address],
            "failed": [[r.unit.code, r.unit.name, reason] for r, reason in result.failed],
        }
    )
