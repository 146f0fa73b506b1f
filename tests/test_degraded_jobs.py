"""With Redis down a job fails at once with a plain message instead of staying queued
(issue 21). Its own module: the app under test is the one whose Redis is down (a second
app beside the suite's, sharing its user objects, left a database connection to be
collected in a later test on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from collector.extensions import db
from collector.jobs.services import start_job
from collector.models import Job
from tests.test_degraded_services import closed_port


@pytest.fixture
def app_config() -> dict[str, Any]:
    url = f"redis://127.0.0.1:{closed_port()}"
    return {"REDIS_URL": url, "RATELIMIT_STORAGE_URI": url}


def test_with_redis_down_a_job_fails_at_once_and_says_why(app, people):
    job = start_job(db.session, people["region"], "campaign_export", {}, title="Выгрузка")
    stored = db.session.get(Job, job.id)
    assert stored.state == "failed" and stored.finished_at is not None
    assert "очередь задач не отвечает" in stored.message
