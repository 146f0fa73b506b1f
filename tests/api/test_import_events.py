"""The "import.refused" webhook event, with the local receiver: an imported table refused
(through the API or the page) is told, signed, to the hooks of those who run the campaign;
a units import refused to the hooks of those who import units there; never to another
territory, never for a dry run, and never with the file's rows (the job has them)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from typing import Any

import pytest

from collector.models import TokenScope
from tests.api.helpers import bearer, token_for
from tests.api.test_imports import BAD, GOOD, UNITS, _file, _finished, _post
from tests.api.test_webhooks import Receiver, _register
from tests.campaigns.test_imports import results_form
from tests.conftest import login_as
from tests.reports.fixtures import answered_campaign
from tests.test_import_entry_points import imported


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOK_ALLOW_PRIVATE_URLS": True, "MAIL_SERVER": ""}


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def _told(receiver: Receiver, count: int) -> list[dict[str, Any]]:
    receiver.wait(count)
    time.sleep(0.3)  # nothing more comes
    return [json.loads(body) for _headers, body in receiver.got]


@pytest.mark.committed
def test_a_refused_table_is_told_to_those_who_run_the_campaign(client, tree, people, receiver):
    reports = {key: (True, 1, 2, "accepted") for key in ("school_a1", "school_b1")}
    campaign = answered_campaign(tree, people, results_form(), reports)
    region = _register(client, people, "region", receiver.url, ["import.refused"])
    # The municipality reviews the campaign but does not run it; Tomsk is elsewhere.
    _register(client, people, "municipal", receiver.url + "?mun", ["import.refused"])
    _register(client, people, "other_region", receiver.url + "?tomsk", ["import.refused"])
    _register(client, people, "region", receiver.url + "?sub", ["report.submitted"])
    secret = token_for(people["region"], TokenScope.WRITE)
    url = f"/api/v1/campaigns/{campaign.id}/imports/ege"
    started = _post(client, url, secret, {"file": _file(BAD, "ege-2025.csv")})
    job_id = started.get_json()["id"]
    assert _finished(client, job_id, secret)["outcome"]["ok"] is False
    (told,) = _told(receiver, 1)
    headers, body = receiver.got[0]
    assert headers["X-Collector-Event"] == "import.refused"
    signed = headers["X-Collector-Timestamp"].encode() + b"." + body
    expected = hmac.new(region["secret"].encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Collector-Signature"] == "sha256=" + expected
    assert told["event"] == "import.refused"
    assert told["data"] == {
        "kind": "table",
        "job": job_id,
        "status": f"/api/v1/jobs/{job_id}",
        "filename": "ege-2025.csv",
        "errors": 2,
        "campaign": campaign.id,
        "table": "ege",
    }
    assert "пять" not in body.decode()  # the rows stay in the job's outcome
    # A file taken is no event.
    good = _post(client, url, secret, {"file": _file(GOOD)})
    assert _finished(client, good.get_json()["id"], secret)["outcome"]["ok"] is True
    # The page's upload is refused the same way, and told the same way.
    login_as(client, people["region"])
    page = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"import_id": "ege", "file": (io.BytesIO(BAD.encode("cp1251")), "page.csv")},
        content_type="multipart/form-data",
    )
    imported(client, page)
    told = _told(receiver, 2)
    assert [t["data"]["filename"] for t in told] == ["ege-2025.csv", "page.csv"]
    assert len(receiver.got) == 2


@pytest.mark.committed
def test_a_refused_units_import_is_told_in_the_importers_territory(client, people, receiver):
    _register(client, people, "region", receiver.url, ["import.refused"])
    _register(client, people, "other_region", receiver.url + "?tomsk", ["import.refused"])
    secret = token_for(people["region"], TokenScope.WRITE)
    # A dry run only checks: refused rows there are no event.
    checked = _post(
        client,
        "/api/v1/units/imports",
        secret,
        {"kind": "units", "file": _file(UNITS, "units.csv"), "dry_run": "true"},
    )
    assert _finished(client, checked.get_json()["id"], secret)["outcome"]["ok"] is False
    done = _post(client, "/api/v1/units/imports", secret, {"kind": "units", "file": _file(UNITS)})
    job_id = done.get_json()["id"]
    assert _finished(client, job_id, secret)["outcome"]["ok"] is False
    (told,) = _told(receiver, 1)
    assert receiver.got[0][0]["X-Collector-Event"] == "import.refused"
    assert told["data"]["kind"] == "units" and told["data"]["job"] == job_id
    assert told["data"]["errors"] == 1 and told["data"]["campaign"] is None
    # One delivery: Tomsk's coordinator hears nothing of Kaluga's import, nor reads its job.
    other = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token_for(people["other_region"])))
    assert other.status_code == 404
