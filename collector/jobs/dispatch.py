"""Two dispatchers for the same job functions: RQ on Redis (several app processes and
`flask jobs worker` processes on any machines sharing the database and Redis), or a
local worker thread when no Redis is configured (the embedded default of `make run`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from flask import Flask, current_app

QUEUE_NAME = "collector"


class Dispatcher(Protocol):
    def submit(self, job_id: str) -> None: ...


class ThreadDispatcher:
    def __init__(self, app: Flask, threads: int) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")

    def submit(self, job_id: str) -> None:
        self.executor.submit(self._run, job_id)

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
                db.session.remove()


class RQDispatcher:
    def __init__(self, url: str, timeout: int, queue: str = QUEUE_NAME) -> None:
        from redis import Redis
        from rq import Queue

        self.queue = Queue(queue, connection=Redis.from_url(url))
        self.timeout = timeout

    def submit(self, job_id: str) -> None:
        self.queue.enqueue_call(
            "collector.jobs.runner.run_in_worker",
            args=(job_id,),
            job_id=job_id,
            timeout=self.timeout,
            result_ttl=0,
            failure_ttl=24 * 3600,
        )


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
            RQDispatcher(url, app.config["JOB_TIMEOUT_SECONDS"], app.config["JOB_QUEUE"])
            if url
            else ThreadDispatcher(app, app.config["JOB_THREADS"])
        )
        app.extensions["collector_jobs"] = found
    return found
