"""The load suite's own database and Redis names, and the settings the production
processes get from the environment (as an administrator would give them)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from collector import create_app
from collector.extensions import db
from tests.conftest import make_config, need_service, scratch_postgres_database

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Every client of a load test comes from 127.0.0.1, where in production each parent and
# school has an address of its own: the per-address and per-link limits would stop the
# burst after a few dozen answers, so they are raised out of the way here.
UNLIMITED = "1000000 per minute"


@pytest.fixture(scope="session")
def load_database() -> Iterator[str]:
    """A PostgreSQL database of the load suite's own, migrated to head, dropped after."""
    from flask_migrate import upgrade

    with scratch_postgres_database("collector_load") as url:
        app = create_app(make_config(url))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture(scope="session")
def redis_names() -> Iterator[str]:
    """A prefix for this run's keys and queue in the shared Redis; removed after."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        need_service(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"collector-load-{uuid.uuid4().hex[:8]}"
    yield prefix
    for pattern in (f"{prefix}*", f"rq:*{prefix}*"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def seed_app(load_database: str) -> Iterator[Any]:
    """An app in the test process to put data in with the project's own services."""
    app = create_app(make_config(load_database))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def server_env(load_database: str, redis_names: str) -> dict[str, str]:
    """The production settings, from the environment: PostgreSQL, Redis (limits and the
    job queue), a secret key, plain http on loopback, the limits raised (see UNLIMITED)."""
    folder = tempfile.mkdtemp(prefix="collector-load-jobs-")
    return {
        "DATABASE_URL": load_database,
        "COLLECTOR_SECRET_KEY": "load-test-secret",
        "COLLECTOR_REDIS_URL": REDIS_URL,
        "COLLECTOR_JOB_QUEUE": redis_names,
        "COLLECTOR_RATELIMIT_KEY_PREFIX": redis_names,
        "COLLECTOR_JOB_FOLDER": folder,
        # A worker killed in a test is known dead after 3 s, not the production minute.
        "COLLECTOR_JOB_DEAD_AFTER_SECONDS": "3",
        "COLLECTOR_JOB_HEARTBEAT_SECONDS": "0.5",
        "COLLECTOR_SESSION_COOKIE_SECURE": "false",
        "COLLECTOR_REMEMBER_COOKIE_SECURE": "false",
        "COLLECTOR_SURVEY_RATE_LIMIT": UNLIMITED,
        "COLLECTOR_SURVEY_ADDRESS_RATE_LIMIT": UNLIMITED,
        "COLLECTOR_LOGIN_RATE_LIMIT": UNLIMITED,
        "COLLECTOR_LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT": UNLIMITED,
    }
