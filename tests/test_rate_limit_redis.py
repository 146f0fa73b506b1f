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


def test_survey_answers_are_counted_in_redis_for_every_window_at_once(
    make_app, tree, people, redis_prefix
):
    from tests.surveys.test_survey_links import GOOD, answers_count, link_of, make_survey

    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "SURVEY_RATE_LIMIT": "3 per minute;100 per hour",
        "SURVEY_ADDRESS_RATE_LIMIT": "2 per minute",
    }
    workers = [make_app(**settings), make_app(**settings)]
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    replies = []
    for attempt, address in enumerate(["198.51.100.7"] * 3 + ["198.51.100.8"] * 2):
        worker = workers[attempt % 2]
        with worker.app_context():
            replies.append(
                worker.test_client().post(
                    f"/s/{token}", data=GOOD, environ_base={"REMOTE_ADDR": address}
                )
            )
            db.session.remove()
    # Both workers count in one place; the address's window refuses the third answer and
    # the link's minute window the fifth; a refused answer is counted in no window.
    assert [r.status_code for r in replies] == [302, 302, 429, 302, 429]
    assert all(1 <= int(r.headers["Retry-After"]) <= 60 for r in replies if r.status_code == 429)
    client = redis.Redis.from_url(REDIS_URL)
    hour = [k for k in client.scan_iter(f"*{redis_prefix}/survey/{token}/100/1/hour")]
    assert len(hour) == 1 and client.llen(hour[0]) == 3
    client.close()
    assert answers_count(campaign) == 3
