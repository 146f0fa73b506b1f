"""A webhook's host is resolved when it is registered and again before each delivery: a
name resolving to any private, loopback, link-local or reserved address is refused (unless
WEBHOOK_ALLOW_PRIVATE_URLS), one that does not resolve is refused with a clear message,
and a delivery connects to the address it checked (a name rebound to 127.0.0.1 after
registering reaches nothing). The resolver is replaced: no test asks the real DNS."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from collector.extensions import db
from collector.models import Job, JobState, TokenScope, Webhook, WebhookDelivery
from collector.models.base import utcnow
from collector.webhooks.addresses import is_private
from collector.webhooks.delivery import WEBHOOK_JOB, Answer, deliver_due, http_post
from collector.webhooks.events import send_after_commit
from tests.api.helpers import bearer, token_for
from tests.api.test_webhooks import Receiver

PUBLIC = "93.184.216.34"
NOT_FOUND = "Хост nowhere.example.org не найден: проверьте адрес."
NOT_ON_THE_INTERNET = "Адрес должен быть доступен из интернета."


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOK_ALLOW_PRIVATE_URLS": False, "MAIL_SERVER": ""}


class Resolver:
    """socket.getaddrinfo for the names given (a list per call, the last one repeated);
    literal addresses as the real resolver answers them; any other name unknown."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []
        real: Callable[..., Any] = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            try:
                ipaddress.ip_address(name)
            except ValueError:
                pass
            else:
                return real(host, port, *args, **kwargs)
            self.asked.append(name)
            answers = self.names.get(name)
            if not answers:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            found = answers.pop(0) if len(answers) > 1 else answers[0]
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in found
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    return Resolver(monkeypatch)


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("93.184.216.34", False),
        ("8.8.8.8", False),
        ("2a00:1450:4010:c05::65", False),
        ("::ffff:8.8.8.8", False),
        ("127.0.0.1", True),
        ("10.0.0.5", True),
        ("192.168.1.10", True),
        ("172.16.0.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("169.254.169.254", True),  # link-local: a cloud's metadata service
        ("0.0.0.0", True),
        ("224.0.0.1", True),  # multicast
        ("240.0.0.1", True),  # reserved
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        # 6to4 (2002:<IPv4>::/48): judged by the IPv4 address a relay forwards it to.
        ("2002:7f00:1::1", True),  # 127.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 169.254.169.254
        ("2002:a00:5::1", True),  # 10.0.0.5
        ("2002:808:808::1", False),  # 8.8.8.8
        ("fec0::1", True),  # site-local (deprecated)
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
    ],
)
def test_which_addresses_are_not_on_the_internet(address, private):
    assert is_private(ipaddress.ip_address(address)) is private


def _register(client, people, url: str) -> Any:
    return client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": ["report.submitted"]},
        headers=bearer(token_for(people["region"], TokenScope.WRITE)),
    )


def test_registration_resolves_the_host(client, people, resolver):
    resolver.names = {
        "hooks.example.org": [[PUBLIC]],
        "intranet.example.org": [["10.0.0.5"]],
        "mixed.example.org": [[PUBLIC, "127.0.0.1"]],
        "localhost": [[PUBLIC]],  # refused by its name, whatever a resolver says
        "db.localhost": [[PUBLIC]],
    }
    made = _register(client, people, "https://hooks.example.org/collector")
    assert made.status_code == 201, made.get_data(as_text=True)
    assert "hooks.example.org" in resolver.asked
    refused = {
        "https://intranet.example.org/h": NOT_ON_THE_INTERNET,
        "https://mixed.example.org/h": NOT_ON_THE_INTERNET,
        "http://localhost:8080/h": NOT_ON_THE_INTERNET,
        "http://db.localhost/h": NOT_ON_THE_INTERNET,
        "http://[::1]/h": NOT_ON_THE_INTERNET,
        "http://[::ffff:127.0.0.1]/h": NOT_ON_THE_INTERNET,
        "http://169.254.169.254/latest/meta-data": NOT_ON_THE_INTERNET,
        "https://nowhere.example.org/h": NOT_FOUND,
        "https://hooks.example.org:99999/h": (
            "Введите адрес http или https не длиннее 500 символов."
        ),
    }
    for url, message in refused.items():
        answer = _register(client, people, url)
        assert answer.status_code == 422, url
        assert answer.mimetype == "application/problem+json"
        assert answer.get_json()["errors"] == [{"path": "body.url", "message": message}], url
    assert db.session.query(Webhook).count() == 1


@pytest.mark.parametrize("app_config", [{"WEBHOOK_ALLOW_PRIVATE_URLS": True}])
def test_private_addresses_are_taken_when_allowed_but_a_lost_host_is_not(
    client, people, resolver, app_config
):
    resolver.names = {"intranet.example.org": [["10.0.0.5"]], "localhost": [["127.0.0.1"]]}
    assert _register(client, people, "http://intranet.example.org/h").status_code == 201
    assert _register(client, people, "http://localhost:1/h").status_code == 201
    lost = _register(client, people, "https://nowhere.example.org/h")
    assert lost.status_code == 422
    assert lost.get_json()["errors"] == [{"path": "body.url", "message": NOT_FOUND}]


def _hook_with_a_delivery(people, tree, url: str) -> WebhookDelivery:
    hook = Webhook(
        owner_id=people["region"].id,
        unit_id=tree["region"].id,
        url=url,
        secret="0" * 64,
        events=["report.submitted"],
        active=True,
    )
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(
        webhook_id=hook.id,
        event="report.submitted",
        body='{"event": "report.submitted"}',
        state="pending",
        next_attempt_at=utcnow(),
        attempts=[],
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def test_a_host_rebound_to_a_private_address_is_not_posted_to(client, tree, people, resolver):
    receiver = Receiver()
    try:
        url = f"http://rebind.example.org:{receiver.server.server_port}/hook"
        # Public when registered; the loopback, where the receiver listens, afterwards.
        resolver.names = {"rebind.example.org": [[PUBLIC], ["127.0.0.1"]]}
        assert _register(client, people, url).status_code == 201
        delivery = _hook_with_a_delivery(people, tree, url)
        config = {"WEBHOOK_ALLOW_PRIVATE_URLS": False, "MAIL_SERVER": ""}
        assert deliver_due(db.session(), config=config) == (0, 1)
        assert receiver.got == []
        (tried,) = delivery.attempts
        assert tried["status"] is None
        assert tried["error"] == "the host resolves to an address that is not on the internet"
        assert delivery.state == "pending"
        # The name gone from the DNS: a clear error, tried again later.
        resolver.names = {}
        delivery.next_attempt_at = utcnow()
        db.session.commit()
        assert deliver_due(db.session(), config=config) == (0, 1)
        assert delivery.attempts[-1]["error"] == "the host cannot be resolved"
        assert receiver.got == []
    finally:
        receiver.close()


def test_a_delivery_connects_to_the_address_it_checked(tree, people, resolver):
    receiver = Receiver()
    try:
        port = receiver.server.server_port
        # The first answer is the receiver; a second lookup would find nothing.
        resolver.names = {"receiver.test": [["127.0.0.1"], []]}
        delivery = _hook_with_a_delivery(people, tree, f"http://receiver.test:{port}/hook")
        config = {"WEBHOOK_ALLOW_PRIVATE_URLS": True, "MAIL_SERVER": ""}
        assert deliver_due(db.session(), config=config) == (1, 0)
        assert resolver.asked == ["receiver.test"]
        ((headers, body),) = receiver.got
        assert headers["Host"] == f"receiver.test:{port}"
        assert body == b'{"event": "report.submitted"}'
        assert delivery.state == "delivered"
    finally:
        receiver.close()


def test_a_redirect_is_an_answer_never_followed():
    """A public host that answers 302 towards an inside address (a classic SSRF step) has
    answered: the delivery fails and is tried again later, and nothing is posted there."""
    inside = Receiver()
    hops: list[str] = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers["Content-Length"]))
            hops.append(self.path)
            self.send_response(307)
            self.send_header("Location", inside.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    outside = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=outside.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{outside.server_port}/hook"
        answer = http_post(url, b"{}", {"Content-Type": "application/json"}, allow_private=True)
        assert (answer.status, hops, inside.got) == (307, ["/hook"], [])
    finally:
        outside.shutdown()
        outside.server_close()
        inside.close()


def test_two_senders_never_post_the_same_delivery(tree, people):
    """A job started by new events and cron's `flask webhooks deliver` may run side by
    side: a delivery is claimed (committed) before it is posted, so a sender looking
    while another posts it finds nothing due."""
    delivery = _hook_with_a_delivery(people, tree, "https://hooks.example.org/h")
    now = utcnow()
    config = {"WEBHOOK_ALLOW_PRIVATE_URLS": False, "MAIL_SERVER": ""}
    beside: list[tuple[int, int]] = []
    posted_beside: list[str] = []

    def post_beside(url: str, body: bytes, headers: Any) -> Answer:
        posted_beside.append(url)
        return Answer(200, "ok")

    def post(url: str, body: bytes, headers: Any) -> Answer:
        # The other sender looks while this one posts.
        beside.append(deliver_due(db.session(), now=now, post=post_beside, config=config))
        return Answer(200, "ok")

    assert deliver_due(db.session(), now=now, post=post, config=config) == (1, 0)
    assert (beside, posted_beside) == ([(0, 0)], [])
    assert delivery.state == "delivered" and len(delivery.attempts) == 1


def test_a_running_sender_does_not_stop_new_events_from_starting_another(tree, people):
    """The running job may have looked for what is due before these events were made:
    another is queued (one waiting to start would find them, and is enough)."""
    running = Job(
        id=secrets.token_hex(16),
        kind=WEBHOOK_JOB,
        params={},
        dedupe_key=WEBHOOK_JOB,
        title="Webhook deliveries",
        progress={},
        state=JobState.RUNNING.value,
    )
    db.session.add(running)
    db.session.flush()
    send_after_commit(db.session())
    queued = db.session.info.get("webhook_job")
    assert queued is not None and queued != running.id
    assert db.session.get(Job, queued).state == JobState.QUEUED.value
    db.session.info.pop("webhook_job")
    send_after_commit(db.session())  # the queued one will find these too
    assert "webhook_job" not in db.session.info
    db.session.rollback()
