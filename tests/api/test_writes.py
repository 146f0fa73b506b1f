"""Writing a unit report through the API: the page's checks and rules in the page's words,
nothing stored on a refusal, and an Idempotency-Key that makes a retried submit one."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, FormResponse, IdempotentRequest, Role, TokenScope
from tests.api.helpers import bearer, token_for
from tests.api.test_openapi import assert_matches
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.schema.cases import base, field

GOOD = {
    "total": 10,
    "part": 3,
    "has_plan": True,
    "level": "school",
    "topics": ["it", "med"],
}


@pytest.fixture
def campaign(app, tree, people):
    document = copy.deepcopy(base())
    field(document, "total")["required"] = True
    return new_campaign(
        tree, people, deadline=datetime(2030, 5, 30, 23, 59), document=document, opened=True
    )


def _report(campaign, unit) -> FormResponse:
    found = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )
    assert found is not None
    db.session.refresh(found)
    return found


def _url(campaign, unit, submit: bool = False) -> str:
    return f"/api/v1/campaigns/{campaign.id}/reports/{unit.id}" + ("/submit" if submit else "")


def _writer(people, person: str = "school") -> dict[str, str]:
    return bearer(token_for(people[person], TokenScope.WRITE))


def test_a_school_saves_a_draft_and_reads_it_back(client, tree, people, campaign):
    school = tree["school_a1"]
    saved = client.patch(_url(campaign, school), json={"answers": GOOD}, headers=_writer(people))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert_matches("ReportWritten", body)
    assert body["response"]["status"] == "draft"
    assert body["response"]["answers"] == GOOD
    assert body["problems"] == []
    stored = _report(campaign, school)
    assert stored.answers == GOOD and stored.status == "draft"
    # Fields not sent keep theirs; a null clears one.
    again = client.patch(
        _url(campaign, school), json={"answers": {"part": None}}, headers=_writer(people)
    )
    assert again.get_json()["response"]["answers"] == {k: v for k, v in GOOD.items() if k != "part"}


def test_a_draft_is_saved_with_the_rules_it_breaks_listed(client, tree, people, campaign):
    school = tree["school_a1"]
    answers = {"total": 10, "part": 12}
    saved = client.patch(_url(campaign, school), json={"answers": answers}, headers=_writer(people))
    assert saved.status_code == 200
    assert saved.get_json()["problems"] == [
        {"path": "body.answers.part", "message": "Часть больше целого"}
    ]
    assert _report(campaign, school).answers == answers


def test_a_refused_submit_names_each_field_and_stores_nothing(client, tree, people, campaign):
    school = tree["school_a1"]
    before = _report(campaign, school)
    status, revision = before.status, before.revision
    writer = _writer(people)
    # A rule broken; then a required answer missing (the rule needs both its values).
    for answers, errors in (
        ({"total": 10, "part": 12}, [("body.answers.part", "Часть больше целого")]),
        ({"part": 1, "has_plan": False}, [("body.answers.total", "Нужен ответ.")]),
    ):
        refused = client.post(
            _url(campaign, school, submit=True), json={"answers": answers}, headers=writer
        )
        assert refused.status_code == 422
        assert refused.mimetype == "application/problem+json"
        problem = refused.get_json()
        assert_matches("Problem", problem)
        assert [(e["path"], e["message"]) for e in problem["errors"]] == errors
    after = _report(campaign, school)
    assert (after.status, after.revision, after.answers) == (status, revision, {})


def test_typed_values_are_refused_in_the_pages_words(client, tree, people, campaign):
    school = tree["school_a1"]
    refused = client.patch(
        _url(campaign, school),
        json={"answers": {"total": -1, "part": "7", "level": "space", "nope": 1}},
        headers=_writer(people),
    )
    assert refused.status_code == 422
    errors = {e["path"]: e["message"] for e in refused.get_json()["errors"]}
    assert set(errors) == {"body.answers.nope"}  # an unknown question first, alone
    refused = client.patch(
        _url(campaign, school),
        json={"answers": {"total": -1, "level": "space"}},
        headers=_writer(people),
    )
    errors = {e["path"]: e["message"] for e in refused.get_json()["errors"]}
    assert set(errors) == {"body.answers.total", "body.answers.level"}
    # The page, sent the same values, says the same.
    login_as(client, people["school"])
    response_id = _report(campaign, school).id
    page = client.post(
        f"/entry/response/{response_id}",
        data={"total": "-1", "level": "space", "revision": "0", "action": "save"},
    ).get_data(as_text=True)
    for message in errors.values():
        assert message in page
    kind = client.patch(
        _url(campaign, school), json={"answers": {"part": "7"}}, headers=_writer(people)
    )
    assert [e["path"] for e in kind.get_json()["errors"]] == ["body.answers.part"]
    assert _report(campaign, school).answers == {}


def test_submitting_twice_with_one_key_is_one_submission(client, tree, people, campaign):
    school = tree["school_a1"]
    headers = {**_writer(people), "Idempotency-Key": "report-2026-S-A1"}
    first = client.post(
        _url(campaign, school, submit=True), json={"answers": GOOD}, headers=headers
    )
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json()["response"]["status"] == "submitted"
    second = client.post(
        _url(campaign, school, submit=True), json={"answers": GOOD}, headers=headers
    )
    assert second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(FormResponse)
            .where(FormResponse.campaign_id == campaign.id, FormResponse.unit_id == school.id)
        )
        == 1
    )
    submits = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "response.submit")
    )
    assert submits == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotentRequest)) == 1
    # The same key with another body is refused, by the header's path.
    other = client.post(
        _url(campaign, school, submit=True),
        json={"answers": {**GOOD, "total": 11}},
        headers=headers,
    )
    assert other.status_code == 422
    assert [e["path"] for e in other.get_json()["errors"]] == ["header.Idempotency-Key"]
    assert _report(campaign, school).answers == GOOD
    # A submitted report is not the school's to change now.
    locked = client.patch(
        _url(campaign, school), json={"answers": {"total": 9}}, headers=_writer(people)
    )
    assert locked.status_code == 409 and locked.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("person", "status"),
    [("region", 409), ("municipal", 409), ("other_region", 404), ("admin", 409)],
)
def test_only_the_units_respondents_write_its_report(
    client, tree, people, campaign, person, status
):
    """A coordinator sees the school's report but does not answer it (as on the page: not
    editable for them); another region's does not see it."""
    response = client.patch(
        _url(campaign, tree["school_a1"]), json={"answers": GOOD}, headers=_writer(people, person)
    )
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert _report(campaign, tree["school_a1"]).answers == {}


def test_a_school_cannot_write_another_schools_report(client, tree, people, campaign):
    for other in ("school_a2", "school_b1"):
        response = client.patch(
            _url(campaign, tree[other]), json={"answers": GOOD}, headers=_writer(people)
        )
        assert response.status_code == 404
        assert _report(campaign, tree[other]).answers == {}


def test_a_read_token_may_not_write(client, tree, people, campaign):
    reader = bearer(token_for(people["school"]))
    response = client.patch(
        _url(campaign, tree["school_a1"]), json={"answers": GOOD}, headers=reader
    )
    assert response.status_code == 403
    assert _report(campaign, tree["school_a1"]).answers == {}


def test_a_malformed_body_or_key_is_named(client, tree, people, campaign):
    url = _url(campaign, tree["school_a1"])
    odd = client.patch(url, json={"answers": [1, 2], "extra": 1}, headers=_writer(people))
    assert odd.status_code == 422
    assert sorted(e["path"] for e in odd.get_json()["errors"]) == ["body.answers", "body.extra"]
    key = client.patch(
        url, json={"answers": GOOD}, headers={**_writer(people), "Idempotency-Key": "two words"}
    )
    assert key.status_code == 400
    assert [e["path"] for e in key.get_json()["errors"]] == ["header.Idempotency-Key"]


def test_a_grid_and_a_table_are_written_in_the_shape_they_are_read(client, tree, people, campaign):
    school = tree["school_a1"]
    answers = {
        "people": {"pupils": {"count": 120}, "parents": {"count": 45}},
        "deals": [{"partner": "ООО «Завод»", "pupils": 12}, {"partner": "Колледж"}],
    }
    saved = client.patch(_url(campaign, school), json={"answers": answers}, headers=_writer(people))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert _report(campaign, school).answers == answers
    refused = client.patch(
        _url(campaign, school),
        json={"answers": {"people": {"pupils": {"count": "много"}}, "deals": "a list"}},
        headers=_writer(people),
    )
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert {e["path"] for e in errors} == {"body.answers.people", "body.answers.deals"}
    assert _report(campaign, school).answers == answers


def test_a_body_past_the_limit_is_refused_unread(client, tree, people, campaign):
    huge = {"answers": {"deals": [{"partner": "x" * 1000}] * 1200}}
    response = client.patch(_url(campaign, tree["school_a1"]), json=huge, headers=_writer(people))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert _report(campaign, tree["school_a1"]).answers == {}


def test_a_body_nested_past_the_decoder_is_refused_not_a_server_error(
    client, tree, people, campaign
):
    school = tree["school_a1"]
    body = b'{"answers": {"part": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    headers = {**_writer(people), "Content-Type": "application/json"}
    refused = client.patch(_url(campaign, school), data=body, headers=headers)
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["errors"][0]["path"] == "body"
    assert _report(campaign, school).answers == {}


def test_one_key_from_two_users_is_two_requests(client, tree, people, campaign, make_user):
    """An Idempotency-Key is the token's own: another user sending the same key with the
    same body (to their own school) is neither given the first answer nor refused."""
    key = {"Idempotency-Key": "draft-1"}
    first = client.patch(
        _url(campaign, tree["school_a1"]),
        json={"answers": GOOD},
        headers={**_writer(people), **key},
    )
    assert first.status_code == 200, first.get_data(as_text=True)
    neighbour = make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="neighbour")
    second = client.patch(
        _url(campaign, tree["school_a2"]),
        json={"answers": GOOD},
        headers={**bearer(token_for(neighbour, TokenScope.WRITE)), **key},
    )
    assert second.status_code == 200, second.get_data(as_text=True)
    assert "Idempotent-Replayed" not in second.headers
    assert second.get_json()["response"]["unit"]["code"] == "S-A2"
    assert _report(campaign, tree["school_a2"]).answers == GOOD
    assert db.session.scalar(select(func.count()).select_from(IdempotentRequest)) == 2
