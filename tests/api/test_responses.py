"""A campaign's unit reports through the API: each token sees the reports its user sees on
the pages, filtered by subtree, status and last change, a page at a time behind a signed
cursor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import FormResponse
from tests.api.helpers import bearer, get_json, token_for
from tests.api.test_openapi import assert_matches
from tests.reports.fixtures import answered_campaign

# When each school's report last changed (b1 and b2 at the same moment: the id decides).
CHANGED = {
    "school_a1": datetime(2026, 4, 10, 10, 0, tzinfo=UTC),
    "school_a2": datetime(2026, 4, 11, 9, 30, tzinfo=UTC),
    "school_b1": datetime(2026, 4, 12, 8, 0, tzinfo=UTC),
    "school_b2": datetime(2026, 4, 12, 8, 0, tzinfo=UTC),
}


@pytest.fixture
def campaign(app, tree, people):
    made = answered_campaign(tree, people)
    for key, when in CHANGED.items():
        response = db.session.scalar(
            select(FormResponse).where(
                FormResponse.campaign_id == made.id, FormResponse.unit_id == tree[key].id
            )
        )
        response.updated_at = when
    db.session.commit()
    return made


def _tie(tree, campaign) -> list[str]:
    """S-B1 and S-B2 changed at the same moment: the lower report id comes first."""
    ids = {
        code: db.session.scalar(
            select(FormResponse.id).where(
                FormResponse.campaign_id == campaign.id, FormResponse.unit_id == tree[key].id
            )
        )
        for key, code in (("school_b1", "S-B1"), ("school_b2", "S-B2"))
    }
    return sorted(ids, key=lambda code: ids[code])


def _codes(body) -> list[str]:
    return [r["unit"]["code"] for r in body["responses"]]


def _url(campaign, query: str = "") -> str:
    return f"/api/v1/campaigns/{campaign.id}/responses" + (f"?{query}" if query else "")


@pytest.mark.parametrize(
    ("person", "seen"),
    [
        ("admin", ["S-A1", "S-A2", "tie"]),
        ("region", ["S-A1", "S-A2", "tie"]),
        ("municipal", ["S-A1", "S-A2"]),
        ("school", ["S-A1"]),
    ],
)
def test_each_token_reads_the_reports_its_pages_show(client, tree, people, campaign, person, seen):
    body = get_json(client, _url(campaign), token_for(people[person]))
    assert_matches("ResponsePage", body)
    if seen[-1] == "tie":
        seen = [*seen[:-1], *_tie(tree, campaign)]
    assert _codes(body) == seen
    assert body["next_cursor"] is None
    first = body["responses"][0]
    assert first["answers"] == {"has_plan": True, "trained": 30, "total": 100}
    assert first["status"] == "accepted"
    assert first["updated_at"].startswith("2026-04-10T10:00:00")


def test_another_regions_coordinator_finds_no_campaign(client, people, campaign):
    response = client.get(_url(campaign), headers=bearer(token_for(people["other_region"])))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_filters_by_subtree_status_and_last_change(client, tree, people, campaign):
    region = token_for(people["region"])
    by_unit = get_json(client, _url(campaign, f"unit={tree['mun_b'].id}"), region)
    tie = _tie(tree, campaign)
    assert _codes(by_unit) == tie
    assert _codes(get_json(client, _url(campaign, "status=submitted"), region)) == ["S-B2"]
    since = get_json(client, _url(campaign, "updated_since=2026-04-11T09:30:00Z"), region)
    assert _codes(since) == ["S-A2", *tie]
    # A time without a zone is UTC; +03:00 is three hours earlier in UTC.
    naive = get_json(client, _url(campaign, "updated_since=2026-04-11T09:30:01"), region)
    assert _codes(naive) == tie
    moscow = get_json(client, _url(campaign, "updated_since=2026-04-11T12:30:00%2B03:00"), region)
    assert _codes(moscow) == ["S-A2", *tie]
    # A municipality's coordinator asking for another municipality's subtree: not found.
    municipal = token_for(people["municipal"])
    refused = client.get(_url(campaign, f"unit={tree['mun_b'].id}"), headers=bearer(municipal))
    assert refused.status_code == 404
    assert tree["mun_b"].name not in refused.get_data(as_text=True)


def test_pages_follow_a_signed_cursor(client, tree, people, campaign):
    tie = _tie(tree, campaign)
    region = token_for(people["region"])
    seen: list[str] = []
    url = _url(campaign, "limit=1")
    pages = 0
    while True:
        body = get_json(client, url, region)
        pages += 1
        seen += _codes(body)
        if body["next_cursor"] is None:
            break
        url = _url(campaign, f"limit=1&cursor={body['next_cursor']}")
    assert pages == 4
    assert seen == ["S-A1", "S-A2", *tie]
    three = get_json(client, _url(campaign, "limit=3"), region)
    assert _codes(three) == ["S-A1", "S-A2", tie[0]]
    rest = get_json(client, _url(campaign, f"limit=3&cursor={three['next_cursor']}"), region)
    assert _codes(rest) == [tie[1]] and rest["next_cursor"] is None


def test_a_tampered_or_foreign_cursor_is_refused_by_its_path(client, tree, people, campaign):
    region = token_for(people["region"])
    cursor = get_json(client, _url(campaign, "limit=1"), region)["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for query in (
        f"cursor={tampered}",
        # A cursor made for other filters does not page these.
        f"cursor={cursor}&status=accepted",
    ):
        response = client.get(_url(campaign, query), headers=bearer(region))
        assert response.status_code == 400, query
        body = response.get_json()
        assert_matches("Problem", body)
        assert [e["path"] for e in body["errors"]] == ["query.cursor"]


def test_refused_parameters_are_named(client, people, campaign):
    region = token_for(people["region"])
    response = client.get(
        _url(campaign, "status=lost&limit=0&updated_since=yesterday&unit=-1"),
        headers=bearer(region),
    )
    assert response.status_code == 400
    paths = sorted(e["path"] for e in response.get_json()["errors"])
    assert paths == ["query.limit", "query.status", "query.unit", "query.updated_since"]
