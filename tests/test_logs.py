"""Logs with a request id (issue 21): every answer carries X-Request-ID (the client's when
it is a short safe token, else a new one), log records made during a request carry it,
the error page shows it, and LOG_FORMAT = "json" writes one JSON object per line."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import current_app

from collector.logs import HEADER, configure_logging
from collector.proxy import ClientAddressFromProxy
from tests.load.harness import free_port

NEW_ID = re.compile(r"[0-9a-f]{32}")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def plain_logs_after() -> Iterator[None]:
    """Logging is set up per process; the next tests get the default back."""
    yield
    configure_logging("text", "INFO")


def test_every_answer_has_a_new_id(client):
    first, second = client.get("/login"), client.get("/health")
    assert NEW_ID.fullmatch(first.headers[HEADER])
    assert NEW_ID.fullmatch(second.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]


def test_a_safe_incoming_id_is_kept(client):
    reply = client.get("/login", headers={HEADER: "nginx-5f2c.e8_01"})
    assert reply.headers[HEADER] == "nginx-5f2c.e8_01"


@pytest.mark.parametrize(
    "incoming", ["", "two words", "<script>", "id;drop", "x" * 65, "абв", "a\tb"]
)
def test_an_unsafe_incoming_id_is_replaced(client, incoming):
    reply = client.get("/login", headers={HEADER: incoming})
    assert NEW_ID.fullmatch(reply.headers[HEADER])


def test_json_logs_carry_the_request_id_and_path(make_app, capsys, plain_logs_after):
    app = make_app(LOG_FORMAT="json")

    @app.get("/log-probe")
    def probe() -> str:
        current_app.logger.warning("probe «%s»", "ок")
        return "done"

    capsys.readouterr()
    reply = app.test_client().get("/log-probe", headers={HEADER: "probe-42"})
    assert reply.status_code == 200
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    mine = [r for r in records if r["message"] == "probe «ок»"]
    assert len(mine) == 1
    assert mine[0]["request_id"] == "probe-42"
    assert mine[0]["path"] == "/log-probe"
    assert mine[0]["level"] == "WARNING"
    assert mine[0]["logger"] == app.logger.name
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", mine[0]["time"])


def test_text_logs_carry_the_request_id(make_app, capsys):
    app = make_app()

    @app.get("/log-probe")
    def probe() -> str:
        current_app.logger.error("plain probe")
        return "done"

    capsys.readouterr()
    app.test_client().get("/log-probe", headers={HEADER: "probe-43"})
    lines = [line for line in capsys.readouterr().err.splitlines() if "plain probe" in line]
    assert len(lines) == 1
    assert "ERROR" in lines[0] and "[probe-43]" in lines[0]


def test_an_unknown_log_format_is_refused(make_app):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_app(LOG_FORMAT="xml")


def test_the_error_page_shows_the_request_id(make_app, capsys):
    # As in production: the error is handled (a 500 page), not raised into the test.
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/broken")
    def broken() -> str:
        raise ZeroDivisionError("boom")

    reply = app.test_client().get("/broken")
    assert reply.status_code == 500
    request_id = reply.headers[HEADER]
    assert request_id in reply.get_data(as_text=True)
    # The traceback in the log carries the same id: what the user quotes finds it.
    logged = capsys.readouterr().err
    assert f"[{request_id}]" in logged and "ZeroDivisionError" in logged


def test_a_404_page_shows_the_request_id_the_client_sent(client):
    reply = client.get("/no-such-page", headers={HEADER: "quoted-by-user"})
    assert reply.status_code == 404
    assert "quoted-by-user" in reply.get_data(as_text=True)


# --- the client's address behind the proxy (collector/proxy.py, gunicorn.conf.py) ----------


def address_seen(trusted: list[str], peer: str, forwarded: str | None) -> str:
    def app(environ, start_response):
        start_response("200 OK", [])
        return [environ["REMOTE_ADDR"].encode()]

    environ = {"REMOTE_ADDR": peer, "REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    body = ClientAddressFromProxy(app, trusted)(environ, lambda *_: None)
    return b"".join(body).decode()


def test_the_client_address_comes_from_a_trusted_proxy_only():
    loopback = ["127.0.0.1", "::1"]
    # nginx appends the address it saw: that one, not what the client claimed before it.
    assert address_seen(loopback, "127.0.0.1", "10.9.9.9, 203.0.113.7") == "203.0.113.7"
    assert address_seen(loopback, "::1", "203.0.113.8") == "203.0.113.8"
    assert address_seen(["10.0.0.0/8"], "10.1.2.3", "203.0.113.9") == "203.0.113.9"
    assert address_seen(loopback, "127.0.0.1", None) == "127.0.0.1"
    # A client reaching the server directly cannot choose its address.
    assert address_seen(loopback, "198.51.100.4", "203.0.113.7") == "198.51.100.4"
    assert address_seen(["*"], "198.51.100.4", "203.0.113.7") == "203.0.113.7"


# --- under gunicorn, as served (gunicorn.conf.py) ----------------------------------------


def test_gunicorn_writes_json_access_lines_with_the_request_id(migrated_database, tmp_path):
    """gunicorn started as deploy/ starts it (the `gunicorn` script reading ./gunicorn.conf.py)
    with JSON logs: its access line carries the app's request id, the status and the client
    address forwarded by a trusted proxy (loopback)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": migrated_database,
        "COLLECTOR_SECRET_KEY": "gunicorn-test",
        "COLLECTOR_LOG_FORMAT": "json",
        "COLLECTOR_ACCESS_LOG": "-",
        "COLLECTOR_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        status, headers = wait_for_health(port, server)
        assert status == 200 and headers[HEADER] == "served-1"
    finally:
        server.terminate()
        server.wait(timeout=30)
    access = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    served = [a for a in access if a["request_id"] == "served-1"]
    assert len(served) == 1
    assert served[0]["status"] == 200 and served[0]["path"] == "/health"
    assert served[0]["client"] == "203.0.113.5"
    # gunicorn's own lines are JSON too.
    for line in err.read_text().splitlines():
        assert json.loads(line)["logger"].startswith(("gunicorn", "collector"))


def wait_for_health(port: int, server: subprocess.Popen[bytes]) -> tuple[int, dict[str, str]]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "GET", "/health", headers={HEADER: "served-1", "X-Forwarded-For": "203.0.113.5"}
            )
            reply = connection.getresponse()
            reply.read()
            connection.close()
            return reply.status, dict(reply.getheaders())
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in 60 s")
