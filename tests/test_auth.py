"""Logging in and out, rate limiting, password storage and change, CSRF on every POST."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from collector.extensions import db
from collector.models import User
from tests.conftest import DEFAULT_PASSWORD, login_as


def test_login_and_logout(client, auth, people):
    response = auth.login("admin")
    assert response.status_code == 302 and response.location == "/"
    assert "Иванов Иван" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_and_trims(client, auth, people):
    assert auth.login("  ADMIN ").status_code == 302


@pytest.mark.parametrize(
    ("username", "password"), [("admin", "wrong password"), ("nobody", DEFAULT_PASSWORD)]
)
def test_wrong_credentials_get_one_message(client, auth, people, username, password):
    response = auth.login(username, password)
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_account_cannot_log_in(client, auth, make_user):
    make_user(username="gone", is_active_account=False)
    assert auth.login("gone").status_code == 200
    assert client.get("/").status_code == 302


def test_login_keeps_the_typed_login_after_an_error(client, auth, people):
    body = auth.login("admin", "nope").get_data(as_text=True)
    assert 'value="admin"' in body


def test_next_only_follows_local_paths(client, people):
    ok = client.post(
        "/login?next=/users/", data={"username": "admin", "password": DEFAULT_PASSWORD}
    )
    assert ok.location == "/users/"
    client.post("/logout")
    evil = client.post(
        "/login?next=https://evil.example/",
        data={"username": "admin", "password": DEFAULT_PASSWORD},
    )
    assert evil.location == "/"


def test_passwords_are_never_stored_in_clear(app, make_user):
    user = make_user(username="hashme")
    user.set_password("a fresh password 123")
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash).where(User.username == "hashme"))
    assert stored is not None and "a fresh password 123" not in stored
    assert stored.startswith("scrypt:")
    assert user.check_password("a fresh password 123")


def test_password_change(client, auth, people):
    auth.login("school")
    response = client.post(
        "/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "new password 2026",
            "confirm": "new password 2026",
        },
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login("school").status_code == 200  # the old password no longer works
    assert auth.login("school", "new password 2026").status_code == 302


def test_password_change_rejects_short_and_wrong_current(client, auth, people):
    auth.login("school")
    short = client.post(
        "/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert short.status_code == 200 and "is-invalid" in short.get_data(as_text=True)
    wrong = client.post(
        "/password",
        data={
            "current_password": "not it at all",
            "new_password": "long enough 123",
            "confirm": "long enough 123",
        },
    )
    assert "Текущий пароль неверен" in wrong.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, client, people):
    other_browser = app.test_client()
    login_as(client, people["school"])
    login_as(other_browser, people["school"])
    client.post(
        "/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "another pass 777",
            "confirm": "another pass 777",
        },
    )
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_is_rate_limited(client, auth, people):
    for _ in range(3):
        assert auth.login("admin", "guess").status_code == 200
    blocked = auth.login("admin", DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert "Слишком много попыток" in blocked.get_data(as_text=True)


def test_rate_limit_also_counts_per_login_name(app, people):
    # Attempts on one account from different addresses share a counter.
    for n in range(3):
        app.test_client().post(
            "/login",
            data={"username": "admin", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    response = app.test_client().post(
        "/login",
        data={"username": "admin", "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429


FORMS_CHECKING_THEIR_OWN_TOKEN = {"entry.fill", "entry.fill_response", "surveys.answer"}


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_every_post_needs_a_csrf_token(csrf_app: Flask, people):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        login_as(client, admin)
    posts = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in (rule.methods or set())]
    assert posts, "no POST endpoints found"
    for rule in posts:
        url = rule.build({arg: 1 for arg in rule.arguments})[1]
        response = client.post(url, data={"username": "admin", "password": DEFAULT_PASSWORD})
        if rule.endpoint in FORMS_CHECKING_THEIR_OWN_TOKEN:
            # Data entry keeps the typed values instead of an error page; it saves nothing.
            assert response.status_code in (200, 404), url
            continue
        assert response.status_code == 400, url
        assert "Форма устарела" in response.get_data(as_text=True), url


def test_login_form_works_with_its_csrf_token(csrf_app: Flask, people):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"username": "admin", "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
