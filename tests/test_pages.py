"""Pages every user meets: errors without stack traces, security headers, languages."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import login_as


def test_security_headers_forbid_outside_assets(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_links_to_the_internet(client, people):
    login_as(client, people["admin"])
    for url in ("/login", "/", "/units/", "/users/"):
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "http://" not in body and "https://" not in body, url


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Не найдено" in response.get_data(as_text=True)


@pytest.fixture
def fragile_app(make_app) -> Flask:
    app = make_app(TESTING=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    return app


def test_server_error_shows_no_stack_trace(fragile_app: Flask):
    response = fragile_app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "Что-то пошло не так" in body


def test_language_switch_keeps_the_page(client):
    response = client.get("/language/en?next=/login")
    assert response.location == "/login"
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.get("/language/ru")
    assert "Войти" in client.get("/login").get_data(as_text=True)


def test_language_switch_does_not_redirect_away(client):
    assert client.get("/language/en?next=//evil.example").location == "/"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_gets_the_installed_driver(given, expected):
    from collector import with_driver

    assert with_driver(given) == expected
