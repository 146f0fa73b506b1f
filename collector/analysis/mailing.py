"""A sent recommendation e-mailed to its recipients: the active users with a role on the
unit it is sent to. Sending records a row per recipient in the same transaction; a job
mails the rows not mailed yet the way review notices are mailed (collector.outbox: the
same mail settings, each row claimed before it goes, so never twice). The start page shows the
recommendation too (recommendations.inbox)."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.auth.services import active_users_on
from collector.jobs.registry import JobContext, JobResult
from collector.jobs.services import start_job
from collector.mail import plain_message
from collector.models import Job, Recommendation, RecommendationMail, User
from collector.outbox import OutboxRun, mail_rows, waiting

MAIL_JOB = "recommendation_mail"


def record_mail(session: Session, recommendation: Recommendation) -> list[RecommendationMail]:
    """A row to mail for each recipient (in the sending's transaction)."""
    session.flush()
    made = [
        RecommendationMail(recommendation_id=recommendation.id, user_id=user.id)
        for user in active_users_on(session, recommendation.unit_id)
    ]
    session.add_all(made)
    return made


def announce(session: Session, actor: User, recommendation: Recommendation) -> Job | None:
    """Start the job that mails the recommendation's rows not mailed yet (once the sending
    is committed); None when no recipient has an address."""
    if not waiting(
        session, RecommendationMail, RecommendationMail.recommendation_id == recommendation.id
    ):
        return None
    return start_job(
        session,
        actor,
        MAIL_JOB,
        {"recommendation_id": recommendation.id},
        title=_("Recommendation to %(unit)s by e-mail", unit=recommendation.unit.name),
    )


def compose(
    recommendation: Recommendation, address: str, sender: str, base_url: str
) -> EmailMessage:
    campaign = recommendation.campaign.title
    link = f"{base_url.rstrip('/')}/analysis/recommendations/{recommendation.id}"
    lines = [
        _(
            "%(territory)s sends %(unit)s recommendations after the campaign «%(title)s».",
            territory=recommendation.territory.name,
            unit=recommendation.unit.name,
            title=campaign,
        ),
        "",
        recommendation.title,
        "",
        recommendation.body,
        "",
        _("Read it and acknowledge it here:"),
        link,
        "",
        _("This message was sent automatically by Collector."),
    ]
    subject = _("Recommendations: %(title)s", title=campaign)
    return plain_message(sender, address, subject, lines)


def send_mail(session: Session, config: Mapping[str, Any], recommendation_id: int) -> OutboxRun:
    recommendation = session.get(Recommendation, recommendation_id)
    if recommendation is None:
        return OutboxRun()
    waiting = list(
        session.scalars(
            select(RecommendationMail)
            .where(
                RecommendationMail.recommendation_id == recommendation_id,
                RecommendationMail.mailed_at.is_(None),
            )
            .order_by(RecommendationMail.id)
        )
    )
    return mail_rows(
        session,
        config,
        RecommendationMail,
        waiting,
        lambda _row, address: compose(
            recommendation, address, config["MAIL_SENDER"], config["PUBLIC_BASE_URL"]
        ),
    )


def mail_job(context: JobContext, params: dict[str, Any]) -> JobResult:
    """Mail one recommendation to its recipients not mailed yet."""
    from flask import current_app

    from collector.extensions import db

    context.progress(_("Sending the recommendation"), 0, None)
    run = send_mail(db.session(), current_app.config, int(params["recommendation_id"]))
    context.progress(_("Done"), 1, 1)
    return JobResult(
        outcome={"sent": run.sent, "no_address": run.no_address, "refused": run.refused}
    )
