"""Notices on review: when a reviewer returns, accepts or reopens a unit's report, each
respondent of the unit is told, by e-mail (a job, through the mail settings reminders use)
and on the start page until they mark it read.

A notice is one row per decision (its audit record) and recipient, written in the same
transaction as the decision. The job mails the rows of a report not mailed yet, claiming
each in the database just before it goes (and releasing it if the server refuses), so a
job run again, or two at once, never sends one twice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.permissions import ROLE_ACTIONS, Action
from collector.auth.services import active_users_on
from collector.campaigns.lifecycle import Move
from collector.errors import NotInScope
from collector.jobs.registry import JobContext, JobResult
from collector.jobs.services import start_job
from collector.mail import plain_message
from collector.models import AuditEvent, Campaign, FormResponse, Job, User
from collector.models.base import utcnow
from collector.models.notices import ReviewNotice
from collector.outbox import OutboxRun, mail_rows, waiting

NOTICE_JOB = "review_notices"
DECISIONS = (Move.RETURN, Move.ACCEPT, Move.REOPEN)
# The start page shows at most this many unread notices (the newest).
SHOWN = 20


def respondents(session: Session, response: FormResponse, campaign: Campaign) -> list[User]:
    """The active users who fill the unit's report: a filling role on the unit itself,
    one of the campaign's answering roles when it names them (as `actor_role` decides)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.FILL_REPORT in actions]
    if campaign.answer_roles:
        roles = [role for role in roles if role in campaign.answer_roles]
    return active_users_on(session, response.unit_id, roles)


def record_notices(
    session: Session,
    response: FormResponse,
    campaign: Campaign,
    move: Move,
    decision: AuditEvent,
    comment: str,
) -> list[ReviewNotice]:
    """A notice of this decision for each respondent (in the decision's transaction)."""
    if move not in DECISIONS:
        return []
    session.flush()  # the decision's id
    made = [
        ReviewNotice(
            decision_id=decision.id,
            user_id=user.id,
            response_id=response.id,
            move=move.value,
            comment=comment.strip() or None,
        )
        for user in respondents(session, response, campaign)
    ]
    session.add_all(made)
    return made


def announce(session: Session, actor: User, response: FormResponse) -> Job | None:
    """Start the job that mails the report's notices not mailed yet (once the decision is
    committed); None when there is nothing to mail (no respondent has an address)."""
    if not waiting(session, ReviewNotice, ReviewNotice.response_id == response.id):
        return None
    return start_job(
        session,
        actor,
        NOTICE_JOB,
        {"response_id": response.id},
        title=_("Notices about the report of %(unit)s", unit=response.unit.name),
    )


def compose(
    notice: ReviewNotice, campaign_title: str, address: str, sender: str, base_url: str
) -> EmailMessage:
    response = notice.response
    unit = response.unit.name
    link = f"{base_url.rstrip('/')}/entry/response/{response.id}"
    if notice.move == Move.RETURN:
        subject = _("Report returned: %(title)s", title=campaign_title)
        opening = _("The reviewer returned the report of %(unit)s for corrections.", unit=unit)
    elif notice.move == Move.REOPEN:
        subject = _("Report reopened: %(title)s", title=campaign_title)
        opening = _("The reviewer reopened the accepted report of %(unit)s.", unit=unit)
    else:
        subject = _("Report accepted: %(title)s", title=campaign_title)
        opening = _("The reviewer accepted the report of %(unit)s.", unit=unit)
    lines = [opening, _("Campaign: %(title)s.", title=campaign_title)]
    if notice.comment:
        lines += ["", _("The reviewer's comment:"), notice.comment, ""]
    lines += [
        _("Open the report:"),
        link,
        "",
        _("This message was sent automatically by Collector."),
    ]
    return plain_message(sender, address, subject, lines)


def send_notices(session: Session, config: Mapping[str, Any], response_id: int) -> OutboxRun:
    waiting = list(
        session.scalars(
            select(ReviewNotice)
            .where(ReviewNotice.response_id == response_id, ReviewNotice.mailed_at.is_(None))
            .order_by(ReviewNotice.id)
        )
    )
    response = session.get(FormResponse, response_id)
    campaign = (
        session.get(Campaign, response.campaign_id) if response and response.campaign_id else None
    )
    title = campaign.title if campaign else ""
    return mail_rows(
        session,
        config,
        ReviewNotice,
        waiting,
        lambda notice, address: compose(
            notice, title, address, config["MAIL_SENDER"], config["PUBLIC_BASE_URL"]
        ),
    )


def notices_job(context: JobContext, params: dict[str, Any]) -> JobResult:
    """Mail one report's notices not mailed yet."""
    from flask import current_app

    from collector.extensions import db

    context.progress(_("Sending notices"), 0, None)
    run = send_notices(db.session(), current_app.config, int(params["response_id"]))
    context.progress(_("Done"), 1, 1)
    return JobResult(
        outcome={"sent": run.sent, "no_address": run.no_address, "refused": run.refused}
    )


@dataclass(frozen=True)
class Shown:
    """An unread notice as the start page shows it."""

    id: int
    move: str
    unit: str
    campaign: str
    comment: str | None
    response_id: int
    at: datetime
    timezone: str


def unread(session: Session, user: User, limit: int = SHOWN) -> list[Shown]:
    query = (
        select(ReviewNotice, Campaign.title, Campaign.timezone)
        .join(FormResponse, FormResponse.id == ReviewNotice.response_id)
        .outerjoin(Campaign, Campaign.id == FormResponse.campaign_id)
        .where(ReviewNotice.user_id == user.id, ReviewNotice.read_at.is_(None))
        .order_by(ReviewNotice.created_at.desc(), ReviewNotice.id.desc())
        .limit(limit)
    )
    return [
        Shown(
            id=notice.id,
            move=notice.move,
            unit=notice.response.unit.name,
            campaign=title or "",
            comment=notice.comment,
            response_id=notice.response_id,
            at=notice.created_at,
            timezone=timezone or "UTC",
        )
        for notice, title, timezone in session.execute(query).all()
    ]


def mark_read(session: Session, user: User, notice_id: int) -> None:
    """The user's own notice only: anyone else's is not found."""
    notice = session.get(ReviewNotice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotInScope(notice_id)
    if notice.read_at is None:
        notice.read_at = utcnow()
