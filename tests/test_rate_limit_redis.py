"""With several app processes the login limit is counted in Redis, shared by all of them."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from collector.extensions import db
from tests.conftest import need_service

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        need_service(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"collector-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_two_processes_share_one_login_counter(make_app, people, redis_prefix):
    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "LOGIN_RATE_LIMIT": "3 per minute",
    }
    workers = [make_app(**settings), make_app(**settings)]
    statuses = []
    for attempt in range(4):
        worker = workers[attempt % 2]
        with worker.app_context():
            response = worker.test_client().post(
                "/login", data={"username": "admin", "password": "guess"}
            )
            statuses.append(response.status_code)
            db.session.remove()
    assert statuses == [200, 200, 200, 429]
