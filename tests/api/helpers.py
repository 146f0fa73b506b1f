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


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(OpenAPI path, HTTP method, operation) of every operation the description holds."""
    from collector.api.blueprint import openapi_document

    return [
        (path, method.upper(), operation)
        for path, methods in openapi_document()["paths"].items()
        for method, operation in methods.items()
        if method != "parameters"
    ]


def fill(path: str, values: dict[str, Any]) -> str:
    """An OpenAPI path with its {parameters} given."""
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    return path
