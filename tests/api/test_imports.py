"""Uploads through the API, as jobs: a campaign's imported table (an ЕГЭ results file) and
units with their figures, through the services and checks of the import pages; a write
token only, the file bounded, every refusal problem details, the job polled at /jobs/{id}
with every bad row in its outcome."""

from __future__ import annotations

import io
import secrets
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from collector.campaigns.imports import IMPORT_TABLE_JOB
from collector.extensions import db
from collector.models import Campaign, Job, JobState, OrgUnit, TokenScope
from collector.units.jobs import IMPORT_JOB
from tests.api.helpers import bearer, get_json, token_for
from tests.api.test_openapi import assert_matches
from tests.campaigns.test_imports import HEADER, results_form, stored_rows
from tests.reports.fixtures import answered_campaign

PEOPLE = ("admin", "region", "other_region", "municipal", "school")
# Who runs the Kaluga campaign (owned by the first region) and so uploads its tables.
RUNS = {"admin", "region"}
# Who imports units (a regional coordinator within their region, an admin anywhere).
IMPORTS_UNITS = {"admin", "region", "other_region"}
GOOD = HEADER + "S-A1;Физика;10;9\nS-B1;Химия;4;3\n"
# Row 3: not a number; row 4: a school of another region, not in the campaign.
BAD = HEADER + "S-A1;Физика;10;9\nS-A1;Химия;пять;3\nS-X;Физика;4;4\n"


@pytest.fixture
def campaign(tree, people) -> Campaign:
    reports = {key: (True, 1, 2, "accepted") for key in ("school_a1", "school_b1")}
    return answered_campaign(tree, people, results_form(), reports)


def _file(text: str, name: str = "ege.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode("cp1251")), name


def _post(client: FlaskClient, url: str, secret: str | None, data: dict[str, Any]) -> Any:
    return client.post(
        url,
        data=data,
        content_type="multipart/form-data",
        headers=bearer(secret) if secret else {},
    )


def _finished(client: FlaskClient, job_id: str, secret: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job = get_json(client, f"/api/v1/jobs/{job_id}", secret)
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            db.session.expire_all()
            assert_matches("Job", job)
            return job
        time.sleep(0.05)


# The job runs in a worker thread on its own connection: it must see committed data.
@pytest.mark.committed
def test_a_table_upload_is_a_job_whose_outcome_lists_every_bad_row(client, people, campaign):
    secret = token_for(people["region"], TokenScope.WRITE)
    url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    started = _post(client, url, secret, {"file": _file(BAD)})
    assert started.status_code == 202, started.get_data(as_text=True)
    assert_matches("Job", started.get_json())
    job = _finished(client, started.get_json()["id"], secret)
    assert job["state"] == "done"
    outcome = job["outcome"]
    assert outcome["ok"] is False and outcome["created"] == 0
    assert [(e["row"], e["column"]) for e in outcome["errors"]] == [(3, "Сдавали"), (4, "Код ОО")]
    assert "«пять»" in outcome["errors"][0]["message"]
    assert stored_rows(campaign) == 0
    # The whole file right: its two rows are the table's now.
    good = _post(client, url, secret, {"file": _file(GOOD, "ege.csv")})
    assert good.status_code == 202
    job = _finished(client, good.get_json()["id"], secret)
    assert (job["outcome"]["ok"], job["outcome"]["created"], job["outcome"]["errors"]) == (
        True,
        2,
        [],
    )
    assert stored_rows(campaign) == 2


@pytest.mark.committed
def test_who_may_upload_a_table(client, people, campaign):
    url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    anonymous = _post(client, url, None, {"file": _file(GOOD)})
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    started = []
    for person in PEOPLE:
        reader = _post(client, url, token_for(people[person]), {"file": _file(GOOD)})
        assert reader.status_code == 403, person
        assert reader.mimetype == "application/problem+json"
        secret = token_for(people[person], TokenScope.WRITE)
        writer = _post(client, url, secret, {"file": _file(GOOD)})
        if person in RUNS:
            assert writer.status_code == 202, (person, writer.get_data(as_text=True))
            job_id = writer.get_json()["id"]
            # One at a time: two uploads writing at once wait on SQLite's one writer.
            assert _finished(client, job_id, secret)["outcome"]["ok"] is True
            started.append(job_id)
        else:
            # The municipality reviews the campaign but does not run it; the school and
            # Tomsk do not see it: never told it exists.
            assert writer.status_code == 404, person
            assert writer.mimetype == "application/problem+json"
            assert campaign.title not in writer.get_data(as_text=True)
    assert len(started) == len(RUNS)
    # Another's upload job is not a school's to poll.
    other = client.get(f"/api/v1/jobs/{started[0]}", headers=bearer(token_for(people["school"])))
    assert other.status_code == 404


def test_refused_uploads_are_problem_details_naming_the_field(client, people, campaign):
    secret = token_for(people["region"], TokenScope.WRITE)
    url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    cases = [
        ({}, "Выберите файл."),
        ({"file": _file(GOOD, "ege.txt")}, "Принимаются только файлы CSV и XLSX."),
        ({"file": _file(GOOD), "extra": "1"}, None),
    ]
    for data, message in cases:
        refused = _post(client, url, secret, data)
        assert refused.status_code == 422, data
        body = refused.get_json()
        assert_matches("Problem", body)
        paths = {e["path"]: e["message"] for e in body["errors"]}
        if message is not None:
            assert paths == {"body.file": message}
        else:
            assert set(paths) == {"body.extra"}
    # A JSON body is no file.
    as_json = client.post(url, json={"file": "S-A1;1"}, headers=bearer(secret))
    assert as_json.status_code == 422
    assert [e["path"] for e in as_json.get_json()["errors"]] == ["body.file"]
    # A table the form does not declare; a campaign that does not exist.
    missing = _post(client, url.replace("/ege", "/oge"), secret, {"file": _file(GOOD)})
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    nowhere = _post(client, "/api/v1/campaigns/999999/imports/ege", secret, {"file": _file(GOOD)})
    assert nowhere.status_code == 404
    assert stored_rows(campaign) == 0


def test_a_form_without_imported_tables_takes_no_upload(client, tree, people):
    plain = answered_campaign(tree, people)
    secret = token_for(people["region"], TokenScope.WRITE)
    refused = _post(
        client, f"/api/v1/campaigns/{plain.id}/imports/ege", secret, {"file": _file(GOOD)}
    )
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"


@pytest.mark.parametrize("app_config", [{"API_MAX_UPLOAD_BYTES": 5000, "API_MAX_BODY_BYTES": 1000}])
def test_an_upload_has_its_own_bound_and_past_it_is_refused_unread(client, tree, people, campaign):
    secret = token_for(people["region"], TokenScope.WRITE)
    url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    rows = HEADER + "S-A1;Физика;10;9\n" * 200  # 3,429 bytes in cp1251
    # Past the JSON body's bound, within the upload's: read (and refused for its name).
    read = _post(client, url, secret, {"file": _file(rows, "ege.txt")})
    assert read.status_code == 422
    assert [e["path"] for e in read.get_json()["errors"]] == ["body.file"]
    refused = _post(client, url, secret, {"file": _file(rows * 2)})
    assert refused.status_code == 413
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 413
    # A JSON route keeps its own bound.
    report = client.patch(
        f"/api/v1/campaigns/{campaign.id}/reports/{tree['school_a1'].id}",
        json={"answers": {"note": "x" * 2000}},
        headers=bearer(secret),
    )
    assert report.status_code == 413
    assert stored_rows(campaign) == 0


UNITS = "code;name;type;parent_code\nS-N1;Новая школа;school;M-A\nS-N2;;school;M-A\n"


@pytest.mark.committed
def test_units_are_imported_through_a_job_with_the_pages_checks(client, people):
    secret = token_for(people["region"], TokenScope.WRITE)
    url = "/api/v1/units/imports"
    refused = _post(client, url, secret, {"kind": "units", "file": _file(UNITS, "units.csv")})
    assert refused.status_code == 202, refused.get_data(as_text=True)
    job = _finished(client, refused.get_json()["id"], secret)
    assert job["outcome"]["ok"] is False
    assert [e["row"] for e in job["outcome"]["errors"]] == [3]
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is None
    good = UNITS.replace("S-N2;;", "S-N2;Вторая школа;")
    checked = _post(
        client, url, secret, {"kind": "units", "file": _file(good, "u.csv"), "dry_run": "true"}
    )
    job = _finished(client, checked.get_json()["id"], secret)
    assert (job["outcome"]["ok"], job["outcome"]["dry_run"], job["outcome"]["created"]) == (
        True,
        True,
        2,
    )
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is None
    done = _post(client, url, secret, {"kind": "units", "file": _file(good, "u.csv")})
    job = _finished(client, done.get_json()["id"], secret)
    assert job["outcome"]["created"] == 2
    made = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1"))
    assert made is not None and made.name == "Новая школа"


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_import_units(client, people, person):
    url = "/api/v1/units/imports"
    assert _post(client, url, None, {"kind": "units", "file": _file(UNITS)}).status_code == 401
    reader = _post(client, url, token_for(people[person]), {"kind": "units", "file": _file(UNITS)})
    assert reader.status_code == 403
    secret = token_for(people[person], TokenScope.WRITE)
    bad_kind = _post(client, url, secret, {"kind": "pupils", "file": _file(UNITS, "u.csv")})
    assert bad_kind.status_code == 422
    assert [e["path"] for e in bad_kind.get_json()["errors"]] == ["body.kind"]
    if person not in IMPORTS_UNITS:
        # A role that imports nothing is refused whatever it sends.
        forbidden = _post(client, url, secret, {"kind": "units", "file": _file(UNITS, "u.csv")})
        assert forbidden.status_code == 403
        assert forbidden.mimetype == "application/problem+json"


@pytest.mark.committed
def test_an_uploads_name_is_cleaned_before_the_job_holds_it(client, people, campaign):
    """A name as sent (a path, control characters, a NUL, 600 letters) is kept as its
    last part without them and its last 200 characters (the extension with them): never
    a 500 for a title longer than the job keeps or a byte PostgreSQL refuses."""
    secret = token_for(people["region"], TokenScope.WRITE)
    sent = "C:\\школа\\" + "я" * 600 + "\x00\x1b[31m.csv"
    table = _post(
        client, f"/api/v1/campaigns/{campaign.id}/imports/ege", secret, {"file": _file(GOOD, sent)}
    )
    assert table.status_code == 202, table.get_data(as_text=True)
    # "[31m.csv" is what is left of the escape sequence: 192 letters + 8 characters.
    assert table.get_json()["title"].endswith(": " + "я" * 192 + "[31m.csv")
    units = _post(
        client,
        "/api/v1/units/imports",
        secret,
        {"kind": "units", "file": _file(UNITS, "a/b\x00.csv")},
    )
    assert units.status_code == 202, units.get_data(as_text=True)
    assert units.get_json()["title"].endswith(" b.csv")


@pytest.mark.committed
def test_a_user_with_three_uploads_waiting_is_told_to_wait(client, people, campaign):
    """Each upload holds its file until a worker reads it: a fourth while three wait is
    429 problem details (the rate limit alone lets a token send hundreds a minute)."""
    region = people["region"]
    waiting = [
        Job(
            id=secrets.token_hex(16),
            kind=kind,
            params={},
            title="waiting",
            progress={},
            state=JobState.QUEUED.value,
            created_by=region.id,
        )
        for kind in (IMPORT_TABLE_JOB, IMPORT_JOB, IMPORT_JOB)
    ]
    # Another user's waiting upload counts for them only.
    other = Job(
        id=secrets.token_hex(16),
        kind=IMPORT_JOB,
        params={},
        title="theirs",
        progress={},
        state=JobState.QUEUED.value,
        created_by=people["admin"].id,
    )
    db.session.add_all([*waiting, other])
    db.session.commit()
    secret = token_for(region, TokenScope.WRITE)
    table_url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    for url, data in (
        (table_url, {"file": _file(GOOD)}),
        ("/api/v1/units/imports", {"kind": "units", "file": _file(UNITS, "u.csv")}),
    ):
        refused = _post(client, url, secret, data)
        assert refused.status_code == 429, refused.get_data(as_text=True)
        assert refused.mimetype == "application/problem+json"
        assert refused.headers["Retry-After"] == "30"
        assert refused.get_json()["detail"].startswith("3 ваших загруженных файла ещё читаются")
    waiting[0].state = JobState.DONE.value
    db.session.commit()
    started = _post(client, table_url, secret, {"file": _file(GOOD)})
    assert started.status_code == 202, started.get_data(as_text=True)
    _finished(client, started.get_json()["id"], secret)
