"""GET /health (issue 21): 200 while the database answers, 503 when it does not; Redis
reported, and its absence degraded, not down. No login, no cookie, no cache."""

from __future__ import annotations

import socket

import pytest
import redis

from collector.extensions import limiter
from tests.conftest import need_service
from tests.test_rate_limit_redis import REDIS_URL


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_healthy_without_redis_and_without_login(client):
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in reply.headers


def test_redis_answering_and_redis_down(make_app):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        need_service(f"Redis is not reachable at {REDIS_URL}: {error}")
    up = make_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI="memory://")
    assert up.test_client().get("/health").get_json()["redis"] == "ok"
    down = make_app(
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}", RATELIMIT_STORAGE_URI="memory://"
    )
    reply = down.test_client().get("/health")
    assert reply.status_code == 200  # answers and data entry go on without Redis
    assert reply.get_json() == {"status": "degraded", "database": "ok", "redis": "down"}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:{port}/collector?connect_timeout=2",
        "sqlite:////nonexistent-folder/{port}/collector.sqlite",
    ],
)
def test_a_database_that_does_not_answer_is_503(make_app, url):
    app = make_app(SQLALCHEMY_DATABASE_URI=url.format(port=closed_port()))
    reply = app.test_client().get("/health")
    assert reply.status_code == 503
    assert reply.get_json()["database"] == "down"
    assert reply.get_json()["status"] == "down"


def test_exempt_from_csrf_limits_and_sessions_as_deployed(make_app):
    """With CSRF on and a default rate limit as tight as can be, a monitor polling every
    few seconds still gets its answers, and no session is started for it."""
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    try:
        monitor = app.test_client()
        replies = [monitor.get("/health") for _ in range(5)]
        assert [reply.status_code for reply in replies] == [200] * 5
        assert all("Set-Cookie" not in reply.headers for reply in replies)
        assert monitor.head("/health").status_code == 200
        # The limit is real: another page is refused after two requests.
        statuses = [monitor.get("/login").status_code for _ in range(3)]
        assert statuses[-1] == 429
    finally:
        # Flask-Limiter's one Limiter keeps the first default limits it was given for the
        # whole process: every later test's app would be held to 2 a minute.
        limiter.limit_manager.set_default_limits([])
