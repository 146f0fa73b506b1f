"""Units and their figures, registries' records and export jobs through the API: each
token reaches what its user's pages show, and nothing else (404)."""

from __future__ import annotations

import time

import pytest

from collector.extensions import db
from collector.models import ReferenceFigure, Role, TokenScope
from collector.registries import services as registries
from tests.api.helpers import bearer, get_json, token_for
from tests.api.test_openapi import assert_matches
from tests.registries.fixtures import passport, publish_classes
from tests.reports.fixtures import answered_campaign

PEOPLE = ("admin", "region", "other_region", "municipal", "school")


@pytest.mark.parametrize(
    ("person", "seen"),
    [
        ("admin", {"region", "mun_a", "school_a1", "mun_b"}),
        ("region", {"region", "mun_a", "school_a1", "mun_b"}),
        ("other_region", set()),
        ("municipal", {"mun_a", "school_a1"}),
        ("school", {"school_a1"}),
    ],
)
def test_units_as_each_user_sees_them(client, tree, people, person, seen):
    secret = token_for(people[person])
    for key in ("region", "mun_a", "school_a1", "mun_b"):
        response = client.get(f"/api/v1/units/{tree[key].id}", headers=bearer(secret))
        if key not in seen:
            assert response.status_code == 404, key
            assert tree[key].name not in response.get_data(as_text=True)
            continue
        body = response.get_json()
        assert_matches("UnitDetail", body)
        assert body["code"] == tree[key].code
    if "region" in seen:
        region = get_json(client, f"/api/v1/units/{tree['region'].id}", secret)
        assert [c["code"] for c in region["children"]] == ["M-A", "M-B"]
        assert region["children_total"] == 2


@pytest.mark.parametrize("person", PEOPLE)
def test_a_schools_figures(client, tree, people, person):
    school = tree["school_a1"]
    db.session.add_all(
        [
            ReferenceFigure(
                unit_id=school.id, academic_year=2025, figure="pupils", grade=5, value=31
            ),
            ReferenceFigure(
                unit_id=school.id, academic_year=2025, figure="teachers", grade=0, value=12
            ),
            ReferenceFigure(
                unit_id=school.id, academic_year=2024, figure="pupils", grade=5, value=29
            ),
        ]
    )
    db.session.commit()
    secret = token_for(people[person])
    url = f"/api/v1/units/{school.id}/figures?year=2025"
    response = client.get(url, headers=bearer(secret))
    if person == "other_region":
        assert response.status_code == 404
        return
    body = response.get_json()
    assert_matches("Figures", body)
    assert body["academic_year"] == 2025
    assert body["figures"] == [
        {"figure": "pupils", "grade": 5, "value": 31},
        {"figure": "teachers", "grade": 0, "value": 12},
    ]
    assert get_json(client, f"/api/v1/units/{school.id}", secret)["figure_years"] == [2025, 2024]
    refused = client.get(f"/api/v1/units/{school.id}/figures?year=1812", headers=bearer(secret))
    assert refused.status_code == 400
    assert [e["path"] for e in refused.get_json()["errors"]] == ["query.year"]


@pytest.mark.parametrize("person", PEOPLE)
def test_registry_records_of_the_units_one_sees(client, tree, people, make_user, person):
    kept = publish_classes()
    keepers = {
        "school_a1": people["school"],
        "school_b1": make_user(Role.SCHOOL_RESPONDENT, tree["school_b1"], username="b1"),
    }
    for unit, name in (("school_a1", "10 «А»"), ("school_b1", "11 «Б»")):
        registries.create_record(db.session, keepers[unit], kept, tree[unit], passport(name), True)
    db.session.commit()
    secret = token_for(people[person])
    listed = get_json(client, "/api/v1/registries", secret)
    assert_matches("RegistryList", listed)
    url = f"/api/v1/registries/{kept.form_id}/records"
    response = client.get(url, headers=bearer(secret))
    expected = {
        "admin": ["10 «А»", "11 «Б»"],
        "region": ["10 «А»", "11 «Б»"],
        "municipal": ["10 «А»"],
        "school": ["10 «А»"],
        # The registry is the whole installation's: listed, with none of its records.
        "other_region": [],
    }
    body = response.get_json()
    assert_matches("RecordList", body)
    assert [r["title"] for r in body["records"]] == expected[person]
    assert [r["records"] for r in listed["registries"]] == [len(expected[person])]


def _wait(client, secret: str, job_id: str, seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status = get_json(client, f"/api/v1/jobs/{job_id}", secret)
        if status["state"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


# The job runs in a worker thread on its own connection: it must see committed data.
@pytest.mark.committed
def test_an_export_is_started_polled_and_downloaded(client, tree, people):
    campaign = answered_campaign(tree, people)
    municipal = token_for(people["municipal"])
    started = client.post(
        f"/api/v1/campaigns/{campaign.id}/exports",
        json={"table": "completeness"},
        headers=bearer(municipal),
    )
    assert started.status_code == 202, started.get_data(as_text=True)
    job = started.get_json()
    assert_matches("Job", job)
    done = _wait(client, municipal, job["id"])
    assert done["state"] == "done", done
    assert done["download"] == f"/api/v1/jobs/{job['id']}/file"
    file = client.get(done["download"], headers=bearer(municipal))
    assert file.status_code == 200
    text = file.get_data().decode("utf-8-sig")
    file.close()  # send_file streams the file: let it go
    # The municipality's own schools only.
    assert tree["school_a1"].name in text and tree["school_a2"].name in text
    assert tree["school_b1"].name not in text
    # Another region's coordinator and the school know nothing of the job.
    for person in ("other_region", "school"):
        secret = token_for(people[person])
        assert client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(secret)).status_code == 404
        refused = client.get(done["download"], headers=bearer(secret))
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"


@pytest.mark.parametrize("person", ("other_region", "school"))
def test_who_reviews_nothing_exports_nothing(client, tree, people, person):
    campaign = answered_campaign(tree, people)
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/exports",
        json={},
        headers=bearer(token_for(people[person], TokenScope.WRITE)),
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_municipality_may_not_export_another(client, tree, people):
    campaign = answered_campaign(tree, people)
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/exports",
        json={"unit": tree["mun_b"].id, "table": "nonsense"},
        headers=bearer(token_for(people["municipal"])),
    )
    assert response.status_code == 404
    unknown = client.post(
        f"/api/v1/campaigns/{campaign.id}/exports",
        json={"table": "nonsense"},
        headers=bearer(token_for(people["municipal"])),
    )
    assert unknown.status_code == 404
