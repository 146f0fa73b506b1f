"""When a service the app leans on does not answer: the database gives a clear 503 page
(never a 500 or a traceback), also when it stops answering after the view did its work;
with Redis down survey answers, logins and data entry go on (limits counted in each
process's memory) and a job fails at once with a plain message."""

from __future__ import annotations

import re
import socket

import pytest
import sqlalchemy as sa
from flask_login import login_required

from collector import create_app
from collector.api.tokens import SECRET_PREFIX
from collector.extensions import db, limiter
from collector.models import FormResponse, User
from collector.surveys import allowance
from tests.conftest import DEFAULT_PASSWORD, login_as, make_config
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


class DatabaseGone:
    """Once `gone` is set, every statement finds its connection closed by the database:
    the driver's OperationalError is raised, and on PostgreSQL the driver's connection is
    closed first, so SQLAlchemy lets it go and the session's transaction needs a
    rollback, as in a real cut."""

    def __init__(self) -> None:
        self.gone = False

    def __call__(self, connection: sa.Connection, *_args: object) -> None:
        if self.gone:
            if connection.dialect.name == "postgresql":
                # What psycopg finds after a cut (SQLite has no connection to lose).
                connection.connection.dbapi_connection.close()  # type: ignore[union-attr]
            failure = connection.dialect.loaded_dbapi.OperationalError
            raise failure("server closed the connection unexpectedly")


@pytest.fixture
def database_gone(app):
    gone = DatabaseGone()
    sa.event.listen(sa.Engine, "before_cursor_execute", gone)
    yield gone
    gone.gone = False
    sa.event.remove(sa.Engine, "before_cursor_execute", gone)


def logged_in(app, user_id: int, **kept: str):
    client = app.test_client()
    login_as(client, db.session.get_one(User, user_id))
    with client.session_transaction() as session:
        session.update(kept)
    return client


# Connections are really closed: these tests run outside the rolled-back transaction.
@pytest.mark.committed
def test_a_database_lost_after_the_view_did_its_work_fails_nothing(make_app, people, database_gone):
    # The after-request hooks read no record: a view's commit expired the user's, and the
    # work the view did must not come back as an error page.
    school = people["school"].id  # read in the test's own app, before the other's
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/probe/saved")
    @login_required
    def saved() -> str:
        db.session.commit()
        database_gone.gone = True
        return "saved"

    with app.app_context():
        reply = logged_in(app, school).get("/probe/saved")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_data(as_text=True) == "saved"
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.committed
def test_a_database_error_outside_the_view_gives_the_503_page(make_app, people, database_gone):
    # Raised in an after-request hook, where Flask's error handlers do not look: the same
    # 503 page as from a view, made without the database, in the session's language.
    school = people["school"].id
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/probe/late")
    @login_required
    def late() -> str:
        db.session.commit()
        database_gone.gone = True
        return "done"

    @app.after_request
    def read_late(response):
        db.session.execute(sa.text("SELECT 1"))
        return response

    with app.app_context():
        russian = logged_in(app, school).get("/probe/late")
    database_gone.gone = False
    with app.app_context():
        english = logged_in(app, school, lang="en").get("/probe/late")
    for reply, said in (
        (russian, "База данных не отвечает"),
        (english, "database does not answer"),
    ):
        html = reply.get_data(as_text=True)
        assert reply.status_code == 503
        assert int(reply.headers["Retry-After"]) > 0
        assert said in html and "Traceback" not in html
        # The request's id is quoted on the page (the hook fails again as the answer is
        # finished, so its header may be missing).
        assert re.search(r'data-testid="request-id">[0-9a-f]{32}<', html)


@pytest.mark.committed
def test_the_api_answers_a_lost_database_with_problem_details(make_app, database_gone):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    database_gone.gone = True
    try:
        with app.app_context():
            reply = app.test_client().get(
                "/api/v1/me", headers={"Authorization": f"Bearer {SECRET_PREFIX}looked-up"}
            )
        assert reply.status_code == 503
        assert reply.mimetype == "application/problem+json"
        assert int(reply.headers["Retry-After"]) > 0
        assert reply.get_json()["status"] == 503
        # The token's lookup failing is not the rate limit's store failing: limits are
        # still counted in Redis, not in this process's memory.
        assert not limiter._storage_dead
    finally:
        limiter._storage_dead = False


def test_a_pool_whose_connections_all_wait_gives_the_503_page(make_app):
    # A cut where connecting hangs rather than being refused: every connection of the
    # pool waits on it, and the next request's wait for one times out.
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/probe/pool")
    def pool() -> str:
        raise sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")

    @app.get("/api/probe/pool")
    def api_pool() -> str:
        raise sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")

    with app.app_context():
        page = app.test_client().get("/probe/pool")
        api = app.test_client().get("/api/probe/pool")
    assert page.status_code == 503 and "База данных не отвечает" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.mimetype == "application/problem+json"


def fail_after_a_refused_save() -> str:
    """A view whose save the database refuses, the error swallowed by mistake, then
    failing: the error page finds the session's transaction unusable."""
    db.session.commit()  # the user's record is read again for the error's answer
    db.session.add(User(username="school", full_name="Двойник", password_hash="x"))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        pass  # swallowed by mistake: the next error is what the user sees
    raise ZeroDivisionError("boom")


def test_an_api_error_after_a_failed_save_is_problem_details(make_app, people):
    # The problem's text asks for the user's language, which would read the user's
    # record over the session the failed save left unusable (the error handler failing
    # too: the server's bare error page).
    school = people["school"].id
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    app.get("/api/probe/refused")(login_required(fail_after_a_refused_save))

    with app.app_context():
        reply = logged_in(app, school).get("/api/probe/refused")
    assert reply.status_code == 500
    assert reply.mimetype == "application/problem+json"
    assert reply.get_json()["status"] == 500


@pytest.mark.committed
def test_an_error_page_when_the_database_failed_too_is_made_without_it(
    make_app, people, database_gone
):
    # The usual 500 page has the user's menu, read from the database: when that fails as
    # well, the page is made without it rather than not at all.
    school = people["school"].id
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/probe/broken")
    @login_required
    def broken() -> str:
        db.session.commit()  # the user's record is read again for the page
        database_gone.gone = True
        raise ZeroDivisionError("boom")

    with app.app_context():
        reply = logged_in(app, school).get("/probe/broken")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 500
    assert "Что-то пошло не так" in html and "Ошибка записана в журнал" in html
    assert "Traceback" not in html and "<nav" not in html


def test_the_error_page_after_a_failed_save_still_has_its_menu(make_app, people):
    # A save refused by the database leaves the session's transaction unusable; the 500
    # page rolls it back first, so the user's menu is read and shown as on any page.
    school = people["school"].id
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    app.get("/probe/refused")(login_required(fail_after_a_refused_save))

    with app.app_context():
        reply = logged_in(app, school).get("/probe/refused")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 500
    assert "Что-то пошло не так" in html and "<nav" in html


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
