"""From the database to every indicator: the report service's own path against the
fastest plain way (issue 22).

A fresh PostgreSQL database, migrated to head, holds the synthetic country of
bench/indicators.py (regions, municipalities, schools with their pupils per grade) and a
survey campaign of the parents' poll (bench/common.py) with its answers stored as the
platform stores them. Then:
- the product: `campaign_report(..., stored=False)`, as the report page and the
  indicators job call it: the answers read from the database, turned into columns, and
  every indicator computed at every level;
- the baseline: the answers read with `COPY (… json_to_record(answers) …)` into pandas,
  the units and figures with plain selects, and the same numbers computed with bare
  pandas groupby sums (bench/indicators.py's baseline).
Both are checked equal group by group. Goal: at most 2.0.

    PYTHONPATH=. .venv/bin/python bench/from_database.py            (--profile: where it goes)
"""

from __future__ import annotations

import gc
import io
import json
import secrets
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bench.common import (
    INDICATORS,
    best_of,
    note,
    peak_rss_mb,
    peak_since,
    report,
    scale,
    start_peak,
    survey_document,
)
from bench.indicators import SEED, baseline, build_country, check_same
from bench.submissions import fresh_database, migrate_quietly

SCRIPT = "from_database"
GOAL = 2.0
# Answers stored: the 100,000 in `make bench`, a million at national scale.
ANSWERS = {"tiny": 2_000, "small": 100_000, "national": 1_000_000}
# The report page of that survey, opened again while its data stays the same (issue 22).
PAGE_GOAL_MS = 500
# The export job against writing the same indicators and answers sheets the plain way
# (issue 22).
EXPORT_GOAL = 1.3
EXPORT_MEMORY_GOAL_MB = 50
# The indicators sheet as the export job writes it.
INDICATOR_HEAD = (
    "Код",
    "Показатель",
    "Ед. изм.",
    "Уровень",
    "Организация",
    "Значение",
    "Примечание",
    "Ответили",
    "Ожидалось",
    "Охват (%)",
    "Цель",
    "Цель достигнута",
    "Источник",
)
LEVEL_NAMES = {
    "region": "Регион",
    "municipality": "Муниципальное образование",
    "school": "Организация",
}
PAGE_VIEWS = {"tiny": 5, "small": 20, "national": 20}
BATCH = 10_000


def seed(config: dict[str, Any], size_name: str) -> tuple[int, int, int]:
    """Units, figures, the campaign and its answers; (campaign id, coordinator id, rows)."""

    from collector import create_app
    from collector.campaigns.lifecycle import LatePolicy
    from collector.campaigns.services import NewCampaign, create_campaign, open_campaign
    from collector.extensions import db
    from collector.models import (
        FormResponse,
        OrgUnit,
        ReferenceFigure,
        Role,
        RoleAssignment,
        User,
    )
    from collector.models.units import fill_sort_paths
    from collector.publishing.services import publish
    from collector.schema import compile_document

    # One region: the campaign asks every school of its owner's tree.
    size = replace(scale(), regions=1, responses=ANSWERS[size_name])
    spec = compile_document(survey_document()).spec
    country = build_country(size, spec, np.random.default_rng(SEED))
    app = create_app(config)
    with app.app_context():
        migrate_quietly()
        session = db.session()
        units = country.units
        regions = sorted({int(r) for r in units["region"]})
        municipalities = units.drop_duplicates("municipality")[["municipality", "region"]]
        rows: list[dict[str, Any]] = []
        paths: dict[int, str] = {}
        for region in regions:
            paths[region] = f"/{region}/"
            rows.append(_unit(region, None, "region", paths[region], 0))
        for municipality, region in municipalities.itertuples(index=False):
            paths[int(municipality)] = f"{paths[int(region)]}{int(municipality)}/"
            rows.append(
                _unit(int(municipality), int(region), "municipality", paths[int(municipality)], 1)
            )
        for school, municipality in zip(units.index, units["municipality"], strict=True):
            path = f"{paths[int(municipality)]}{int(school)}/"
            rows.append(_unit(int(school), int(municipality), "school", path, 2))
        fill_sort_paths(rows)
        session.execute(sa.insert(OrgUnit), rows)
        figures = country.figures
        session.execute(
            sa.insert(ReferenceFigure),
            [
                {
                    "unit_id": int(u),
                    "academic_year": date.today().year,
                    "figure": f,
                    "grade": int(g),
                    "value": float(v),
                }
                for u, f, g, v in figures[["unit_id", "figure", "grade", "value"]].itertuples(
                    index=False
                )
            ],
        )
        top = session.get_one(OrgUnit, regions[0])
        coordinator = User(
            username="bench-coordinator",
            full_name="Координатор замеров",
            password_hash="!",
            session_version=1,
        )
        for region in regions:
            coordinator.roles.append(
                RoleAssignment(
                    role=Role.REGIONAL_COORDINATOR.value, unit=session.get_one(OrgUnit, region)
                )
            )
        session.add(coordinator)
        version = publish(session, compile_document(survey_document()), None).form_version
        year = date.today().year
        campaign = create_campaign(
            session,
            coordinator,
            NewCampaign(
                "Опрос родителей (замеры из базы)",
                version,
                top,
                year,
                None,
                LatePolicy.REFUSE,
                {"school": datetime(year + 1, 8, 31, 23, 59)},
            ),
        )
        open_campaign(session, coordinator, campaign)
        session.commit()
        answers = country.answers
        stored = 0
        for start in range(0, len(answers), BATCH):
            chunk = answers.iloc[start : start + BATCH]
            session.execute(
                sa.insert(FormResponse.__table__),  # type: ignore[arg-type]
                [
                    {
                        "form_version_id": version.id,
                        "form_id": version.form_id,
                        "unit_id": int(row.unit_id),
                        "campaign_id": campaign.id,
                        "status": "submitted",
                        "answers": _answers(row),
                        "revision": 1,
                        "late": False,
                    }
                    for row in chunk.itertuples(index=False)
                ],
            )
            stored += len(chunk)
        session.commit()
        # What autovacuum does soon after such a load (since PostgreSQL 13 it vacuums a table
        # after many inserts, not only after updates): the planner's statistics, and the
        # visibility map that lets a count be read from an index alone. Done here, as
        # the servers these benchmarks run on may have autovacuum turned off.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        ids = (campaign.id, coordinator.id, stored)
        db.session.remove()
        db.engine.dispose()
    return ids


def _unit(unit_id: int, parent: int | None, kind: str, path: str, depth: int) -> dict[str, Any]:
    return {
        "id": unit_id,
        "parent_id": parent,
        "unit_type": kind,
        "code": f"B-{unit_id}",
        "name": f"{kind} {unit_id}",
        "path": path,
        "depth": depth,
    }


def _answers(row: Any) -> dict[str, Any]:
    """One response as the platform stores it (no key for a question left unanswered)."""
    found: dict[str, Any] = {}
    if isinstance(row.grade, str):
        found["grade"] = row.grade
    if row.informed is not pd.NA and row.informed is not None:
        found["informed"] = bool(row.informed)
    if not np.isnan(row.satisfaction):
        found["satisfaction"] = int(row.satisfaction)
    if row.activities is not None:
        found["activities"] = list(row.activities)
    if not np.isnan(row.events):
        found["events"] = int(row.events)
    return found


def measure_product(config: dict[str, Any], campaign_id: int, coordinator_id: int) -> Any:
    """(best time, the last Report) of the report service computing every indicator."""
    from collector import create_app
    from collector.extensions import db
    from collector.models import Campaign, User
    from collector.reports.services import Basis, campaign_report

    app = create_app(config)
    with app.app_context():
        session = db.session()
        user = session.get_one(User, coordinator_id)
        campaign = session.get_one(Campaign, campaign_id)

        def run() -> Any:
            session.expire_all()
            return campaign_report(session, user, campaign, Basis.SUBMITTED, stored=False)

        if "--profile" in sys.argv:
            import cProfile
            import pstats

            run()
            profiler = cProfile.Profile()
            profiler.runcall(run)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        found = best_of(run, scale().repeats)
        db.session.remove()
        db.engine.dispose()
        return found


def measure_page(
    config: dict[str, Any], campaign_id: int, coordinator_id: int
) -> tuple[float, list[float]]:
    """The report page as the coordinator opens it: the first view (the indicators are
    computed and kept), then the seconds of each view while the data stays the same."""
    from werkzeug.security import generate_password_hash

    from collector import create_app
    from collector.extensions import db
    from collector.jobs.dispatch import shutdown
    from collector.models import User
    from collector.serving import settle_after_loading

    app = create_app({**config, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        user = db.session.get_one(User, coordinator_id)
        user.password_hash = generate_password_hash("bench-page", method="pbkdf2:sha256:1000")
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": "bench-page"})
        # As a gunicorn worker does once it has loaded the app (gunicorn.conf.py).
        settle_after_loading()
        path = f"/reports/campaigns/{campaign_id}"
        started = time.perf_counter()
        if client.get(path).status_code != 200:
            raise SystemExit(f"from_database: {path} did not answer 200")
        first = time.perf_counter() - started
        # The first view may have started a job computing the figures (the page keeps them
        # per basis); the views measured are those after it, while the data stays the
        # same, not views racing it for the interpreter in this process.
        shutdown(app)
        times = []
        for _ in range(PAGE_VIEWS[scale().name]):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        # A job the page started (figures computed again in a thread) finishes before
        # its database is dropped.
        shutdown(app)
        db.session.remove()
        db.engine.dispose()
    return first, times


def export_product(
    url: str, campaign_id: int, coordinator_id: int, path: str
) -> tuple[float, float]:
    """The export job's own path: the consolidated workbook of the campaign for its
    coordinator's region (indicators, answers by option, every answer), as the job
    builds and writes it in a worker whose app is made. Returns its seconds and the MB
    its process grew by while it ran."""
    from collector import create_app
    from collector.exporters.workbook import write_workbook
    from collector.extensions import db
    from collector.models import Campaign, User
    from collector.reports import export
    from collector.reports.services import Basis

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.test_request_context():
        base = start_peak()
        started = time.perf_counter()
        session = db.session()
        user = session.get_one(User, coordinator_id)
        campaign = session.get_one(Campaign, campaign_id)
        root = user.roles[0].unit
        assert root is not None
        book = export.build_workbook(session, user, campaign, root, Basis.SUBMITTED)
        write_workbook(book, path, max_rows=app.config["EXPORT_MAX_ROWS"])
        seconds = time.perf_counter() - started
        grown = peak_since(base)
        db.session.remove()
        db.engine.dispose()
    return seconds, grown


def export_plain(url: str, campaign_id: int, path: str) -> tuple[float, float]:
    """The fastest plain way to the same two long sheets: the indicators of every group
    (computed as `plain` computes them) and every answer, by a server-side cursor over
    the answers in the tree's order, each decoded once; the same cells written by raw
    XlsxWriter in constant-memory mode. The same cells as the product's: yes/no and a
    ticked option as «да»/«нет» text (what the workbook shows), an unanswered multiple
    choice as empty cells, the day the answer came."""
    import psycopg
    import xlsxwriter

    from collector.json_codec import loads

    options = ("tests", "trips", "meetings", "internships", "online")
    yes_no = {True: "да", False: "нет"}
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    started = time.perf_counter()
    # The workbook's other long sheet: every indicator at every group of every level, as
    # the job writes it (its figures computed the plain way, COPY and groupby).
    levels = plain(url, campaign_id)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT id, name FROM org_unit")).tuples().all())
    engine.dispose()
    # The memory the writing takes, from here: the figures computed above held the whole
    # answers frame, which the job reads from its kept snapshot instead (counted against
    # the job, not the baseline).
    base = start_peak()
    figures = book.add_worksheet("Показатели")
    figures.write_row(0, 0, list(INDICATOR_HEAD))
    written = 0
    for indicator in INDICATORS:
        code, title = indicator["id"], indicator["title"]
        for level in ("region", "municipality", "school"):
            found = levels[level]
            for group, value, got, wanted in zip(
                found["values"].index,
                found["values"][code].to_numpy(),
                found["answered"].to_numpy(),
                found["expected"].to_numpy(),
                strict=True,
            ):
                known = value == value  # not NaN
                written += 1
                figures.write_row(
                    written,
                    0,
                    [
                        code,
                        title,
                        None,
                        LEVEL_NAMES[level],
                        names[int(group)],
                        float(value) if known else None,
                        None if known else "нет данных",
                        int(got),
                        int(wanted),
                        100 * int(got) / int(wanted) if wanted else None,
                        None,
                        None,
                        "Синтетическая анкета",
                    ],
                )
    sheet = book.add_worksheet("Ответы")
    dated = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(
        0, 0, ["Код", "Организация", "Дата", "grade", "informed", "rating", *options, "events"]
    )
    written = 0
    address = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(address) as conn, conn.cursor(name="answers") as cursor:
        cursor.itersize = 2000
        cursor.execute(
            "SELECT u.code, u.name, r.created_at, r.answers::text FROM form_response r"
            " JOIN org_unit u ON u.id = r.unit_id WHERE r.campaign_id = %s"
            " ORDER BY u.sort_path, u.id, r.id",
            (campaign_id,),
        )
        for code, name, created, text in cursor:
            answers = loads(text)
            grade = answers.get("grade")
            chosen = answers.get("activities")
            ticked = (
                [yes_no[option in chosen] for option in options]
                if isinstance(chosen, list)
                else [None] * len(options)
            )
            written += 1
            sheet.write_row(
                written,
                0,
                [
                    code,
                    name,
                    None,
                    f"{grade} класс" if grade else None,
                    yes_no.get(answers.get("informed")),
                    answers.get("satisfaction"),
                    *ticked,
                    answers.get("events"),
                ],
            )
            sheet.write_datetime(written, 2, created.date(), dated)
    book.close()
    return time.perf_counter() - started, peak_since(base)


def export_in_child(
    which: str, url: str, campaign_id: int, coordinator_id: int
) -> tuple[float, float]:
    """(seconds, peak MB) of one export written in a process of its own."""
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.from_database",
            "--export",
            which,
            url,
            str(campaign_id),
            str(coordinator_id),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak = done.stdout.split()[-2:]
    return float(seconds), float(peak)


def exports_compared(
    url: str, campaign_id: int, coordinator_id: int, repeats: int
) -> tuple[float, float, float, float]:
    """The export job and the plain way, each written `repeats` times in turn (a slow
    spell of the machine falls on both): the best time of each, the most memory the job
    took and the least the plain way took. Each run starts from the same state: the job
    reads the snapshot the measurement before kept and writes nothing the next run
    reads."""
    jobs: list[tuple[float, float]] = []
    plains: list[tuple[float, float]] = []
    for _ in range(max(1, repeats)):
        jobs.append(export_in_child("product", url, campaign_id, coordinator_id))
        plains.append(export_in_child("plain", url, campaign_id, coordinator_id))
    return (
        min(seconds for seconds, _ in jobs),
        max(grown for _, grown in jobs),
        min(seconds for seconds, _ in plains),
        min(grown for _, grown in plains),
    )


def export_child(argv: list[str]) -> None:
    which, url, campaign_id, coordinator_id = argv
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/export.xlsx"
        if which == "product":
            seconds, grown = export_product(url, int(campaign_id), int(coordinator_id), path)
        else:
            seconds, grown = export_plain(url, int(campaign_id), path)
        print(f"{seconds:.3f} {grown:.1f}")


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def plain(url: str, campaign_id: int) -> dict[str, Any]:
    """The fastest plain way: COPY of the answers as typed columns, plain selects of the
    units and figures, pandas groupby sums."""
    engine = sa.create_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            copied = io.BytesIO()
            query = (
                "COPY (SELECT r.unit_id, x.grade, x.informed, x.satisfaction,"
                " x.activities::text, x.events FROM form_response r,"
                " json_to_record(r.answers) AS x(grade text, informed boolean,"
                " satisfaction float8, activities json, events float8)"
                f" WHERE r.campaign_id = {int(campaign_id)}) TO STDOUT WITH (FORMAT csv)"
            )
            with cursor.copy(query) as copy:
                for block in copy:
                    copied.write(block)
            copied.seek(0)
            answers = pd.read_csv(
                copied,
                names=["unit_id", "grade", "informed", "satisfaction", "activities", "events"],
                dtype={"unit_id": "int64", "grade": "object", "activities": "object"},
                true_values=["t"],
                false_values=["f"],
            )
            # The few distinct combinations of a multiple choice, decoded once each.
            lists = {text: json.loads(text) for text in answers["activities"].dropna().unique()}
            answers["activities"] = answers["activities"].map(lists).astype("object")
            answers["activities"] = answers["activities"].where(answers["activities"].notna(), None)
            answers["informed"] = answers["informed"].astype("boolean")
        finally:
            raw.close()
        with engine.connect() as conn:
            units = pd.read_sql(
                sa.text("SELECT id, path FROM org_unit WHERE unit_type = 'school'"),
                conn,
                index_col="id",
            )
            figures = pd.read_sql(
                sa.text("SELECT unit_id, figure, grade, value FROM reference_figure"), conn
            )
    finally:
        engine.dispose()
    parts = units["path"].str.strip("/").str.split("/", expand=True).astype("int64")
    unit_frame = pd.DataFrame(
        {"school": units.index.astype("int64"), "municipality": parts[1], "region": parts[0]},
        index=units.index.rename("unit_id"),
    )
    figures["value"] = figures["value"].astype("float64")
    return baseline(unit_frame, answers, figures)


def main() -> None:
    size = scale()
    with fresh_database() as (url, description):
        if not url.startswith("postgresql"):
            note("from_database: needs PostgreSQL (COPY), which does not answer: skipped", SCRIPT)
            return
        config = {
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
        campaign_id, coordinator_id, rows = seed(config, size.name)
        note(
            f"from_database ({size.name}): {rows:,} stored survey answers, {description}",
            SCRIPT,
        )
        measured, found = measure_product(config, campaign_id, coordinator_id)
        computed = found.computed
        done, expected = best_of(lambda: plain(url, campaign_id), size.repeats)
        check_same(computed, expected)
        report(
            f"database → all 9 indicators at all levels, {rows:,} stored answers"
            " (campaign_report vs COPY json_to_record + pandas groupby)",
            measured,
            done,
            goal=GOAL,
            script=SCRIPT,
        )
        note(f"from_database ({size.name}): peak memory {peak_rss_mb():,.0f} MB", SCRIPT)
        # The page's views are timed in this process, as a web worker serves them: not
        # beside the million answers read above, whose objects every collection of the
        # garbage collector would walk through.
        del found, computed, expected
        gc.collect()
        product_time, product_peak, plain_time, plain_peak = exports_compared(
            url, campaign_id, coordinator_id, size.repeats
        )
        report(
            f"survey export job, {rows:,} answers (the job's workbook vs database → raw"
            " XlsxWriter constant_memory, the same indicators and answers sheets)",
            product_time,
            plain_time,
            goal=EXPORT_GOAL,
            script=SCRIPT,
        )
        beyond = product_peak - plain_peak
        note(
            f"from_database: memory taken while exporting {product_peak:,.0f} MB, the plain"
            f" way {plain_peak:,.0f} MB: +{beyond:,.0f} MB (goal: at most +{EXPORT_MEMORY_GOAL_MB}"
            f" MB: {'met' if beyond <= EXPORT_MEMORY_GOAL_MB else 'missed'})",
            SCRIPT,
        )
        first, times = measure_page(config, campaign_id, coordinator_id)
        met = "met" if p95(times) * 1000 < PAGE_GOAL_MS else "missed"
        note(
            f"from_database: report page of {rows:,} answers, first view {first:.2f} s"
            f" (computed and kept), then p50 {1000 * statistics.median(times):.0f} ms,"
            f" p95 {1000 * p95(times):.0f} ms of {len(times)} views"
            f" (goal: p95 under {PAGE_GOAL_MS} ms: {met})",
            SCRIPT,
        )


if __name__ == "__main__":
    if "--export" in sys.argv:
        export_child(sys.argv[sys.argv.index("--export") + 1 :])
    else:
        main()
