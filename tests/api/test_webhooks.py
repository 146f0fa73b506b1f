"""Webhooks with a local receiver (a thread HTTP server on 127.0.0.1): a coordinator's
URL is told of a report submitted in their territory, signed with HMAC-SHA256 over the
timestamp and body; a 500 is retried with backoff and logged with its answer; a URL that
fails for a day is paused and its owner told; a delivery can be resent."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from collector.campaigns.lifecycle import Move
from collector.campaigns.services import close_campaign, move_response, open_campaign
from collector.extensions import db
from collector.models import AuditEvent, FormResponse, TokenScope, WebhookDelivery
from collector.models.base import utcnow
from collector.webhooks.delivery import Answer, deliver_due
from tests.api.helpers import bearer, get_json, token_for
from tests.api.test_openapi import assert_matches
from tests.campaigns.factories import new_campaign
from tests.campaigns.test_reminders import inbox  # noqa: F401  (the SMTP server fixture)
from tests.reports.fixtures import answered_campaign
from tests.schema.cases import base

ANSWERS = {"total": 10, "part": 3}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOK_ALLOW_PRIVATE_URLS": True, "MAIL_SERVER": ""}


class Receiver:
    """Records each POST; answers with the statuses queued (then 200)."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.always: int | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                status = receiver.always or (receiver.statuses.pop(0) if receiver.statuses else 200)
                text = b"ok" if status == 200 else b"server on fire"
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.got) >= count, self.got

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def campaign(app, tree, people):
    return new_campaign(
        tree,
        people,
        deadline=datetime(2030, 5, 30, 23, 59),
        document=copy.deepcopy(base()),
        opened=True,
    )


def _register(client, people, person: str, url: str, events=("report.submitted",)) -> dict:
    made = client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": list(events)},
        headers=bearer(token_for(people[person], TokenScope.WRITE)),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    assert_matches("WebhookMade", body)
    return body


def _submit(client, people, tree, campaign) -> None:
    done = client.post(
        f"/api/v1/campaigns/{campaign.id}/reports/{tree['school_a1'].id}/submit",
        json={"answers": ANSWERS},
        headers=bearer(token_for(people["school"], TokenScope.WRITE)),
    )
    assert done.status_code == 200, done.get_data(as_text=True)


def _deliveries(client, people, person: str, hook_id: int) -> list[dict]:
    url = f"/api/v1/webhooks/{hook_id}/deliveries"
    found = get_json(client, url, token_for(people[person]))
    assert_matches("DeliveryList", found)
    return found["deliveries"]


def _settled(client, people, person, hook_id, attempts: int, seconds: float = 10) -> list[dict]:
    """The deliveries once the job has made `attempts` attempts in all."""
    deadline = time.monotonic() + seconds
    while True:
        found = _deliveries(client, people, person, hook_id)
        if sum(len(d["attempts"]) for d in found) >= attempts or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.committed
def test_a_submitted_report_is_told_signed_to_its_territorys_hooks(
    client, tree, people, campaign, receiver
):
    region = _register(client, people, "region", receiver.url)
    municipal = _register(client, people, "municipal", receiver.url + "?mun")
    elsewhere = _register(client, people, "other_region", receiver.url + "?tomsk")
    accepted_only = _register(client, people, "region", receiver.url + "?acc", ["report.accepted"])
    _submit(client, people, tree, campaign)
    receiver.wait(2)
    time.sleep(0.3)  # nothing more comes
    assert [h["X-Collector-Event"] for h, _b in receiver.got] == [
        "report.submitted",
        "report.submitted",
    ]
    secrets = {region["secret"], municipal["secret"]}
    for headers, body in receiver.got:
        signed = headers["X-Collector-Timestamp"].encode() + b"." + body
        expected = {
            "sha256=" + hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets
        }
        assert headers["X-Collector-Signature"] in expected
        sent = json.loads(body)
        assert sent["event"] == "report.submitted"
        assert sent["data"]["unit"]["code"] == "S-A1"
        assert sent["data"]["status"] == "submitted"
        assert sent["data"]["campaign"] == campaign.id
    for hook, person in ((region, "region"), (municipal, "municipal")):
        (delivery,) = _settled(client, people, person, hook["id"], 1)
        assert delivery["state"] == "delivered"
        assert [(a["status"], a["answer"]) for a in delivery["attempts"]] == [(200, "ok")]
    assert _deliveries(client, people, "other_region", elsewhere["id"]) == []
    assert _deliveries(client, people, "region", accepted_only["id"]) == []
    # A hook is its owner's alone.
    other = client.get(
        f"/api/v1/webhooks/{region['id']}/deliveries",
        headers=bearer(token_for(people["municipal"])),
    )
    assert other.status_code == 404


@pytest.mark.committed
def test_a_500_is_retried_with_backoff_and_logged(client, tree, people, campaign, receiver):
    receiver.statuses = [500]
    hook = _register(client, people, "region", receiver.url)
    _submit(client, people, tree, campaign)
    (first,) = _settled(client, people, "region", hook["id"], 1)
    assert first["state"] == "pending"
    assert [(a["status"], a["answer"]) for a in first["attempts"]] == [(500, "server on fire")]
    tried = datetime.fromisoformat(first["attempts"][0]["at"])
    assert datetime.fromisoformat(first["next_attempt_at"]) == tried + timedelta(minutes=1)
    # Not due yet: nothing is sent.
    assert deliver_due(db.session(), now=tried + timedelta(seconds=30)) == (0, 0)
    assert deliver_due(db.session(), now=tried + timedelta(minutes=1)) == (1, 0)
    (second,) = _deliveries(client, people, "region", hook["id"])
    assert second["state"] == "delivered"
    assert [a["status"] for a in second["attempts"]] == [500, 200]
    assert len(receiver.got) == 2 and receiver.got[0][1] == receiver.got[1][1]
    # Sent again on request: the same body.
    resent = client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{second['id']}/resend",
        headers=bearer(token_for(people["region"], TokenScope.WRITE)),
    )
    assert resent.status_code == 202
    receiver.wait(3)
    assert receiver.got[2][1] == receiver.got[0][1]


@pytest.mark.committed
def test_a_url_failing_for_a_day_is_paused_and_its_owner_told(
    client,
    tree,
    people,
    campaign,
    receiver,
    inbox,  # noqa: F811
):
    people["region"].email = "region@kaluga.example"
    db.session.commit()
    receiver.always = 503
    hook = _register(client, people, "region", receiver.url)
    _submit(client, people, tree, campaign)
    (first,) = _settled(client, people, "region", hook["id"], 1)
    began = datetime.fromisoformat(first["attempts"][0]["at"])
    # Backoff: 1, 5, 30 minutes, then 2 hours.
    moment = began
    for wait in (1, 5, 30, 120):
        moment += timedelta(minutes=wait)
        assert deliver_due(db.session(), now=moment) == (0, 1)
    hooks = get_json(client, "/api/v1/webhooks", token_for(people["region"]))["webhooks"]
    assert hooks[0]["active"] is True
    assert deliver_due(db.session(), now=began + timedelta(days=1, minutes=1)) == (0, 1)
    hooks = get_json(client, "/api/v1/webhooks", token_for(people["region"]))["webhooks"]
    assert hooks[0]["active"] is False and hooks[0]["paused_at"] is not None
    told = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "webhook.paused")
    )
    assert told == 1
    ((to, message),) = inbox.messages
    assert to == ["region@kaluga.example"]
    assert receiver.url in message.get_content()
    # Paused: nothing more is tried.
    attempts = len(receiver.got)
    assert deliver_due(db.session(), now=began + timedelta(days=3)) == (0, 0)
    assert len(receiver.got) == attempts == 6
    # Resumed (the receiver well again): what waits goes at once.
    receiver.always = None
    resumed = client.post(
        f"/api/v1/webhooks/{hook['id']}/resume",
        headers=bearer(token_for(people["region"], TokenScope.WRITE)),
    )
    assert resumed.status_code == 200 and resumed.get_json()["active"] is True
    receiver.wait(7)
    (delivery,) = _settled(client, people, "region", hook["id"], 7)
    assert delivery["state"] == "delivered"
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_registration_is_checked(client, people, campaign):
    writer = bearer(token_for(people["region"], TokenScope.WRITE))
    refused = client.post(
        "/api/v1/webhooks", json={"url": "ftp://example.org", "events": ["x"]}, headers=writer
    )
    assert refused.status_code == 422
    assert {e["path"] for e in refused.get_json()["errors"]} == {"body.events.0"}
    bad_url = client.post(
        "/api/v1/webhooks",
        json={"url": "ftp://example.org", "events": ["report.submitted"]},
        headers=writer,
    )
    assert [e["path"] for e in bad_url.get_json()["errors"]] == ["body.url"]
    reader = client.post(
        "/api/v1/webhooks",
        json={"url": "https://example.org/h", "events": ["report.submitted"]},
        headers=bearer(token_for(people["region"])),
    )
    assert reader.status_code == 403
    school = client.post(
        "/api/v1/webhooks",
        json={"url": "https://example.org/h", "events": ["report.submitted"]},
        headers=bearer(token_for(people["school"], TokenScope.WRITE)),
    )
    assert school.status_code == 404


@pytest.mark.parametrize("app_config", [{"WEBHOOK_ALLOW_PRIVATE_URLS": False}])
def test_private_addresses_are_refused_unless_allowed(client, people, app_config):
    writer = bearer(token_for(people["region"], TokenScope.WRITE))
    for url in ("http://127.0.0.1:8080/h", "http://localhost/h", "http://10.0.0.5/h"):
        refused = client.post(
            "/api/v1/webhooks", json={"url": url, "events": ["report.submitted"]}, headers=writer
        )
        assert refused.status_code == 422, url
        assert [e["path"] for e in refused.get_json()["errors"]] == ["body.url"]


@pytest.mark.committed
def test_campaign_and_review_events(client, tree, people, receiver):
    hook = _register(
        client,
        people,
        "municipal",
        receiver.url,
        ["campaign.opened", "campaign.closed", "report.returned", "report.accepted"],
    )
    made = new_campaign(
        tree, people, deadline=datetime(2030, 5, 30, 23, 59), document=copy.deepcopy(base())
    )
    open_campaign(db.session, people["region"], made)
    db.session.commit()
    receiver.wait(1)
    _submit(client, people, tree, made)  # not listened for
    response = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == made.id, FormResponse.unit_id == tree["school_a1"].id
        )
    )
    move_response(db.session, people["municipal"], response, Move.RETURN, "Уточните")
    db.session.commit()
    receiver.wait(2)
    close_campaign(db.session, people["region"], made)
    db.session.commit()
    receiver.wait(3)
    time.sleep(0.3)
    told = [json.loads(body) for _headers, body in receiver.got]
    assert [t["event"] for t in told] == ["campaign.opened", "report.returned", "campaign.closed"]
    assert told[0]["data"]["campaign"] == made.id and told[0]["data"]["state"] == "open"
    assert told[1]["data"]["comment"] == "Уточните"
    assert told[1]["data"]["status"] == "returned"
    assert len(_settled(client, people, "municipal", hook["id"], 3)) == 3


@pytest.mark.committed
def test_an_export_ready_is_told_to_the_hooks_that_may_fetch_it(client, tree, people, receiver):
    region = _register(client, people, "region", receiver.url, ["export.ready"])
    elsewhere = _register(client, people, "other_region", receiver.url + "?x", ["export.ready"])
    campaign = answered_campaign(tree, people)
    municipal = token_for(people["municipal"])
    started = client.post(
        f"/api/v1/campaigns/{campaign.id}/exports",
        json={"table": "completeness"},
        headers=bearer(municipal),
    )
    assert started.status_code == 202
    job_id = started.get_json()["id"]
    receiver.wait(1)
    time.sleep(0.3)
    assert len(receiver.got) == 1
    told = json.loads(receiver.got[0][1])
    assert told["event"] == "export.ready"
    assert told["data"]["job"] == job_id
    assert told["data"]["unit"]["code"] == "M-A"
    # The region's coordinator fetches the file the hook names, with their own token.
    status = get_json(client, f"/api/v1/jobs/{job_id}", token_for(people["region"]))
    assert status["state"] == "done"
    file = client.get(told["data"]["download"], headers=bearer(token_for(people["region"])))
    assert file.status_code == 200
    file.close()
    assert _deliveries(client, people, "other_region", elsewhere["id"]) == []
    assert len(_settled(client, people, "region", region["id"], 1)) == 1


@pytest.mark.committed
def test_the_hooks_of_a_deactivated_user_are_told_nothing(client, tree, people, campaign):
    """A deactivated account keeps its roles (they come back with it), but its hooks
    must not go on receiving its territory's events meanwhile."""
    region = _register(client, people, "region", "http://127.0.0.1:9/region")
    municipal = _register(client, people, "municipal", "http://127.0.0.1:9/municipal")
    people["municipal"].is_active_account = False
    db.session.commit()
    _submit(client, people, tree, campaign)
    told = db.session.scalars(select(WebhookDelivery.webhook_id)).all()
    assert told == [region["id"]]
    assert municipal["id"] not in told
    # What waited for the region's hook is not sent once its owner is deactivated too.
    people["region"].is_active_account = False
    db.session.commit()
    posted: list[str] = []

    def post(url: str, body: bytes, headers: Any) -> Answer:
        posted.append(url)
        return Answer(200, "ok")

    later = utcnow() + timedelta(minutes=5)
    assert deliver_due(db.session(), now=later, post=post) == (0, 0)
    people["region"].is_active_account = True
    db.session.commit()
    assert deliver_due(db.session(), now=later, post=post) == (1, 0)
    assert posted == ["http://127.0.0.1:9/region"]
