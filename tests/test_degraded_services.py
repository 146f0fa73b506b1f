"""When a service the app leans on does not answer: the database gives a clear 503 page
(never a 500 or a traceback); with Redis down survey answers, logins and data entry go on
(limits counted in each process's memory) and a job fails at once with a plain message."""

from __future__ import annotations

import socket

import pytest

from collector import create_app
from collector.extensions import db, limiter
from collector.models import FormResponse
from collector.surveys import allowance
from tests.conftest import DEFAULT_PASSWORD, make_config
from tests.surveys.test_survey_links import GOOD, link_of, make_survey


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_database_that_does_not_answer_gives_a_clear_503_page():
    app = create_app(
        make_config(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/collector")
    )
    with app.app_context():
        client = app.test_client()
        sent = {"username": "school", "password": DEFAULT_PASSWORD}
        for reply in (client.get("/s/some-link"), client.post("/login", data=sent)):
            html = reply.get_data(as_text=True)
            assert reply.status_code == 503
            assert int(reply.headers["Retry-After"]) > 0
            assert "База данных не отвечает" in html and "Traceback" not in html
        db.engine.dispose()


@pytest.fixture
def redis_down() -> dict[str, str]:
    url = f"redis://127.0.0.1:{closed_port()}"
    return {"REDIS_URL": url, "RATELIMIT_STORAGE_URI": url}


def test_with_redis_down_answers_and_logins_go_on_and_limits_count_in_memory(
    make_app, tree, people, redis_down
):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    app = make_app(**redis_down, SURVEY_RATE_LIMIT="3 per minute")
    try:
        with app.app_context():
            codes = [app.test_client().post(f"/s/{token}", data=GOOD).status_code for _ in range(4)]
            # The link's limit still holds, counted in this process's memory.
            assert codes == [302, 302, 302, 429]
            assert db.session.query(FormResponse).count() == 3
            client = app.test_client()
            sent = {"username": "school", "password": DEFAULT_PASSWORD}
            assert client.post("/login", data=sent).status_code == 302
            assert client.get("/entry/").status_code == 200
    finally:
        # The one Limiter object outlives this app (Flask-Limiter keeps it per process) and
        # would carry its "store is down" mark to the next test's app.
        limiter._storage_dead = False
        allowance.reset()
