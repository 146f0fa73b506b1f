"""Login sessions kept on the server (issue 19): logout ends the session for every app
process, a login starts a new one, and pages behind login are never stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from sqlalchemy import select

from collector.auth.views import SESSION_ID_KEY
from collector.extensions import db
from collector.models import UserSession
from collector.models.base import utcnow
from tests.conftest import DEFAULT_PASSWORD, login_as

SESSION_COOKIE = "session"


def log_in(client: FlaskClient, username: str = "admin") -> None:
    response = client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def browser_with(app: Flask, cookie: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, cookie)
    return client


def session_id_of(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        value = session[SESSION_ID_KEY]
    assert isinstance(value, str)
    return value


def test_logout_ends_a_copied_cookie_on_every_worker(app, make_app, client, people):
    # Issue 19: after logout a copied cookie still opened every page for 12 hours.
    log_in(client)
    copied = cookie_of(client)
    other_worker = make_app()
    assert browser_with(app, copied).get("/").status_code == 200
    assert browser_with(other_worker, copied).get("/").status_code == 200

    assert client.post("/logout").status_code == 302

    assert browser_with(app, copied).get("/").status_code == 302
    assert browser_with(other_worker, copied).get("/").status_code == 302
    record = db.session.scalar(select(UserSession))
    assert record is not None and record.ended_at is not None


def test_logout_ends_only_that_session(app, client, people):
    log_in(client)
    other_browser = app.test_client()
    log_in(other_browser)
    client.post("/logout")
    assert client.get("/").status_code == 302
    assert other_browser.get("/").status_code == 200


def test_each_login_is_a_new_session(app, people):
    first, second = app.test_client(), app.test_client()
    log_in(first)
    log_in(second)
    assert session_id_of(first) != session_id_of(second)
    assert len(db.session.scalars(select(UserSession)).all()) == 2


def test_login_keeps_the_chosen_language_only(app, people):
    client = app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "en"
        session["planted"] = "before login"
    log_in(client)
    with client.session_transaction() as session:
        assert session["lang"] == "en"
        assert "planted" not in session


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def csrf_token_on(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)
    assert found is not None, path
    return found.group(1)


def test_the_csrf_token_from_before_login_no_longer_validates(csrf_app: Flask, people):
    # Issue 19: the session was not renewed at login; the pre-login CSRF token was kept.
    client = csrf_app.test_client()
    before = csrf_token_on(client, "/login")
    response = client.post(
        "/login", data={"username": "admin", "password": DEFAULT_PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/").status_code == 200  # still logged in
    fresh = csrf_token_on(client, "/")
    assert client.post("/logout", data={"csrf_token": fresh}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_session_past_its_lifetime_ends_however_often_the_cookie_was_renewed(app, client, people):
    log_in(client)
    record = db.session.get(UserSession, session_id_of(client))
    assert record is not None
    record.created_at = utcnow() - app.permanent_session_lifetime - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, people):
    log_in(client, "school")
    people["school"].is_active_account = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_cookie_naming_no_record_opens_nothing(client, people):
    log_in(client)
    with client.session_transaction() as session:
        session[SESSION_ID_KEY] = "made-up"
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        del session[SESSION_ID_KEY]
    assert client.get("/").status_code == 302


def test_a_remember_cookie_does_not_revive_an_ended_session(app, client, people):
    log_in(client)
    copied = cookie_of(client)
    client.post("/logout")
    revived = browser_with(app, copied)
    revived.set_cookie("remember_token", encode_cookie(people["admin"].get_id()))
    assert revived.get("/").status_code == 302


def test_a_login_removes_the_users_ended_sessions(app, people):
    client = app.test_client()
    for _ in range(3):
        log_in(client)
        client.post("/logout")
    log_in(client)
    records = db.session.scalars(select(UserSession)).all()
    assert len(records) == 1 and records[0].ended_at is None


def test_last_seen_is_written_now_and_then(make_app, people):
    worker = make_app(SESSION_SEEN_EVERY=timedelta(0))
    client = worker.test_client()
    log_in(client)
    session_id = session_id_of(client)
    with worker.app_context():
        record = db.session.get(UserSession, session_id)
        assert record is not None
        first_seen = record.last_seen_at
    client.get("/")
    with worker.app_context():
        record = db.session.get(UserSession, session_id)
        assert record is not None and record.last_seen_at > first_seen


def test_pages_behind_login_and_the_login_page_are_not_stored(client, people):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login_as(client, people["admin"])
    for path in ("/", "/users/", "/password"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    logout = client.post("/logout")
    assert logout.headers["Cache-Control"] == "no-store"


def cache_control(client: FlaskClient, path: str) -> str | None:
    response = client.get(path)
    response.close()  # a static file is streamed from disk
    return response.headers.get("Cache-Control")


def test_static_files_and_public_pages_keep_their_caching(client, people):
    assert cache_control(client, "/static/collector.css") != "no-store"
    assert cache_control(client, "/public/registries/") != "no-store"
    login_as(client, people["admin"])
    assert cache_control(client, "/static/collector.css") != "no-store"


def test_logout_clears_the_kept_answers_in_the_browser(client, people):
    # logout.js clears the copies entry.js keeps ("collector:…", "designer:…") when the
    # logout form is sent; the browser test tests/browser/test_logout.py runs it.
    login_as(client, people["school"])
    page = client.get("/").get_data(as_text=True)
    assert "data-logout" in page and "/static/logout.js" in page
    served = client.get("/static/logout.js")
    script = served.get_data(as_text=True)
    served.close()
    assert '"collector:"' in script and '"designer:"' in script
    assert client.post("/logout").headers["Clear-Site-Data"] == '"storage"'


def test_password_change_starts_a_new_session_and_ends_the_old_one(app, client, people):
    log_in(client, "school")
    before = session_id_of(client)
    copied = cookie_of(client)
    client.post(
        "/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "another pass 777",
            "confirm": "another pass 777",
        },
    )
    assert session_id_of(client) != before and client.get("/").status_code == 200
    assert browser_with(app, copied).get("/").status_code == 302
    # Ended, and removed by the new session's start.
    assert db.session.get(UserSession, before) is None
