"""The password reset link goes out as a job: the page that asks queues the same job
whether or not an account has what was typed, and the job looks the account up and mails
the link (collector.auth.reset), so how long the answer takes tells nothing."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm import Session

from collector.auth import reset
from collector.jobs.registry import JobContext, JobResult
from collector.jobs.services import start_job
from collector.models import Job

RESET_JOB = "password_reset_mail"


def queue(session: Session, typed: str) -> None:
    """Queue the mailing; nobody's job (the one who asks is not logged in)."""
    start_job(session, None, RESET_JOB, {"typed": typed}, title=_("Password reset"))


def reset_mail_job(context: JobContext, params: dict[str, Any]) -> JobResult:
    from collector.extensions import db

    config = current_app.config
    session = db.session()
    reset.request_reset(
        session,
        str(params.get("typed", "")),
        secret=str(config["SECRET_KEY"]),
        base_url=str(config["PUBLIC_BASE_URL"]),
        config=config,
    )
    # What was typed (perhaps someone's address) is not kept once it has been looked up;
    # whether an account matched is not written either.
    session.execute(update(Job).where(Job.id == context.job_id).values(params={}))
    session.commit()
    return JobResult(outcome={})
