"""Each token has its own allowance of requests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import bearer, token_for


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"API_RATE_LIMIT": "3 per minute"}


def test_requests_are_limited_per_token(client, people):
    first, second = token_for(people["school"]), token_for(people["school"])
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    refused = client.get("/api/v1/me", headers=bearer(first))
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert "Retry-After" in refused.headers
    # Another token of the same user, from the same address, still has its own.
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_one_allowance_spans_every_part_of_the_api(client, people):
    # Three routes of three blueprints (core, catalog, webhooks) draw on one allowance.
    secret = token_for(people["school"])
    for url in ("/api/v1/me", "/api/v1/registries", "/api/v1/webhooks"):
        assert client.get(url, headers=bearer(secret)).status_code == 200, url
    refused = client.get("/api/v1/campaigns", headers=bearer(secret))
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
