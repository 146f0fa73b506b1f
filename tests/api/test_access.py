"""Every API route for every role and token scope: each person's token reaches exactly
what their pages show (never data outside their scope); 401 without a token, 403 for a
read-only token writing (tests/api/test_tokens.py for the tokens themselves)."""

from __future__ import annotations

import pytest
from flask import Flask

from collector.extensions import db
from collector.models import Campaign, OrgUnit, TokenScope, User
from collector.publishing.services import publish
from collector.reports.services import campaign_report
from collector.schema import compile_document
from tests.api.helpers import bearer, fill, get_json, operations, token_for
from tests.api.test_openapi import assert_matches
from tests.reports.fixtures import answered_campaign
from tests.schema.cases import base

# Every endpoint of the API's blueprints, each checked here or in test_tokens.py
# (tests/test_access_matrix.py asks that every endpoint be in a matrix).
API_ENDPOINTS = {
    "api.core.openapi",  # public: test_openapi.py
    "api.core.docs",  # public: test_openapi.py
    "api.core.me",
    "api.core.campaigns",
    "api.core.campaign",
    "api.core.indicators",
    "api.core.form_version",
    "api.responses.campaign_responses",  # test_responses.py
    "api.reports.save_report",  # test_writes.py
    "api.reports.submit_report",  # test_writes.py
    "api.catalog.unit",  # test_catalog.py
    "api.catalog.unit_figures",  # test_catalog.py
    "api.catalog.registries",  # test_catalog.py
    "api.catalog.registry_records",  # test_catalog.py
    "api.catalog.start_export",  # test_catalog.py
    "api.catalog.job",  # test_catalog.py
    "api.catalog.job_file",  # test_catalog.py
    "api.webhooks.create_webhook",  # test_webhooks.py
    "api.webhooks.webhooks",  # test_webhooks.py
    "api.webhooks.delete_webhook",  # test_webhooks.py
    "api.webhooks.resume_webhook",  # test_webhooks.py
    "api.webhooks.webhook_deliveries",  # test_webhooks.py
    "api.webhooks.resend_delivery",  # test_webhooks.py
    "api.core.revoke_token",  # test_tokens.py: write scope, one's own token only
    "api.imports.upload_table",  # test_imports.py
    "api.imports.upload_units",  # test_imports.py
}
PEOPLE = ("admin", "region", "other_region", "municipal", "school")
# Who sees the Kaluga campaign (owned by the first region): its coordinators (the
# municipality its own subtree) review it, the school answers it.
SEES_CAMPAIGN = {"admin", "region", "municipal", "school"}
REVIEWS = {"admin", "region", "municipal"}


@pytest.fixture
def campaign(app: Flask, tree: dict[str, OrgUnit], people: dict[str, User]) -> Campaign:
    return answered_campaign(tree, people)


@pytest.mark.parametrize("person", PEOPLE)
def test_each_token_lists_the_campaigns_its_user_sees(client, people, campaign, person):
    secret = token_for(people[person])
    me = get_json(client, "/api/v1/me", secret)
    assert_matches("Me", me)
    assert me["username"] == people[person].username
    listed = get_json(client, "/api/v1/campaigns", secret)
    assert_matches("CampaignList", listed)
    assert ([c["id"] for c in listed["campaigns"]] == [campaign.id]) == (person in SEES_CAMPAIGN)
    detail = client.get(f"/api/v1/campaigns/{campaign.id}", headers=bearer(secret))
    if person not in SEES_CAMPAIGN:
        assert detail.status_code == 404
        assert detail.mimetype == "application/problem+json"
        assert campaign.title not in detail.get_data(as_text=True)
        return
    assert detail.status_code == 200
    body = detail.get_json()
    assert_matches("Campaign", body)
    assert body["state"] == "open"
    assert (body["completeness"] is not None) == (person in REVIEWS)


def test_completeness_is_cut_to_what_the_user_reviews(client, tree, people, campaign):
    region = get_json(client, f"/api/v1/campaigns/{campaign.id}", token_for(people["region"]))
    rows = {row["unit"]["code"] for row in region["completeness"]["rows"]}
    assert rows == {tree["mun_a"].code, tree["mun_b"].code}
    assert region["completeness"]["overall"]["total"] == 4
    municipal = get_json(client, f"/api/v1/campaigns/{campaign.id}", token_for(people["municipal"]))
    assert municipal["completeness"]["root"]["id"] == tree["mun_a"].id
    names = str(municipal)
    assert tree["school_b1"].name not in names and tree["mun_b"].name not in names


def test_a_school_token_never_reads_indicators_or_other_schools(client, tree, people, campaign):
    secret = token_for(people["school"])
    detail = client.get(f"/api/v1/campaigns/{campaign.id}", headers=bearer(secret))
    text = detail.get_data(as_text=True)
    for other in ("school_a2", "school_b1", "school_b2", "mun_b"):
        assert tree[other].name not in text
    for unit in (None, tree["school_a1"].id, tree["mun_a"].id):
        url = f"/api/v1/campaigns/{campaign.id}/indicators" + (f"?unit={unit}" if unit else "")
        refused = client.get(url, headers=bearer(secret))
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"


def test_indicators_at_a_municipality_are_the_report_services(client, tree, people, campaign):
    url = f"/api/v1/campaigns/{campaign.id}/indicators?unit={tree['mun_a'].id}"
    for person in ("region", "municipal"):
        found = get_json(client, url, token_for(people[person]))
        assert_matches("Indicators", found)
        assert found["unit"]["id"] == tree["mun_a"].id
        report = campaign_report(db.session(), people[person], campaign)
        expected = {
            spec.id: report.value(spec.id, tree["mun_a"].id)
            for spec in report.spec.computed_indicators
        }
        assert {v["indicator"] for v in found["values"]} == {
            key for key, value in expected.items() if value is not None
        }
        assert found["values"]
        for value in found["values"]:
            reference = expected[value["indicator"]]
            assert reference is not None
            assert value["value"] == pytest.approx(reference.value)
            assert value["coverage"] == pytest.approx(reference.coverage)
            assert (value["target"], value["met"]) == (reference.target, reference.met)
            assert (value["answered"], value["expected"]) == (
                reference.answered,
                reference.expected,
            )


def test_indicators_outside_the_users_subtree_are_not_found(client, tree, people, campaign):
    secret = token_for(people["municipal"])
    url = f"/api/v1/campaigns/{campaign.id}/indicators?unit={tree['mun_b'].id}"
    response = client.get(url, headers=bearer(secret))
    assert response.status_code == 404
    assert tree["mun_b"].name not in response.get_data(as_text=True)
    other = client.get(
        f"/api/v1/campaigns/{campaign.id}/indicators",
        headers=bearer(token_for(people["other_region"])),
    )
    assert other.status_code == 404


def test_a_refused_parameter_is_named_by_its_path(client, people, campaign):
    secret = token_for(people["region"])
    response = client.get(
        f"/api/v1/campaigns/{campaign.id}/indicators?unit=abc&basis=all", headers=bearer(secret)
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert_matches("Problem", body)
    assert sorted(e["path"] for e in body["errors"]) == ["query.basis", "query.unit"]


@pytest.mark.parametrize("person", PEOPLE)
def test_form_versions_of_ones_territory_only(client, tree, people, person):
    installation = compile_document({**base(), "id": "everyones"})
    publish(db.session, installation, None)
    tomsk_form = compile_document({**base(), "id": "tomsk-only"})
    publish(db.session, tomsk_form, None, owner=tree["other_region"])
    db.session.commit()
    secret = token_for(people[person])
    found = get_json(client, "/api/v1/forms/everyones/versions/1", secret)
    assert_matches("FormVersion", found)
    assert found["document"]["id"] == "everyones"
    tomsk = client.get("/api/v1/forms/tomsk-only/versions/1", headers=bearer(secret))
    assert tomsk.status_code == (200 if person in {"admin", "other_region"} else 404)
    assert (
        client.get("/api/v1/forms/everyones/versions/2", headers=bearer(secret)).status_code == 404
    )


def test_the_matrix_names_every_endpoint_of_the_api(app):
    served = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert served == API_ENDPOINTS


@pytest.mark.parametrize("scope", list(TokenScope))
@pytest.mark.parametrize("person", PEOPLE)
def test_every_authenticated_route_refuses_no_token_and_a_reader_writing(
    app, client, tree, people, campaign, person, scope
):
    secret = token_for(people[person], scope)
    values = {
        "campaign_id": campaign.id,
        "unit_id": tree["school_a1"].id,
        "form_id": "x",
        "number": 1,
        "token_id": 999999,
        "job_id": 999999,
        "response_id": 999999,
        "registry_id": "x",
        "hook_id": 999999,
        "delivery_id": 999999,
        "import_id": "x",
    }
    for path, method, operation in operations():
        url = fill(path, values)
        anonymous = client.open(url, method=method)
        if operation.get("security") == []:
            assert anonymous.status_code == 200, url
            continue
        assert anonymous.status_code == 401, url
        assert anonymous.mimetype == "application/problem+json"
        # A body no route takes whole (no export is started: its table is unknown).
        body = {"table": "none-such"}
        with_token = client.open(url, method=method, headers=bearer(secret), json=body)
        if operation.get("x-scope") == "write" and scope == TokenScope.READ:
            assert with_token.status_code == 403, url
        else:
            # Whatever it says of these values, it is never a refused token or a 500.
            assert with_token.status_code in (200, 201, 202, 400, 403, 404, 409, 422), (
                url,
                with_token.status_code,
            )
            if with_token.status_code >= 400:
                assert with_token.mimetype == "application/problem+json", url
