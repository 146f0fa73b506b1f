"""What the load and fault tests drive: a database of their own, the production processes
(gunicorn with two workers, an RQ worker) started and killed by id, clients that behave as
browsers (cookies, CSRF tokens, a page's submission key, a send retried while no answer
comes), a TCP proxy that can cut the database off, and the tally each test prints."""

from __future__ import annotations

import copy
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "load test password 2026"
# Requests a client may spend on one step while the server is down or restarting.
RETRY_FOR_SECONDS = 90.0
RETRY_PAUSE = 0.2
# The servers' logs of a run.
LOG = Path(tempfile.gettempdir()) / "collector-load-gunicorn.log"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- the data: a region of schools, a survey and a unit-report campaign -----------------


def unit_report_document() -> dict[str, Any]:
    from tests.schema.cases import base

    doc = copy.deepcopy(base())
    doc.update(id=f"load-report-{uuid.uuid4().hex[:6]}", rules=[], indicators=[])
    doc["sections"] = [
        {
            "id": "main",
            "title": "Основное",
            "fields": [
                {"id": "total", "type": "integer", "label": "Всего", "min": 0, "required": True},
                {"id": "part", "type": "integer", "label": "Из них", "min": 0},
            ],
        }
    ]
    return doc


@dataclass
class Region:
    survey_campaign: int
    report_campaign: int
    links: list[str]  # survey link tokens, one per school
    reports: list[tuple[str, int]]  # (login, response id), one per school
    coordinator: str


def seed_region(app: Any, schools: int, deadline: datetime) -> Region:
    """A region with `schools` schools, a respondent for each, and two open campaigns due
    at `deadline` (local Moscow time): a parents' survey (several answers per browser)
    and a unit report (late submissions refused)."""
    from collector.campaigns.lifecycle import LatePolicy
    from collector.extensions import db
    from collector.models import (
        FormResponse,
        OrgUnit,
        Role,
        RoleAssignment,
        SurveyLink,
        UnitType,
        User,
    )
    from collector.units.tree import add_unit
    from tests.campaigns.factories import new_campaign
    from tests.surveys.test_survey_links import survey_document

    tag = uuid.uuid4().hex[:6]
    # A cheap hash: hundreds of logins in a burst measure the app, not scrypt.
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        region = add_unit(
            db.session, parent=None, unit_type=UnitType.REGION, code=f"R-{tag}", name=tag
        )
        units: list[OrgUnit] = []
        users: list[User] = []
        for n in range(schools):
            unit = add_unit(
                db.session,
                parent=region,
                unit_type=UnitType.SCHOOL,
                code=f"S-{tag}-{n}",
                name=f"Школа {n}",
            )
            user = User(
                username=f"s{tag}{n}",
                full_name=f"Ответственный {n}",
                password_hash=hashed,
                session_version=1,
            )
            user.roles.append(RoleAssignment(role=Role.SCHOOL_RESPONDENT.value, unit=unit))
            units.append(unit)
            users.append(user)
        coordinator = User(
            username=f"r{tag}", full_name="Координатор", password_hash=hashed, session_version=1
        )
        coordinator.roles.append(RoleAssignment(role=Role.REGIONAL_COORDINATOR.value, unit=region))
        db.session.add_all([*users, coordinator])
        db.session.commit()
        tree = {"region": region}
        people = {"region": coordinator}
        survey_doc = survey_document(multiple=True)
        survey_doc["id"] = f"load-poll-{tag}"
        survey = new_campaign(
            tree, people, deadline=deadline, document=survey_doc, title="Опрос", opened=True
        )
        report = new_campaign(
            tree,
            people,
            deadline=deadline,
            document=unit_report_document(),
            title="Отчёт",
            policy=LatePolicy.REFUSE,
            opened=True,
        )
        link_of = {
            link.unit_id: link.token
            for link in db.session.scalars(
                sa.select(SurveyLink).where(SurveyLink.campaign_id == survey.id)
            )
        }
        response_of = {
            r.unit_id: r.id
            for r in db.session.scalars(
                sa.select(FormResponse).where(FormResponse.campaign_id == report.id)
            )
        }
        found = Region(
            survey.id,
            report.id,
            [link_of[u.id] for u in units],
            [(user.username, response_of[u.id]) for user, u in zip(users, units, strict=True)],
            coordinator.username,
        )
        db.session.remove()
    return found


def move_deadline(database_url: str, campaign_ids: list[int], when: datetime) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE campaign_deadline SET due_at = :when WHERE campaign_id = ANY(:ids)"
                ),
                {"when": when.replace(tzinfo=None), "ids": campaign_ids},
            )
    finally:
        engine.dispose()


# --- the processes --------------------------------------------------------------------


class Server:
    """gunicorn with two sync workers on a fixed loopback port, in its own process group
    (so that kill -9 reaches the master and its workers, and nothing else)."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env, self.port = env, port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            str(BIN / "gunicorn"),
            *("--workers", "2", "--bind", f"127.0.0.1:{self.port}"),
            *("--chdir", str(ROOT), "--log-level", "warning", "--timeout", "60"),
            "wsgi:app",
        ]
        # Its log (the faults a test causes are logged there) goes to a file, not the report.
        log = open(LOG, "ab")
        self.process = subprocess.Popen(
            command, env={**os.environ, **self.env}, start_new_session=True, stderr=log
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _, _ = request(self.port, "GET", "/login", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 60 s")

    def kill(self) -> None:
        """kill -9 of the master and its workers, by the group this server started."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # any worker left behind
        except ProcessLookupError:
            pass


class JobWorker:
    """`flask jobs worker` (an RQ worker forking a child per job), in its own group."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **self.env},
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """kill -9 of the worker and of the child running the job (RQ puts that child in a
        process group of its own, so the worker's group does not reach it)."""
        assert self.process is not None
        for pid in [*children_of(self.process.pid), self.process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()

    stop = kill


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so read after the ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@contextmanager
def running(*processes: Server | JobWorker) -> Iterator[None]:
    try:
        for process in processes:
            process.start()
        yield
    finally:
        for process in processes:
            process.stop()


class Proxy:
    """A TCP proxy to PostgreSQL that the test can cut (every connection dropped, new ones
    refused) and mend, without touching the machine's PostgreSQL server."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # cut while this one was being made
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            for one, other in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(one, other), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        with self.lock:
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()
            self.sockets = []


# --- the clients ----------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        text = reply.read().decode("utf-8", "replace")
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, text
    finally:
        conn.close()


@dataclass
class Tally:
    """What the clients saw, and what the server did not always tell them."""

    statuses: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def retried(self) -> None:
        with self.lock:
            self.retries += 1


class Browser:
    """A browser to one server: keeps cookies, follows nothing by itself, and sends the
    same request again while no answer (or a 503) comes, as a person pressing reload."""

    def __init__(self, port: Callable[[], int], tally: Tally) -> None:
        self.port, self.tally = port, tally
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, fields: list[tuple[str, str]] | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        until = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                status, reply_headers, text = request(self.port(), method, path, body, headers)
            except (OSError, http.client.HTTPException):
                status, reply_headers, text = 0, {}, ""
            self.tally.saw(status)
            if status not in (0, 503) or time.monotonic() > until:
                break
            self.tally.retried()
            time.sleep(RETRY_PAUSE)
        for name, value in _set_cookies(reply_headers):
            self.cookies[name] = value
        return status, reply_headers, text


def _set_cookies(headers: dict[str, str]) -> list[tuple[str, str]]:
    # http.client joins repeated Set-Cookie headers with ", "; cookie values here hold none.
    raw = headers.get("set-cookie", "")
    found = []
    for part in re.split(r",\s*(?=[A-Za-z_][\w-]*=)", raw):
        if "=" in part:
            name, value = part.split(";", 1)[0].split("=", 1)
            found.append((name.strip(), value.strip()))
    return found


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return match.group(1) if match else ""


@dataclass
class SurveyOutcome:
    key: str
    status: int  # of the last send: 302 taken, 410 late, 0 no answer in time


def answer_survey(browser: Browser, token: str, n: int) -> SurveyOutcome:
    status, _, html = browser.send("GET", f"/s/{token}")
    if status != 200:
        return SurveyOutcome("", status)
    key = hidden(html, "submission_key")
    fields = [
        ("csrf_token", hidden(html, "csrf_token")),
        ("submission_key", key),
        ("grade", str(8 + n % 4)),
        ("organised", "yes" if n % 2 else "no"),
        ("comment", f"ответ {n}"),
    ]
    status, headers, _ = browser.send("POST", f"/s/{token}", fields)
    if status == 302 and not headers.get("location", "").endswith("/thanks"):
        status = -302  # a redirect elsewhere is not an acknowledgement
    return SurveyOutcome(key, status)


@dataclass
class ReportOutcome:
    response_id: int
    values: dict[str, int]
    status: int  # 302 taken, 200 refused (late), anything else an error


def log_in(browser: Browser, login: str) -> int:
    _, _, html = browser.send("GET", "/login")
    fields = [
        ("csrf_token", hidden(html, "csrf_token")),
        ("username", login),
        ("password", PASSWORD),
    ]
    status, _, _ = browser.send("POST", "/login", fields)
    return status


def submit_report(browser: Browser, login: str, response_id: int, n: int) -> ReportOutcome:
    values = {"total": 100 + n, "part": n % 100}
    if log_in(browser, login) != 302:
        return ReportOutcome(response_id, values, -1)
    status, _, html = browser.send("GET", f"/entry/response/{response_id}")
    if status != 200:
        return ReportOutcome(response_id, values, -status)
    fields = [
        ("csrf_token", hidden(html, "csrf_token")),
        ("revision", hidden(html, "revision")),
        ("action", "submit"),
        *((k, str(v)) for k, v in values.items()),
    ]
    status, _, html = browser.send("POST", f"/entry/response/{response_id}", fields)
    if status == 200 and "Срок сдачи истёк" not in html:
        status = -200  # shown again for another reason: not an answer this test expects
    return ReportOutcome(response_id, values, status)


# --- what was stored, against what was acknowledged -----------------------------------


@dataclass
class Figures:
    kind: str
    sent: int
    acknowledged: int
    refused_late: int
    stored: int
    lost: int
    duplicated: int
    errors: int

    def line(self) -> str:
        return (
            f"{self.kind}: sent {self.sent}, acknowledged {self.acknowledged}, "
            f"refused as late {self.refused_late}, stored {self.stored}, lost {self.lost}, "
            f"duplicated {self.duplicated}, errors {self.errors}"
        )


def survey_figures(
    database_url: str, campaign_id: int, outcomes: list[SurveyOutcome]
) -> tuple[Figures, int]:
    """(figures, late answers stored anyway)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            keys = list(
                conn.execute(
                    sa.text("SELECT submission_key FROM form_response WHERE campaign_id = :c"),
                    {"c": campaign_id},
                ).scalars()
            )
    finally:
        engine.dispose()
    stored = set(keys)
    acknowledged = {o.key for o in outcomes if o.status == 302}
    late = {o.key for o in outcomes if o.status == 410 and o.key}
    figures = Figures(
        "survey answers",
        sent=len(outcomes),
        acknowledged=len(acknowledged),
        refused_late=sum(1 for o in outcomes if o.status == 410),
        stored=len(stored & {o.key for o in outcomes}),
        lost=len(acknowledged - stored),
        duplicated=len(keys) - len(stored) + keys.count(None),
        errors=sum(1 for o in outcomes if o.status not in (302, 410)),
    )
    return figures, len(late & stored)


def report_figures(
    database_url: str, campaign_id: int, outcomes: list[ReportOutcome]
) -> tuple[Figures, int]:
    """(figures, refused reports whose values were not kept as a draft)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT id, unit_id, status, answers FROM form_response WHERE campaign_id = :c"
                ),
                {"c": campaign_id},
            ).all()
    finally:
        engine.dispose()
    import json

    by_id = {
        r.id: (r.status, r.answers if isinstance(r.answers, dict) else json.loads(r.answers))
        for r in rows
    }
    taken = [o for o in outcomes if o.status == 302]
    refused = [o for o in outcomes if o.status == 200]
    submitted = {
        o.response_id
        for o in outcomes
        if by_id[o.response_id][0] == "submitted" and by_id[o.response_id][1] == o.values
    }
    figures = Figures(
        "unit-report submits",
        sent=len(outcomes),
        acknowledged=len(taken),
        refused_late=len(refused),
        stored=len(submitted),
        lost=sum(1 for o in taken if o.response_id not in submitted),
        duplicated=len(rows) - len({r.unit_id for r in rows}),
        errors=sum(1 for o in outcomes if o.status not in (302, 200)),
    )
    drafts_lost = sum(1 for o in refused if by_id[o.response_id] != ("draft", o.values))
    return figures, drafts_lost
