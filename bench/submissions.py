"""Survey answers accepted over HTTP: the Collector against a minimal Flask endpoint.

Both run under gunicorn on loopback with the same number of workers, on one fresh
database (a temporary PostgreSQL database when PostgreSQL answers, else a temporary
SQLite file), migrated to head. The Collector serves a survey campaign opened with one
school's link (the parents' poll of bench/common.py, several answers per browser allowed).
Its rate limits keep production's windows with amounts no run reaches, so each window
costs the store its round trips per answer as in production; they are counted in Redis
when it answers, as with several workers. The minimal app's POST endpoint reads the same
form fields and inserts the same form_response row with SQLAlchemy Core, nothing else.
The same clients post the same answers to each; both rates and their ratio are printed,
and the rows in the database are counted against the answers sent.

    PYTHONPATH=. .venv/bin/python bench/submissions.py
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, redirect_stderr
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from flask import Flask, abort, redirect, request
from werkzeug.wrappers import Response

from bench.common import ACTIVITIES, GRADES, note, report, scale, survey_document
from collector.config import DefaultConfig

SCRIPT = "submissions"
ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
WORKERS = 4  # gunicorn sync workers, for both servers
CLIENTS = 12  # concurrent client threads
WARMUP = 25 * WORKERS  # answers sent before timing (every worker loads its app)
ROUNDS = 4  # the timed answers are sent in turns, to one server then the other
BODIES = 64  # distinct answers, sent in turn
UNLIMITED_AMOUNT = 1_000_000_000
# The platform may spend about as much again as a bare insert per answer, no more (issue 21).
SUBMIT_GOAL = 2.0
# Environment variables the gunicorn workers build their app from.
COLLECTOR_ENV = "BENCH_COLLECTOR_CONFIG"
MINIMAL_ENV = "BENCH_MINIMAL_CONFIG"


# --- the two apps, as gunicorn loads them ---------------------------------------------


def collector_app() -> Flask:
    """The Collector with the benchmark's settings, as gunicorn loads it:
    'bench.submissions:collector_app()'."""
    from collector import create_app

    return create_app(json.loads(os.environ[COLLECTOR_ENV]))


def minimal_app() -> Flask:
    """A POST endpoint that stores a survey answer as the Collector does, and no more:
    the same form fields read, the same form_response row inserted (SQLAlchemy Core),
    the same redirect answered. No link lookup, validation, limits or cookies."""
    from collector.models import FormResponse

    settings = json.loads(os.environ[MINIMAL_ENV])
    engine = sa.create_engine(settings["database_url"])
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    table = cast(sa.Table, FormResponse.__table__)
    link = settings["link"]
    app = Flask("minimal")

    @app.post("/s/<token>")
    def answer(token: str) -> Response:
        if token != link["token"]:
            abort(404)
        form = request.form
        answers: dict[str, Any] = {}
        if grade := form.get("grade"):
            answers["grade"] = grade
        informed = {"yes": True, "no": False}.get(form.get("informed", ""))
        if informed is not None:
            answers["informed"] = informed
        if satisfaction := form.get("satisfaction"):
            answers["satisfaction"] = int(satisfaction)
        if chosen := form.getlist("activities"):
            answers["activities"] = chosen
        if events := form.get("events"):
            answers["events"] = int(events)
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with engine.begin() as conn:
            conn.execute(
                sa.insert(table).values(
                    form_version_id=link["form_version_id"],
                    form_id=link["form_id"],
                    unit_id=link["unit_id"],
                    campaign_id=link["campaign_id"],
                    status="submitted",
                    answers=answers,
                    revision=1,
                    created_at=today,
                    updated_at=today,
                    submitted_at=today,
                )
            )
        return redirect(f"/s/{token}/thanks")

    @app.get("/ready")
    def ready() -> str:
        return "ok"

    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # As the Collector sets them (collector/extensions.py).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# --- the database, the campaign, the servers ------------------------------------------


@contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    """(URL, description) of an empty database, dropped afterwards."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    except sa.exc.OperationalError:
        admin.dispose()
        with tempfile.TemporaryDirectory() as folder:
            import sqlite3

            yield f"sqlite:///{folder}/bench.sqlite", f"SQLite {sqlite3.sqlite_version} (file)"
        return
    name = f"collector_bench_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
        yield url.render_as_string(hide_password=False), f"PostgreSQL {version}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def limit_storage() -> Iterator[tuple[str, str, str]]:
    """(storage URI, key prefix, description) for the rate limits; Redis keys removed after."""
    prefix = f"collector-bench-{secrets.token_hex(4)}"
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        version = client.info("server")["redis_version"]
    except Exception:  # noqa: BLE001 - any failure means no Redis: count in memory
        yield "memory://", prefix, "in memory (per worker)"
        return
    try:
        yield REDIS_URL, prefix, f"Redis {version}"
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def out_of_the_way(limits: str) -> str:
    """The production limits' windows with amounts no benchmark reaches: each window is
    counted in the store on every answer, as in production, and none refuses one."""
    return re.sub(r"\d+ per", f"{UNLIMITED_AMOUNT} per", limits)


def collector_config(database_url: str, storage: str, prefix: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # The survey page checks its own token; the benchmark posts without one.
        "WTF_CSRF_ENABLED": False,
        "SURVEY_RATE_LIMIT": out_of_the_way(DefaultConfig.SURVEY_RATE_LIMIT),
        "SURVEY_ADDRESS_RATE_LIMIT": out_of_the_way(DefaultConfig.SURVEY_ADDRESS_RATE_LIMIT),
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
        **json.loads(os.environ.get("BENCH_EXTRA", "{}")),
    }


def migrate_quietly() -> None:
    """Migrate the app's database to head; Alembic's log of each migration is shown only
    when the upgrade fails. Needs an app context."""
    from flask_migrate import upgrade  # type: ignore[import-untyped]

    log = io.StringIO()
    try:
        with redirect_stderr(log):
            upgrade()
    except BaseException:
        sys.stderr.write(log.getvalue())
        raise


def open_survey(config: dict[str, Any]) -> dict[str, Any]:
    """Migrate the database and open the survey campaign: a region, a municipality, one
    school with its link, the coordinator who runs it. Returns the link's ids."""

    from collector import create_app
    from collector.campaigns.lifecycle import LatePolicy
    from collector.campaigns.services import NewCampaign, create_campaign, open_campaign
    from collector.extensions import db
    from collector.models import Role, RoleAssignment, SurveyLink, UnitType, User
    from collector.publishing.services import publish
    from collector.schema import compile_document
    from collector.units.tree import add_unit

    app = create_app(config)
    with app.app_context():
        migrate_quietly()
        session = db.session()
        region = add_unit(
            session,
            parent=None,
            unit_type=UnitType.REGION,
            code="R-BENCH",
            name="Калужская область",
            timezone="Europe/Moscow",
        )
        district = add_unit(
            session,
            parent=region,
            unit_type=UnitType.MUNICIPALITY,
            code="M-BENCH",
            name="Бабынинский район",
        )
        school = add_unit(
            session,
            parent=district,
            unit_type=UnitType.SCHOOL,
            code="S-BENCH",
            name="МКОУ «СОШ № 1»",
        )
        coordinator = User(
            username="bench-coordinator",
            full_name="Координатор замеров",
            password_hash="!",  # never logs in
            session_version=1,
        )
        coordinator.roles.append(RoleAssignment(role=Role.REGIONAL_COORDINATOR.value, unit=region))
        session.add(coordinator)
        version = publish(session, compile_document(survey_document()), None).form_version
        year = date.today().year
        campaign = create_campaign(
            session,
            coordinator,
            NewCampaign(
                "Опрос родителей (замеры)",
                version,
                region,
                year,
                None,
                LatePolicy.REFUSE,
                {"school": datetime(year + 1, 8, 31, 23, 59)},
            ),
        )
        open_campaign(session, coordinator, campaign)
        session.commit()
        link = session.scalars(
            sa.select(SurveyLink).where(SurveyLink.campaign_id == campaign.id)
        ).one()
        ids = {
            "token": link.token,
            "campaign_id": campaign.id,
            "unit_id": school.id,
            "form_version_id": version.id,
            "form_id": version.form_id,
        }
        db.session.remove()
        db.engine.dispose()
    return ids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], ready_path: str) -> Iterator[int]:
    """Serve `app_spec` on a free loopback port until the block ends; stopped even on error."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn"),
        *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"),
        *("--chdir", str(ROOT), "--log-level", "warning", "--timeout", "120"),
        app_spec,
    ]
    server = subprocess.Popen(command, env={**os.environ, **env}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn ({app_spec}) exited with {server.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({app_spec}) did not answer in 60 s")
            time.sleep(0.2)
        yield port
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:  # whatever is left of its process group (its workers), by the group's id
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


# --- the clients -----------------------------------------------------------------------


def bodies() -> list[bytes]:
    """Answers to post, each with every field answered (so both servers store them whole)."""
    made = []
    for n in range(BODIES):
        chosen = [a for bit, a in enumerate(ACTIVITIES) if (n + 1) >> bit & 1] or ["tests"]
        fields = [
            ("grade", GRADES[n % len(GRADES)]),
            ("informed", "yes" if n % 3 else "no"),
            ("satisfaction", str(1 + n % 5)),
            *(("activities", a) for a in chosen),
            ("events", str(n % 7)),
        ]
        made.append(urllib.parse.urlencode(fields).encode())
    return made


HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def post_all(port: int, path: str, payloads: list[bytes], total: int) -> tuple[float, Counter[int]]:
    """Post `total` answers with CLIENTS concurrent clients; (seconds, statuses)."""
    shares = [total // CLIENTS + (1 if i < total % CLIENTS else 0) for i in range(CLIENTS)]

    def client(number: int, count: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        # Reused while the server keeps it open (gunicorn's sync workers close each one).
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for i in range(count):
                body = payloads[(number + i * CLIENTS) % len(payloads)]
                conn.request("POST", path, body=body, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                statuses[response.status] += 1
        finally:
            conn.close()
        return statuses

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS), shares))
    elapsed = time.perf_counter() - start
    return elapsed, sum(results, Counter())


def stored(database_url: str, campaign_id: int) -> list[str]:
    """The answers stored for the campaign, in the order they were inserted."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT answers FROM form_response WHERE campaign_id = :c ORDER BY id"),
                {"c": campaign_id},
            ).scalars()
            return [
                json.dumps(a if isinstance(a, dict) else json.loads(a), sort_keys=True)
                for a in rows
            ]
    finally:
        engine.dispose()


def count_rows(database_url: str, campaign_id: int) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM form_response WHERE campaign_id = :c")
            return int(conn.execute(query, {"c": campaign_id}).scalar_one())
    finally:
        engine.dispose()


def send(
    server: str, port: int, path: str, count: int, database_url: str, link: dict[str, Any]
) -> float:
    """Post `count` answers; each must be taken (a redirect to the thanks page) and stored
    (one more row). Returns the seconds they took."""
    before = count_rows(database_url, link["campaign_id"])
    elapsed, statuses = post_all(port, path, bodies(), count)
    if statuses != Counter({302: count}):
        raise AssertionError(f"{server}: {count} answers sent, replies {dict(statuses)}")
    rows = count_rows(database_url, link["campaign_id"]) - before
    if rows != count:
        raise AssertionError(f"{server}: {count} answers sent, {rows} rows stored")
    return elapsed


def main() -> None:
    # Stopped from outside, still stop the servers and drop the database on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    size = scale()
    total = size.submissions
    with ExitStack() as stack:
        database_url, database = stack.enter_context(fresh_database())
        storage, prefix, limits = stack.enter_context(limit_storage())
        config = collector_config(database_url, storage, prefix)
        link = open_survey(config)
        path = f"/s/{link['token']}"
        note(
            f"submissions ({size.name}): {total:,} answers to each server in {ROUNDS} rounds"
            f" taken in turn, after {WARMUP} warm-up ones; {CLIENTS} concurrent clients;"
            f" gunicorn {WORKERS} sync workers each; {database}; rate limits counted {limits}",
            script=SCRIPT,
        )
        minimal = {"database_url": database_url, "link": link}
        ports = {
            "Collector": stack.enter_context(
                gunicorn(
                    "bench.submissions:collector_app()",
                    {COLLECTOR_ENV: json.dumps(config)},
                    ready_path=path,
                )
            ),
            "minimal": stack.enter_context(
                gunicorn(
                    "bench.submissions:minimal_app()",
                    {MINIMAL_ENV: json.dumps(minimal)},
                    ready_path="/ready",
                )
            ),
        }
        # Warm up (every worker loads its app), and check both store the same answers.
        for server, port in ports.items():
            send(server, port, path, WARMUP, database_url, link)
        rows = stored(database_url, link["campaign_id"])
        if sorted(rows[:WARMUP]) != sorted(rows[WARMUP:]):
            raise AssertionError("the minimal app stores other answers than the Collector")
        # In turns, so that whatever else the machine does weighs on both alike.
        elapsed = dict.fromkeys(ports, 0.0)
        for turn in range(ROUNDS):
            count = total // ROUNDS + (1 if turn < total % ROUNDS else 0)
            for server, port in ports.items():
                elapsed[server] += send(server, port, path, count, database_url, link)
    report(
        "survey answers accepted over HTTP (Collector under gunicorn vs minimal Flask endpoint)",
        total / elapsed["Collector"],
        total / elapsed["minimal"],
        SUBMIT_GOAL,
        unit="req/s",
        script=SCRIPT,
    )


if __name__ == "__main__":
    main()
