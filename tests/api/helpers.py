"""Making tokens and calling the API with them."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from collector.api.tokens import create_token
from collector.extensions import db
from collector.models import TokenScope, User


def token_for(user: User, scope: TokenScope = TokenScope.READ, days: int = 30) -> str:
    made = create_token(db.session(), user, "script", scope, days)
    db.session.commit()
    return made.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def get_json(client: FlaskClient, url: str, secret: str, status: int = 200) -> Any:
    response = client.get(url, headers=bearer(secret))
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()
