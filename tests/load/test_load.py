"""Nothing lost under load and faults, against the production setup: gunicorn with two
workers, an RQ job worker, PostgreSQL and Redis. Each test prints sent, acknowledged,
stored, lost and duplicated.

The size is LOAD_SUBMISSIONS (1,000 by default, CI's size; `LOAD_SUBMISSIONS=10000` for the
full run), a fifth of them unit-report submits (one per school) and the rest survey answers."""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from collector.models import FormResponse
from tests.load.harness import (
    Browser,
    JobWorker,
    Proxy,
    Region,
    ReportOutcome,
    Server,
    SurveyOutcome,
    Tally,
    answer_survey,
    free_port,
    hidden,
    log_in,
    move_deadline,
    report_figures,
    request,
    running,
    seed_region,
    submit_report,
    survey_figures,
)

pytestmark = pytest.mark.load

SUBMISSIONS = int(os.environ.get("LOAD_SUBMISSIONS", "1000"))
CLIENTS = 16
# A deadline far enough not to pass unless a test moves it.
LATER = datetime(2099, 12, 31, 23, 59)


def burst(
    port: Callable[[], int],
    region: Region,
    total: int,
    tally: Tally,
    at: dict[float, Callable[[], None]] | None = None,
) -> tuple[list[SurveyOutcome], list[ReportOutcome]]:
    """`total` submissions from CLIENTS concurrent clients, shuffled: every school's report
    once, survey answers spread over the schools' links. `at` runs an action when that
    share of the submissions has been started (a deadline passing, a server killed)."""
    reports = len(region.reports)
    tasks: list[tuple[str, int]] = [("report", i) for i in range(reports)]
    tasks += [("survey", i) for i in range(total - reports)]
    random.Random(21).shuffle(tasks)
    work: queue.Queue[tuple[str, int]] = queue.Queue()
    for task in tasks:
        work.put(task)
    surveys: list[SurveyOutcome] = []
    outcomes: list[ReportOutcome] = []
    started = 0
    lock = threading.Lock()
    pending = sorted((at or {}).items())

    def client() -> None:
        nonlocal started
        browser = Browser(port, tally)  # a shared phone at a parents' meeting
        while True:
            try:
                kind, n = work.get_nowait()
            except queue.Empty:
                return
            with lock:
                started += 1
                due = [p for p in pending if p[0] * total <= started]
                for item in due:
                    pending.remove(item)
            for _, action in due:
                action()
            if kind == "survey":
                token = region.links[n % len(region.links)]
                surveys.append(answer_survey(browser, token, n))
            else:
                login, response_id = region.reports[n]
                outcomes.append(submit_report(Browser(port, tally), login, response_id, n))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return surveys, outcomes


def check(
    database_url: str,
    region: Region,
    surveys: list[SurveyOutcome],
    reports: list[ReportOutcome],
    tally: Tally,
    seconds: float,
    title: str,
) -> None:
    answered, late_stored = survey_figures(database_url, region.survey_campaign, surveys)
    submitted, drafts_lost = report_figures(database_url, region.report_campaign, reports)
    print(f"\n{title} ({seconds:.1f} s, {CLIENTS} clients, gunicorn 2 workers)")
    print(f"  {answered.line()}")
    print(f"  {submitted.line()}")
    print(
        f"  retried sends {tally.retries}; replies by status {dict(sorted(tally.statuses.items()))}"
    )
    for figures in (answered, submitted):
        assert figures.lost == 0 and figures.duplicated == 0 and figures.errors == 0, figures
        assert figures.acknowledged + figures.refused_late == figures.sent, figures
        assert figures.stored == figures.acknowledged, figures
    assert late_stored == 0  # a late answer refused is not stored
    assert drafts_lost == 0  # a late report refused keeps its values as a draft
    assert 500 not in tally.statuses


def region_for(seed_app: Any, total: int) -> Region:
    return seed_region(seed_app, max(1, total // 5), LATER)


def test_a_burst_before_the_deadline_stores_each_answer_once(seed_app, load_database, server_env):
    region = region_for(seed_app, SUBMISSIONS)
    server = Server(server_env)
    tally = Tally()

    def deadline_passes() -> None:
        move_deadline(
            load_database,
            [region.survey_campaign, region.report_campaign],
            datetime.now(UTC) - timedelta(seconds=1),
        )

    with running(server):
        start = time.monotonic()
        surveys, reports = burst(
            lambda: server.port, region, SUBMISSIONS, tally, {0.9: deadline_passes}
        )
        seconds = time.monotonic() - start
    check(
        load_database,
        region,
        surveys,
        reports,
        tally,
        seconds,
        f"burst of {SUBMISSIONS}, the deadline passing at 90%",
    )
    late = sum(1 for o in surveys if o.status == 410) + sum(1 for o in reports if o.status == 200)
    assert late > 0  # the deadline did pass during the burst, and was kept


def test_kill_9_of_gunicorn_mid_burst_loses_and_doubles_nothing(
    seed_app, load_database, server_env
):
    region = region_for(seed_app, SUBMISSIONS)
    server = Server(server_env)
    tally = Tally()
    restarted: list[float] = []

    def kill_and_restart() -> None:
        server.kill()  # the master and both workers, mid-request
        time.sleep(1)
        began = time.monotonic()
        server.start()
        restarted.append(time.monotonic() - began)

    with running(server):
        start = time.monotonic()
        surveys, reports = burst(
            lambda: server.port, region, SUBMISSIONS, tally, {0.4: kill_and_restart}
        )
        seconds = time.monotonic() - start
    check(
        load_database,
        region,
        surveys,
        reports,
        tally,
        seconds,
        f"burst of {SUBMISSIONS}, kill -9 of gunicorn at 40% and a restart "
        f"({restarted[0]:.1f} s to serve again)",
    )
    assert tally.retries > 0  # the kill did cut requests, and their retries were recognised
    assert all(o.status == 302 for o in surveys) and all(o.status == 302 for o in reports)


def test_the_app_answers_503_while_the_database_is_unreachable_and_recovers(
    seed_app, load_database, server_env
):
    total = max(100, SUBMISSIONS // 5)
    region = region_for(seed_app, total)
    url = sa.engine.make_url(load_database)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.open()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    server = Server(server_env | {"DATABASE_URL": through_proxy})
    tally = Tally()

    def cut_for_three_seconds() -> None:
        proxy.cut()

        def mend() -> None:
            time.sleep(3)
            proxy.open()

        threading.Thread(target=mend).start()

    try:
        with running(server):
            page_while_cut: list[tuple[int, str]] = []

            def cut_and_look() -> None:
                cut_for_three_seconds()
                status, _, html = request(server.port, "GET", f"/s/{region.links[0]}")
                page_while_cut.append((status, html))

            start = time.monotonic()
            surveys, reports = burst(lambda: server.port, region, total, tally, {0.3: cut_and_look})
            seconds = time.monotonic() - start
    finally:
        proxy.cut()
    check(
        load_database,
        region,
        surveys,
        reports,
        tally,
        seconds,
        f"{total} submissions, the database cut off for 3 s at 30%",
    )
    [(status, html)] = page_while_cut
    print(f"  while cut: {status}, «{hidden_message(html)}»")
    assert status == 503 and "База данных не отвечает" in html and "Traceback" not in html
    assert tally.statuses.get(503, 0) > 0


def hidden_message(html: str) -> str:
    import re

    found = re.search(r'data-testid="error-message">([^<]*)<', html)
    return found.group(1) if found else html[:80]


def test_with_redis_down_answers_and_entry_go_on_and_jobs_fail_plainly(
    seed_app, load_database, server_env
):
    total = max(100, SUBMISSIONS // 5)
    region = region_for(seed_app, total)
    closed = f"redis://127.0.0.1:{free_port()}"
    server = Server(server_env | {"COLLECTOR_REDIS_URL": closed})
    tally = Tally()
    with running(server):
        start = time.monotonic()
        surveys, reports = burst(lambda: server.port, region, total, tally)
        seconds = time.monotonic() - start
        coordinator = Browser(lambda: server.port, tally)
        job_page = start_export(coordinator, region)
    check(
        load_database,
        region,
        surveys,
        reports,
        tally,
        seconds,
        f"{total} submissions with Redis down (limits counted per process)",
    )
    print(f"  an export asked meanwhile: «{job_page[1]}»")
    assert job_page[0] == "failed" and "очередь задач не отвечает" in job_page[1]


def start_export(browser: Browser, region: Region) -> tuple[str, str]:
    """Log the coordinator in, ask for the survey campaign's workbook; (state, message)
    of the job as its status page tells them, once it has one."""
    import json

    assert log_in(browser, region.coordinator) == 302
    job_id = ask_export(browser, region)
    status = json.loads(browser.send("GET", f"/jobs/{job_id}/status")[2])
    return status["state"], status.get("message") or ""


def ask_export(browser: Browser, region: Region) -> str:
    page = f"/reports/campaigns/{region.survey_campaign}"
    _, _, html = browser.send("GET", page)
    status, headers, _ = browser.send(
        "POST", f"{page}/export", [("csrf_token", hidden(html, "csrf_token"))]
    )
    assert status == 302, status
    return headers["location"].rstrip("/").rsplit("/", 1)[-1]


def test_a_job_worker_killed_mid_export_is_failed_and_can_start_again(
    seed_app, load_database, server_env
):
    import json

    region = seed_region(seed_app, 5, LATER)
    rows = int(os.environ.get("LOAD_EXPORT_ROWS", "40000"))
    add_answers(load_database, region.survey_campaign, rows)
    server, worker = Server(server_env), JobWorker(server_env)
    tally = Tally()
    engine = sa.create_engine(load_database)
    try:
        with running(server, worker):
            coordinator = Browser(lambda: server.port, tally)
            assert log_in(coordinator, region.coordinator) == 302
            first = ask_export(coordinator, region)
            state = wait_state(engine, first, {"running", "done", "failed"}, 60)
            assert state == "running", f"the export was {state} before the worker was killed"
            worker.kill()  # the worker and the child running the job
            time.sleep(4)  # past the 3 s after which a silent job is dead
            seen = json.loads(coordinator.send("GET", f"/jobs/{first}/status")[2])
            worker.start()
            began = time.monotonic()
            second = ask_export(coordinator, region)
            done = wait_state(engine, second, {"done", "failed"}, 120)
            took = time.monotonic() - began
            download = coordinator.send("GET", f"/jobs/{second}/download")[0]
    finally:
        engine.dispose()
    print(f"\nexport of {rows} answers, its worker killed with kill -9 while running:")
    print(f"  the job: {seen['state']} «{seen.get('message')}»")
    print(
        f"  started again: a new job {'(same id!)' if second == first else ''}{done} in "
        f"{took:.1f} s, download {download}"
    )
    assert seen["state"] == "failed" and seen.get("message")
    assert second != first and done == "done" and download == 200


def wait_state(engine: sa.Engine, job_id: str, states: set[str], seconds: float) -> str:
    until = time.monotonic() + seconds
    while True:
        with engine.connect() as conn:
            state = conn.execute(
                sa.text("SELECT state FROM job WHERE id = :id"), {"id": job_id}
            ).scalar_one()
        if state in states or time.monotonic() > until:
            return str(state)
        time.sleep(0.01)


def add_answers(database_url: str, campaign_id: int, count: int) -> None:
    """Many survey answers at once (what a burst would have left), by SQL."""
    engine = sa.create_engine(database_url)
    table = FormResponse.__table__
    try:
        with engine.begin() as conn:
            template = conn.execute(
                sa.text(
                    "SELECT form_version_id, form_id, unit_id FROM survey_link"
                    " JOIN campaign ON campaign.id = survey_link.campaign_id"
                    " JOIN form_version ON form_version.id = campaign.form_version_id"
                    " WHERE campaign.id = :c"
                ),
                {"c": campaign_id},
            ).all()
            now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            rows = [
                {
                    "form_version_id": t.form_version_id,
                    "form_id": t.form_id,
                    "unit_id": t.unit_id,
                    "campaign_id": campaign_id,
                    "status": "submitted",
                    "answers": {"grade": str(8 + n % 4), "organised": "yes", "comment": f"{n}"},
                    "revision": 1,
                    "late": False,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for n in range(count)
                for t in [template[n % len(template)]]
            ]
            conn.execute(sa.insert(table), rows)
    finally:
        engine.dispose()
