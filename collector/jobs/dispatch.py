"""Two dispatchers for the same job functions: RQ on Redis (several app processes and
`flask jobs worker` processes on any machines sharing the database and Redis), or a
local worker thread when no Redis is configured (the embedded default of `make run`)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from flask import Flask, current_app

from collector.models.base import utcnow

QUEUE_NAME = "collector"


class Dispatcher(Protocol):
    def submit(self, job_id: str) -> None: ...

    def lost(self, job_id: str, queued_at: datetime) -> bool:
        """Whether a job still marked queued can no longer start (asked of jobs queued
        for longer than a worker takes to mark one running)."""
        ...


class ThreadDispatcher:
    def __init__(self, app: Flask, threads: int) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")
        self.started_at = utcnow()
        self.waiting: set[str] = set()
        self.lock = threading.Lock()

    def submit(self, job_id: str) -> None:
        with self.lock:
            self.waiting.add(job_id)
        self.executor.submit(self._run, job_id)

    def lost(self, job_id: str, queued_at: datetime) -> bool:
        # Threads live and die with their process: a job queued before this web process
        # began and not handed to it was in one that has stopped (a restart, a crash).
        # (`flask jobs sweep` runs no job threads and does not ask; several web processes
        # without Redis could misjudge each other's: production has Redis.)
        with self.lock:
            ours = job_id in self.waiting
        return not ours and queued_at < self.started_at

    def shutdown(self) -> None:
        """Wait for the running jobs (an app being torn down, in tests)."""
        self.executor.shutdown(wait=True)

    def _run(self, job_id: str) -> None:
        from collector.extensions import db
        from collector.jobs.runner import run_job

        with self.app.app_context():
            try:
                run_job(job_id)
            finally:
                with self.lock:
                    self.waiting.discard(job_id)
                db.session.remove()


class RQDispatcher:
    def __init__(
        self, url: str, timeout: int, queue: str = QUEUE_NAME, dead_after: float = 60
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.queue = Queue(queue, connection=Redis.from_url(url))
        self.timeout = timeout
        self.dead_after = timedelta(seconds=dead_after)

    def submit(self, job_id: str) -> None:
        self.queue.enqueue_call(
            "collector.jobs.runner.run_in_worker",
            args=(job_id,),
            job_id=job_id,
            timeout=self.timeout,
            result_ttl=0,
            failure_ttl=24 * 3600,
        )

    def lost(self, job_id: str, queued_at: datetime) -> bool:
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.job import Job as QueuedJob
        from rq.job import JobStatus

        try:
            queued = QueuedJob.fetch(job_id, connection=self.queue.connection)
        except NoSuchJobError:
            return True  # not in Redis (flushed, or restarted without its data)
        except (InvalidJobOperation, ValueError, TypeError):
            return False  # unreadable: nothing is known, nothing is changed
        status = queued.get_status(refresh=False)  # as just fetched
        if status == JobStatus.STARTED:
            # A worker took it; marking it running takes a moment. Still unmarked long
            # after: the worker died first.
            began = queued.started_at
            return began is not None and utcnow() - began.replace(tzinfo=UTC) > self.dead_after
        # Failed or stopped in RQ before it began here.
        return status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def shutdown(app: Flask) -> None:
    """Let the app's local job threads finish (RQ workers are other processes)."""
    found = app.extensions.pop("collector_jobs", None)
    if isinstance(found, ThreadDispatcher):
        found.shutdown()


def dispatcher() -> Dispatcher:
    """The app's dispatcher, made once per app."""
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    found: Dispatcher | None = app.extensions.get("collector_jobs")
    if found is None:
        url = app.config.get("REDIS_URL")
        found = (
            RQDispatcher(
                url,
                app.config["JOB_TIMEOUT_SECONDS"],
                app.config["JOB_QUEUE"],
                app.config["JOB_DEAD_AFTER_SECONDS"],
            )
            if url
            else ThreadDispatcher(app, app.config["JOB_THREADS"])
        )
        app.extensions["collector_jobs"] = found
    return found
