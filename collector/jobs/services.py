"""Starting jobs for a user, finding them again, and looking after them: the same work
asked twice while it runs is one job; a job whose worker died is failed, not left
running; finished files are removed after their time."""

from __future__ import annotations

import logging
import secrets
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import can
from collector.errors import NotInScope
from collector.jobs.dispatch import dispatcher
from collector.models import Job, JobState, OrgUnit, User
from collector.models.base import utcnow
from collector.models.jobs import ACTIVE_STATES, TITLE_LENGTH

logger = logging.getLogger(__name__)


def start_job(
    session: Session,
    user: User | None,
    kind: str,
    params: dict[str, Any],
    *,
    title: str,
    dedupe_key: str | None = None,
    scope_unit: OrgUnit | None = None,
    files: dict[str, bytes] | None = None,
) -> Job:
    """Queue the work (or give the job already doing the same work) and dispatch it;
    `files` (an upload) are put in the job's folder before any worker can start. A job
    without a user (a password reset asked by someone not logged in) is nobody's page."""
    sweep(session)
    if dedupe_key is not None:
        running = session.scalar(
            select(Job).where(Job.dedupe_key == dedupe_key, Job.state.in_(ACTIVE_STATES))
        )
        if running is not None:
            return running
    job = Job(
        id=secrets.token_hex(16),
        kind=kind,
        params=params,
        dedupe_key=dedupe_key,
        title=title[:TITLE_LENGTH],  # a title naming an upload holds the name it was sent
        progress={},
        created_by=user.id if user is not None else None,
        scope_unit_id=scope_unit.id if scope_unit else None,
        state=JobState.QUEUED.value,
    )
    session.add(job)
    session.commit()
    if files:
        folder = Path(current_app.config["JOB_FOLDER"]) / job.id
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_bytes(content)
    try:
        dispatcher().submit(job.id)
    except RedisError:
        # The queue (Redis) does not answer: the job could never start. It fails at once
        # with a plain message, so the same work can be asked again once the queue is back.
        logger.exception("job %s (%s) could not be queued", job.id, kind)
        job.state = JobState.FAILED.value
        job.finished_at = utcnow()
        job.message = _(
            "Background work cannot be started now: the job queue does not answer. "
            "Try again in a few minutes."
        )
        session.commit()
    return job


def active_jobs(session: Session, user: User, kinds: tuple[str, ...]) -> int:
    """How many jobs of these kinds the user has queued or running."""
    found = session.scalar(
        select(func.count(Job.id)).where(
            Job.created_by == user.id, Job.kind.in_(kinds), Job.state.in_(ACTIVE_STATES)
        )
    )
    return int(found or 0)


def may_see(session: Session, user: User, job: Job) -> bool:
    """The user who asked, and coordinators who may export what it covers."""
    if job.created_by == user.id:
        return True
    unit = session.get(OrgUnit, job.scope_unit_id) if job.scope_unit_id else None
    return unit is not None and can(user, Action.EXPORT, unit)


def get_job(session: Session, user: User, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or not may_see(session, user, job):
        raise NotInScope(job_id)
    _fail_if_dead(job)
    session.commit()
    return job


def _fail_if_dead(job: Job) -> bool:
    if job.state != JobState.RUNNING:
        return False
    limit = timedelta(seconds=current_app.config["JOB_DEAD_AFTER_SECONDS"])
    beat = job.heartbeat_at or job.started_at
    if beat is not None and utcnow() - beat > limit:
        job.state = JobState.FAILED.value
        job.finished_at = utcnow()
        job.message = _("The worker running this job stopped. Start it again.")
        job.log = (job.log or "") + f"\nno heartbeat since {beat.isoformat()}"
        return True
    return False


def _fail_if_lost(session: Session, job: Job) -> None:
    """A job queued for longer than a worker takes to mark it running, which its
    dispatcher says can no longer start: failed, so that the same work can be asked again
    (until then it stands for that work and a new request is given it)."""
    limit = timedelta(seconds=current_app.config["JOB_DEAD_AFTER_SECONDS"])
    if job.state != JobState.QUEUED or utcnow() - job.created_at <= limit:
        return
    try:
        lost = dispatcher().lost(job.id, job.created_at)
    except RedisError:
        return  # the queue does not answer: nothing is known, nothing is changed
    if lost:
        # Only while it is still queued in the database: a worker may have finished it
        # (and RQ forgotten it) since it was read.
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.state == JobState.QUEUED.value)
            .values(
                state=JobState.FAILED.value,
                finished_at=utcnow(),
                message=_(
                    "The job was lost before it started (its worker stopped). Start it again."
                ),
                log=f"queued at {job.created_at.isoformat()}, never started",
            )
            .execution_options(synchronize_session=False)
        )


def sweep(session: Session, *, queued: bool = True) -> None:
    """Fail running jobs whose worker died and (`queued`) queued ones that can no longer
    start; remove the files of expired ones."""
    for job in session.scalars(select(Job).where(Job.state == JobState.RUNNING.value)):
        _fail_if_dead(job)
    if queued:
        for job in list(session.scalars(select(Job).where(Job.state == JobState.QUEUED.value))):
            _fail_if_lost(session, job)
    now = utcnow()
    for job in session.scalars(
        select(Job).where(Job.expires_at.is_not(None), Job.expires_at < now)
    ):
        remove_files(job)
        job.result_path = None
        job.expires_at = None
    session.commit()


def remove_files(job: Job) -> None:
    folder = Path(current_app.config["JOB_FOLDER"]) / job.id
    shutil.rmtree(folder, ignore_errors=True)


def recent_jobs(session: Session, user: User, limit: int = 20) -> list[Job]:
    return list(
        session.scalars(
            select(Job)
            .where(Job.created_by == user.id)
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )


def progress_of(job: Job) -> dict[str, Any]:
    """Where a job stands, as the job page's poll and the API tell it: its stage, the
    steps done of how many, the percent (100 once done; none while the total is
    unknown), its message."""
    progress = job.progress or {}
    total = progress.get("total")
    done = progress.get("done", 0)
    return {
        "id": job.id,
        "state": job.state,
        "stage": progress.get("stage"),
        "done": done,
        "total": total,
        "percent": 100
        if job.state == JobState.DONE
        else (round(100 * done / total) if total else None),
        "message": job.message,
    }
