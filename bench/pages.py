"""Pages people wait on, in the demo as `make run` loads it (issue 21).

The demo is loaded into a temporary SQLite database with the app's own commands
(`flask db upgrade`, `flask schemas load`, `flask seed-demo`). Then, in one process with
Flask's test client (the server's own time, no network):
- the Kaluga school's data-entry page, as the school's respondent opens it
  (goal: p95 under 50 ms);
- the report page of the demo's largest campaign, as an administrator opens it
  again (the indicators were computed at the first view and kept; goal: p95 under 300 ms);
- the report page of the Kaluga schools' campaign, likewise (goal: p95 under 300 ms);
- the export job's workbook of the demo's largest survey: the memory it takes (the
  peak reset before it; goal: at most 50 MB, issue 22).
Each is set against a baseline measured beside it: the same app answering the same bytes
from a plain route (what serving that page costs before any of its work).

    PYTHONPATH=. .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import note, peak_since, report, scale, start_peak

SCRIPT = "pages"
ROOT = Path(__file__).resolve().parent.parent
VIEWS = {"tiny": 10, "small": 60, "national": 100}
WARM_UP = 3
ENTRY_GOAL_MS = 50
REPORT_GOAL_MS = 300
EXPORT_MEMORY_GOAL_MB = 50
PASSWORDS = {"school": "demo-school-2026", "admin": "demo-admin-2026"}


def flask(database: str, *command: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "COLLECTOR_SECRET_KEY": "bench-pages",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def timings(get: Callable[[], bytes], views: int) -> tuple[list[float], bytes]:
    body = b""
    for _ in range(WARM_UP):
        body = get()
    times = []
    for _ in range(views):
        started = time.perf_counter()
        get()
        times.append(time.perf_counter() - started)
    return times, body


def reader(client: Any, path: str) -> Callable[[], bytes]:
    def get() -> bytes:
        return bytes(client.get(path).data)

    return get


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main() -> None:
    views = VIEWS[scale().name]
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        started = time.perf_counter()
        flask(database, "db", "upgrade")
        flask(database, "schemas", "load")
        flask(database, "seed-demo")
        note(f"pages: the demo loaded in {time.perf_counter() - started:.0f} s", SCRIPT)

        from flask import Response
        from sqlalchemy import select

        from collector import create_app
        from collector.extensions import db
        from collector.models import FormResponse, RoleAssignment, User

        app = create_app(
            {
                "SECRET_KEY": "bench-pages",
                "SQLALCHEMY_DATABASE_URI": database,
                "JOB_FOLDER": str(Path(folder) / "jobs"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        served: dict[str, bytes] = {}

        @app.get("/bench-baseline/<name>")
        def baseline(name: str) -> Response:
            return Response(served[name], mimetype="text/html")

        with app.app_context():
            # The Kaluga school form's report of the demo's school respondent.
            school_unit = db.session.scalar(
                select(RoleAssignment.unit_id).join(User).where(User.username == "school")
            )
            kaluga = db.session.scalar(
                select(FormResponse.id).where(
                    FormResponse.form_id == "kaluga-1829-school",
                    FormResponse.unit_id == school_unit,
                )
            )
            largest = largest_campaign(db.session())
            kaluga_campaign = largest_campaign(
                db.session(), FormResponse.form_id == "kaluga-1829-school"
            )
            largest_survey = largest_campaign(
                db.session(),
                FormResponse.unit_report_key.is_(None),
                FormResponse.campaign_id.is_not(None),
            )

        # First, in a process that has done no other work yet: what the export takes.
        export_memory(app, largest_survey[0], largest_survey[1])
        pages: dict[str, tuple[str, str, int]] = {
            "entry": ("school", f"/entry/response/{kaluga}", ENTRY_GOAL_MS),
            "report": ("admin", f"/reports/campaigns/{largest[0]}", REPORT_GOAL_MS),
            f"Kaluga report ({kaluga_campaign[1]} reports)": (
                "admin",
                f"/reports/campaigns/{kaluga_campaign[0]}",
                REPORT_GOAL_MS,
            ),
        }
        for name, (login, path, goal_ms) in pages.items():
            client = app.test_client()
            client.post("/login", data={"username": login, "password": PASSWORDS[login]})
            page = client.get(path)
            if page.status_code != 200:
                raise SystemExit(f"pages: {path} answered {page.status_code}")

            times, body = timings(reader(client, path), views)
            served[name] = body
            plain, _ = timings(reader(client, f"/bench-baseline/{name}"), views)
            measured = p95(times)
            report(
                f"{name} page {path} ({len(body) // 1024} KB), p95 of {views} views",
                measured,
                p95(plain),
                None,
                script=SCRIPT,
            )
            verdict = "met" if measured * 1000 < goal_ms else "missed"
            note(
                f"  {name}: p50 {statistics.median(times) * 1000:.0f} ms,"
                f" p95 {measured * 1000:.0f} ms (goal: p95 under {goal_ms} ms: {verdict})",
                SCRIPT,
            )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def largest_campaign(session: Any, *where: Any) -> tuple[int, int]:
    """The campaign with the most responses among those `where` selects, and how many."""
    from sqlalchemy import func, select

    from collector.models import FormResponse

    found = session.execute(
        select(FormResponse.campaign_id, func.count())
        .where(*where)
        .group_by(FormResponse.campaign_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    return int(found[0]), int(found[1])


def export_memory(app: Any, campaign_id: int, answers: int) -> None:
    """The memory the export job's workbook of a survey takes, written as the job writes
    it, for the administrator's view of the whole campaign (its modules loaded before,
    as a job worker has them)."""
    from sqlalchemy import select

    from collector.exporters.workbook import write_workbook
    from collector.extensions import db
    from collector.models import Campaign, User
    from collector.reports import export
    from collector.reports.services import Basis

    with app.test_request_context(), tempfile.TemporaryDirectory() as folder:
        session = db.session()
        user = session.scalars(select(User).where(User.username == "admin")).one()
        campaign = session.get_one(Campaign, campaign_id)
        root = campaign.subtree_unit or campaign.owner_unit
        base = start_peak()
        started = time.perf_counter()
        book = export.build_workbook(session, user, campaign, root, Basis.SUBMITTED)
        write_workbook(book, f"{folder}/export.xlsx", max_rows=app.config["EXPORT_MAX_ROWS"])
        seconds = time.perf_counter() - started
        grown = peak_since(base)
        db.session.remove()
    verdict = "met" if grown <= EXPORT_MEMORY_GOAL_MB else "missed"
    note(
        f"  export job of the largest survey ({answers:,} answers): {seconds:.2f} s,"
        f" memory taken {grown:,.0f} MB (goal: at most {EXPORT_MEMORY_GOAL_MB} MB: {verdict})",
        SCRIPT,
    )


if __name__ == "__main__":
    main()
