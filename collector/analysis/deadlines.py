"""The dates a form's document sets for the recommendations after each of its campaigns
(Kaluga п. 12: prepared by 1 August; п. 14: sent by 15 August) as deadlines of the
campaign — the end of that day in the campaign's time zone, in the year its academic year
ends — and the e-mail reminders to the coordinators of the campaign's owner before each
passes and once after it (within a month), while something is still to do: none prepared
yet, or drafts not yet sent.

The reminders go the way the reports' reminders go (collector.campaigns.reminders), run
from cron by `flask recommendations remind` beside `flask campaigns remind`, through the
same mail settings: each (campaign, step, kind, deadline) is claimed in reminder_sent
(on the campaign's owner unit) before it is sent, so never twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.auth.permissions import ROLE_ACTIONS, Action
from collector.auth.services import active_users_on
from collector.campaigns.lifecycle import CampaignState
from collector.campaigns.reminders import AFTER, RunResult, days_of, reminder_kind, send_due
from collector.formats import moment_text
from collector.mail import plain_message, usable_address
from collector.models import (
    Campaign,
    Recommendation,
    RecommendationState,
    ReminderSent,
)
from collector.models.base import utcnow
from collector.publishing.versions import spec_of

# An "after" reminder is sent only this long after the deadline (an old campaign that
# never had recommendations is not reminded of years later).
AFTER_WINDOW = timedelta(days=30)
# reminder_sent.kind: the step's prefix and the reminder's kind ("prep:before:3").
STEP_PREFIX = {"prepared": "prep", "sent": "sent"}


@dataclass(frozen=True)
class StepDeadline:
    step: str  # "prepared" or "sent"
    due_at: datetime  # UTC
    clause: str | None  # the document's clause that sets it


def step_deadlines(campaign: Campaign) -> list[StepDeadline]:
    """The campaign's deadlines for its recommendations, from its form's declared dates."""
    spec = spec_of(campaign.form_version)
    zone = ZoneInfo(campaign.timezone)
    found = []
    for declared in spec.recommendation_deadlines:
        day = datetime(campaign.academic_year + 1, declared.month, declared.day, tzinfo=zone)
        end = datetime.combine(day.date(), time(23, 59), tzinfo=zone)
        found.append(StepDeadline(declared.step, end.astimezone(UTC), declared.source.clause))
    return found


@dataclass(frozen=True)
class Progress:
    """Where the campaign's recommendations stand: made, and of those still drafts."""

    made: int
    drafts: int

    def pending(self, step: str) -> bool:
        if step == "prepared":
            return self.made == 0
        return self.made == 0 or self.drafts > 0


def progress_of(session: Session, campaign: Campaign) -> Progress:
    counts = dict(
        session.execute(
            select(Recommendation.status, func.count())
            .where(Recommendation.campaign_id == campaign.id)
            .group_by(Recommendation.status)
        ).all()
    )
    return Progress(sum(counts.values()), counts.get(RecommendationState.DRAFT.value, 0))


@dataclass
class CoordinatorReminder:
    campaign: Campaign
    step: StepDeadline
    kind: str  # reminder_kind's, "before:3" or "after"
    progress: Progress
    recipients: list[str] = field(default_factory=list)

    @property
    def stored_kind(self) -> str:
        return f"{STEP_PREFIX[self.step.step]}:{self.kind}"


def coordinators(session: Session, campaign: Campaign) -> list[str]:
    """The addresses of the active users who review the reports on the campaign's owner
    unit itself (they send its recommendations)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.REVIEW_REPORTS in actions]
    users = active_users_on(session, campaign.owner_unit_id, roles)
    return sorted({a for u in users if (a := usable_address(u.email)) is not None})


def due_coordinator_reminders(
    session: Session, now: datetime, days_before: Sequence[int], campaign_id: int | None = None
) -> list[CoordinatorReminder]:
    """Reminders due now, not sent yet, about the recommendations of open and closed
    campaigns (or of one of them) while something is still to do."""
    query = select(Campaign).where(
        Campaign.state.in_([CampaignState.OPEN.value, CampaignState.CLOSED.value])
    )
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    found = []
    for campaign in session.scalars(query.order_by(Campaign.id)):
        steps = step_deadlines(campaign)
        if not steps:
            continue
        sent = {
            (r.kind, r.due_at.replace(tzinfo=UTC))
            for r in session.scalars(
                select(ReminderSent).where(
                    ReminderSent.campaign_id == campaign.id,
                    ReminderSent.unit_id == campaign.owner_unit_id,
                )
            )
        }
        progress = progress_of(session, campaign)
        for step in steps:
            kind = reminder_kind(now, step.due_at, days_before)
            if kind is None or not progress.pending(step.step):
                continue
            if kind == AFTER and now > step.due_at + AFTER_WINDOW:
                continue
            reminder = CoordinatorReminder(campaign, step, kind, progress)
            if (reminder.stored_kind, step.due_at) not in sent:
                reminder.recipients = coordinators(session, campaign)
                found.append(reminder)
    return found


def compose(reminder: CoordinatorReminder, sender: str, base_url: str) -> EmailMessage:
    campaign = reminder.campaign
    due = moment_text(reminder.step.due_at, campaign.timezone)
    link = (
        f"{base_url.rstrip('/')}/analysis/campaigns/{campaign.id}/recommendations"
        f"?unit={campaign.owner_unit_id}"
    )
    zone = campaign.timezone
    if reminder.kind == AFTER:
        subject = _("Recommendations overdue: %(title)s", title=campaign.title)
    else:
        subject = _("Recommendations due: %(title)s", title=campaign.title)
    if reminder.step.step == "prepared":
        opening = _("Recommendations are to be prepared by %(due)s (%(zone)s).", due=due, zone=zone)
    else:
        opening = _("Recommendations are to be sent by %(due)s (%(zone)s).", due=due, zone=zone)
    lines = [
        opening,
        _("Campaign: %(title)s.", title=campaign.title),
        _(
            "Recommendations made: %(made)d; drafts not sent yet: %(drafts)d.",
            made=reminder.progress.made,
            drafts=reminder.progress.drafts,
        ),
        _("Draft, edit and send them here:"),
        link,
        "",
        _("This message was sent automatically by Collector."),
    ]
    return plain_message(sender, ", ".join(reminder.recipients), subject, lines)


def send_coordinator_reminders(
    session: Session,
    config: Mapping[str, Any],
    now: datetime | None = None,
    days_before: Sequence[int] | None = None,
    dry_run: bool = False,
    campaign_id: int | None = None,
) -> RunResult[CoordinatorReminder]:
    days = days_of(config, days_before)
    due = due_coordinator_reminders(session, now or utcnow(), days, campaign_id)
    return send_due(
        session,
        config,
        due,
        dry_run,
        lambda r: (r.campaign.id, r.campaign.owner_unit_id, r.stored_kind, r.step.due_at),
        lambda r: compose(r, config["MAIL_SENDER"], config["PUBLIC_BASE_URL"]),
    )
