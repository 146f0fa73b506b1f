"""Who designs: an admin everywhere, a regional coordinator for the region's units; the
others are refused. A draft outside one's units is not found (404); the next version of a
form only by a coordinator of the unit that owns it, or an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import FormDraft
from tests.conftest import login_as
from tests.designer.fixtures import draft, draft_id_of, publish_report, start

OPEN = {"admin": 200, "region": 200, "other_region": 200, "municipal": 403, "school": 403}


@pytest.mark.parametrize("person", sorted(OPEN))
def test_the_designer_opens_for_those_who_design(client, people, person):
    login_as(client, people[person])
    assert client.get("/designer/").status_code == OPEN[person]


@pytest.mark.parametrize("person", ["municipal", "school"])
def test_those_who_do_not_design_start_nothing(client, people, tree, person):
    login_as(client, people[person])
    response = client.post(
        "/designer/new",
        data={"unit": str(tree["school_a1"].id), "id": "x-poll", "title": "X", "kind": "survey"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(FormDraft.id))) == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/designer/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.fixture
def region_draft(client, people, tree):
    login_as(client, people["region"])
    draft_id = start(client, tree["mun_a"], "career-poll")
    return draft_id


def test_a_draft_of_the_region_is_not_found_by_the_other_region(client, people, region_draft):
    login_as(client, people["other_region"])
    before = draft(region_draft)
    document, revision = before.document, before.revision
    base = f"/designer/drafts/{region_draft}"
    for url in (
        base,
        f"{base}/json",
        f"{base}/schema.json",
        f"{base}/preview",
        f"{base}/publish",
        f"{base}/issues",
        f"{base}/outline",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/remove", f"{base}/duplicate", f"{base}/move", f"{base}/check"):
        assert client.post(url, data={"revision": str(revision)}).status_code == 404, url
    assert client.get(f"{base}?element=identity").status_code == 404
    edit = client.post(
        f"{base}?element=identity",
        data={
            "revision": str(revision),
            "id": "career-poll",
            "title_ru": "Чужой",
            "kind": "survey",
        },
    )
    assert edit.status_code == 404
    added = client.post(f"{base}/add", data={"what": "section", "revision": str(revision)})
    assert added.status_code == 404
    assert client.post(f"{base}/publish", data={"revision": str(revision)}).status_code == 404
    assert client.post(f"{base}/discard", data={}).status_code == 404
    assert client.post(f"{base}/order", json={"order": [], "revision": revision}).status_code == (
        404
    )
    after = draft(region_draft)
    assert (after.document, after.revision, after.status) == (document, revision, "draft")
    assert "career-poll" not in client.get("/designer/").get_data(as_text=True)


@pytest.mark.parametrize("person", ["admin", "region"])
def test_the_draft_is_edited_by_the_region_and_an_admin(client, people, region_draft, person):
    login_as(client, people[person])
    response = client.post(
        f"/designer/drafts/{region_draft}?element=identity",
        data={
            "revision": "1",
            "action": "save",
            "id": "career-poll",
            "title_ru": "Опрос девятиклассников",
            "kind": "survey",
            "unit_types": "school",
        },
    )
    assert response.status_code == 302
    assert draft(region_draft).title == "Опрос девятиклассников"


REVISE = {
    # owner of the version: who may make its next version
    "region": {"admin": 302, "region": 302, "other_region": 403},
    "other_region": {"admin": 302, "region": 403, "other_region": 302},
    None: {"admin": 302, "region": 403, "other_region": 403},
}


@pytest.mark.parametrize("owner", ["region", "other_region", None])
@pytest.mark.parametrize("person", ["admin", "region", "other_region"])
def test_a_next_version_is_made_by_the_owners_coordinators_or_an_admin(
    client, people, tree, owner, person
):
    version = publish_report(tree[owner] if owner else None)
    login_as(client, people[person])
    response = client.post(f"/designer/versions/{version.id}/revise", data={})
    assert response.status_code == REVISE[owner][person]
    drafts = db.session.scalars(select(FormDraft)).all()
    if response.status_code == 302:
        started = draft(draft_id_of(response))
        assert (started.new_version, started.unit_id) == (
            True,
            tree[owner].id if owner else None,
        )
    else:
        assert drafts == []
    # Whoever may not revise it is offered no button for it.
    listed = client.get("/designer/").get_data(as_text=True)
    assert (f'action="/designer/versions/{version.id}/revise"' in listed) == (
        REVISE[owner][person] == 302
    )


def test_a_new_form_for_a_unit_out_of_scope_is_refused(client, people, tree):
    login_as(client, people["region"])
    outside = client.post(
        "/designer/new",
        data={
            "unit": str(tree["other_region"].id),
            "id": "tomsk-poll",
            "title": "Опрос",
            "kind": "survey",
        },
    )
    # Another region's unit is not said to exist; "everywhere" is an admin's.
    assert outside.status_code == 404
    everywhere = client.post(
        "/designer/new", data={"unit": "", "id": "all-poll", "title": "Опрос", "kind": "survey"}
    )
    assert everywhere.status_code == 403
    missing = client.post(
        "/designer/new",
        data={"unit": "999999", "id": "no-poll", "title": "Опрос", "kind": "survey"},
    )
    assert missing.status_code == 404
    assert db.session.scalar(select(func.count(FormDraft.id))) == 0


def test_a_copy_for_a_unit_out_of_scope_is_refused(client, people, tree):
    version = publish_report(tree["region"])
    login_as(client, people["other_region"])
    refused = client.post(
        f"/designer/versions/{version.id}/copy", data={"unit": str(tree["mun_a"].id)}
    )
    assert refused.status_code == 404
    allowed = client.post(
        f"/designer/versions/{version.id}/copy", data={"unit": str(tree["other_school"].id)}
    )
    assert draft(draft_id_of(allowed)).unit_id == tree["other_school"].id


def test_an_admin_designs_for_every_organisation(client, people):
    login_as(client, people["admin"])
    draft_id = start(client, None, "all-poll")
    assert draft(draft_id).unit_id is None
    login_as(client, people["region"])
    assert client.get(f"/designer/drafts/{draft_id}").status_code == 404
