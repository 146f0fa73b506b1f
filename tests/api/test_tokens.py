"""Personal access tokens: shown once, stored hashed, refused when expired, revoked or
their user deactivated; a read token cannot write; a browser cookie is no token."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collector.api.tokens import authenticate_token, create_token
from collector.extensions import db
from collector.models import ApiToken, TokenScope
from tests.api.helpers import bearer, token_for
from tests.conftest import login_as

PROBLEM = "application/problem+json"


def test_the_page_shows_a_new_token_once_and_keeps_only_its_hash(client, people):
    login_as(client, people["school"])
    page = client.post(
        "/account/tokens/", data={"name": "Мой скрипт", "scope": "read", "days": "30"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("col_") and len(secret) > 40
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Мой скрипт"))
    assert token is not None and token.user_id == people["school"].id
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.token_hash, token.name}
    assert secret.startswith(token.prefix)
    assert token.scope == "read"
    # Shown once: the list names it by its prefix, never the whole secret.
    again = client.get("/account/tokens/").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_the_page_refuses_a_lifetime_not_offered(client, people):
    login_as(client, people["school"])
    page = client.post("/account/tokens/", data={"name": "x", "scope": "read", "days": "9999"})
    assert 'data-testid="token-secret"' not in page.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def _refused(client, secret: str | None) -> None:
    response = client.get("/api/v1/me", headers=bearer(secret) if secret else {})
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 401 and body["title"] and body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_an_unknown_one_an_expired_one_and_a_revoked_one_are_refused(client, people):
    _refused(client, None)
    _refused(client, "col_not-a-real-token")
    user = people["municipal"]
    expired = create_token(db.session(), user, "old", TokenScope.READ, 7)
    expired.token.expires_at -= timedelta(days=8)
    db.session.commit()
    _refused(client, expired.secret)
    revoked = token_for(user)
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "script"))
    login_as(client, user)
    client.post(f"/account/tokens/{token.id}/revoke")
    _refused(client, revoked)


def test_a_deactivated_users_token_is_refused(client, people):
    secret = token_for(people["school"])
    people["school"].is_active_account = False
    db.session.commit()
    _refused(client, secret)
    assert authenticate_token(db.session(), secret) is None


def test_a_logged_in_browser_without_a_token_is_refused(client, people):
    login_as(client, people["admin"])
    _refused(client, None)


def test_a_read_token_may_not_write_and_a_write_token_may(client, people):
    user = people["school"]
    reader, writer = token_for(user), token_for(user, TokenScope.WRITE)
    target = create_token(db.session(), user, "target", TokenScope.READ, 7).token
    db.session.commit()
    refused = client.delete(f"/api/v1/tokens/{target.id}", headers=bearer(reader))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert refused.get_json()["status"] == 403
    db.session.refresh(target)
    assert target.revoked_at is None
    done = client.delete(f"/api/v1/tokens/{target.id}", headers=bearer(writer))
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.refresh(target)
    assert target.revoked_at is not None


def test_one_may_not_revoke_anothers_token(client, people):
    theirs = create_token(db.session(), people["region"], "theirs", TokenScope.READ, 7).token
    mine = token_for(people["school"], TokenScope.WRITE)
    response = client.delete(f"/api/v1/tokens/{theirs.id}", headers=bearer(mine))
    assert response.status_code == 404 and response.mimetype == PROBLEM
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    login_as(client, people["school"])
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404


def test_the_tokens_dates_are_in_the_interface_languages_conventions(client, people):
    """Valid until: the day in Moscow time; last used: the moment in Moscow time (UTC+3)."""
    user = people["school"]
    made = create_token(db.session(), user, "Отчёты", TokenScope.READ, 30).token
    made.expires_at = datetime(2027, 5, 15, 22, 30, tzinfo=UTC)  # 16 May, 01:30 in Moscow
    made.last_used_at = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    db.session.commit()
    login_as(client, user)
    russian = client.get("/account/tokens/").get_data(as_text=True)
    assert "<td>16.05.2027</td>" in russian and "<td>05.12.2026 18:00</td>" in russian
    client.get("/language/en")
    english = client.get("/account/tokens/").get_data(as_text=True)
    assert "<td>16 May 2027</td>" in english and "<td>5 December 2026, 18:00</td>" in english
