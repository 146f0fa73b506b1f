"""`flask jobs worker`: an RQ worker for this app (REDIS_URL must be set); `flask jobs
sweep`: fail jobs whose worker died and remove expired files (run it from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from collector.extensions import db
from collector.jobs.services import sweep

jobs_cli = AppGroup("jobs", help="Background jobs: exports, imports, reminders.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--fork/--no-fork",
    default=True,
    help="Run each job in a forked child (the default) or in the worker process.",
)
def worker(burst: bool, fork: bool) -> None:
    """Run jobs from Redis until stopped."""
    from redis import Redis
    from rq import SimpleWorker, Worker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run in the app's own thread.")
    connection = Redis.from_url(url)
    kind = Worker if fork else SimpleWorker
    kind([current_app.config["JOB_QUEUE"]], connection=connection).work(burst=burst)


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Fail jobs whose worker died; remove files past their time."""
    # Without Redis, queued jobs wait in the web process's own threads, which this command
    # cannot see: only RQ's queue can say that a queued job will never start.
    sweep(db.session(), queued=bool(current_app.config.get("REDIS_URL")))
    click.echo("Jobs swept.")
