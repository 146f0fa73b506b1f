"""Running one job, the same for both dispatchers: mark it running, keep a heartbeat so
that a job whose worker died is known, report progress, keep the file, and on failure
keep the message for the user and the log for the coordinator."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import update

from collector.extensions import db
from collector.jobs.registry import JobContext, JobFailed, job_kinds
from collector.models import Job, JobState
from collector.models.base import utcnow

logger = logging.getLogger(__name__)


def job_folder(job_id: str) -> Path:
    folder = Path(current_app.config["JOB_FOLDER"]) / job_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Heartbeat(threading.Thread):
    """Marks the job alive every few seconds from its own connection, so a long step
    that reports no progress still shows the worker is there."""

    def __init__(self, engine: Any, job_id: str, every: float) -> None:
        super().__init__(daemon=True)
        self.engine, self.job_id, self.every = engine, job_id, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            with self.engine.begin() as connection:
                connection.execute(
                    update(Job).where(Job.id == self.job_id).values(heartbeat_at=utcnow())
                )


class _Progress:
    """Progress written at most a few times a second (and at every change of stage)."""

    def __init__(self, job_id: str, every: float) -> None:
        self.job_id, self.every = job_id, every
        self.last = 0.0
        self.stage: str | None = None
        self.lines: list[str] = []

    def report(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if stage == self.stage and now - self.last < self.every and not final:
            return
        self.last, self.stage = now, stage
        # Its own short transaction: the job's session may be streaming rows from a
        # server-side cursor, which a commit there would close.
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(
                    progress={"stage": stage, "done": done, "total": total},
                    heartbeat_at=utcnow(),
                )
            )

    def log(self, line: str) -> None:
        self.lines.append(line)


def run_job(job_id: str) -> None:
    """Run a queued job to its end (done or failed). Needs an app context."""
    config = current_app.config
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.QUEUED:
        return
    job.state, job.started_at, job.heartbeat_at = JobState.RUNNING.value, utcnow(), utcnow()
    kind, params = job.kind, dict(job.params)
    db.session.commit()
    progress = _Progress(job_id, config["JOB_PROGRESS_EVERY"])
    heartbeat = _Heartbeat(db.engine, job_id, config["JOB_HEARTBEAT_SECONDS"])
    heartbeat.start()
    try:
        function = job_kinds(current_app)[kind]
        context = JobContext(job_id, job_folder(job_id), progress.report, progress.log)
        result = function(context, params)
        values: dict[str, Any] = {
            "state": JobState.DONE.value,
            "result_path": str(result.path) if result.path else None,
            "result_name": result.name or None,
            "result_type": result.mimetype,
            "outcome": result.outcome,
            "expires_at": utcnow() + timedelta(hours=config["JOB_RESULT_HOURS"]),
        }
    except JobFailed as failure:
        db.session.rollback()
        values = {"state": JobState.FAILED.value, "message": str(failure)}
        progress.log(traceback.format_exc())
    except Exception:  # noqa: BLE001 (a job's failure is reported, never lost)
        db.session.rollback()
        # The user reads what failed in words; the traceback (server paths) goes to the
        # log and to the job's log, which only admins are shown.
        logger.exception("job %s (%s) failed", job_id, kind)
        values = {
            "state": JobState.FAILED.value,
            "message": _(
                "The work failed because of an error on the server; the administrators "
                "have been told. Try again later or write to them."
            ),
        }
        progress.log(traceback.format_exc())
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=5)
    values |= {"finished_at": utcnow(), "log": "\n".join(progress.lines) or None}
    db.session.execute(update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def run_in_worker(job_id: str) -> None:
    """The RQ entry point: a worker started by `flask jobs worker` has the app context;
    any other gets an app of its own."""
    if has_app_context():
        run_job(job_id)
        return
    from collector import create_app

    with create_app().app_context():
        run_job(job_id)
