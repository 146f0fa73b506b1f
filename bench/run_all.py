"""Run every benchmark in order and write docs/performance.md (`make bench`).

Each benchmark prints its own lines; the measures are also collected here and written,
with the date, the machine and how to reproduce them, into the section of
docs/performance.md for the scale just run (the other scale's section is kept).

    PYTHONPATH=. .venv/bin/python bench/run_all.py                  (SCALE=national too)
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import RESULTS_ENV, SCALES, Scale, figure_text, measure_of, scale

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
# In order; each writes its measures with bench.common.report (subtree.py's are read from
# its output). One not there yet is skipped.
SCRIPTS = (
    "subtree.py",
    "indicators.py",
    "from_database.py",
    "export.py",
    "submissions.py",
    "tables.py",
    "pages.py",
    "load.py",
)
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

HEADER = """# Performance

Measured by the benchmarks in `bench/` (issue 5). Every figure is set against a baseline
measured beside it, in the same run on the same machine, and the **ratio** says how many
times slower than its baseline it is (for rates: the baseline's rate over ours). A goal is
a highest ratio allowed.

## How to reproduce

    make bench                   # small: 4 regions, 115 municipalities, 2,000 schools,
                                 # 50,000 responses, 10,000 submissions under load;
                                 # about ten minutes on 2 cores
    SCALE=national make bench    # 85 regions, 2,300 municipalities, 40,000 schools,
                                 # 1,000,000 responses; 25 to 35 minutes on
                                 # 2 cores (the database's settings weigh)

Each run rewrites only its own scale's section below. PostgreSQL (127.0.0.1:5432, user
postgres) and Redis (127.0.0.1:6379) are used when they answer; otherwise the submissions
run on a temporary SQLite file with rate limits counted in memory. To see where the
indicator engine spends its time: `SCALE=national PYTHONPATH=. .venv/bin/python
bench/indicators.py --profile`.

## What is measured

- **Subtree read** (`bench/subtree.py`): one municipality's subtree read from a federal
  tree (~40,000 schools) against the same read from a regional tree (~400 units). Goal:
  below 1.5, the read does not grow with the whole tree.
- **Indicators** (`bench/indicators.py`): all 9 indicators of a parents' poll (shares,
  counts, means, a sum over a reference figure; yes/no, a 5-point rating, a multiple
  choice, a single choice, a number) and its response rate, at school, municipality and
  region, by a new `Engine(...).compute()` each run (nothing cached from an earlier one)
  against the same numbers the fastest plain pandas way: every term vectorised (the
  multiple choice exploded, no Python per response), summed per unit with one groupby
  and per level from the units' sums; the two are checked equal group by group. The
  synthetic answers are made directly as columns in the shape `answers_frame` gives.
  Goal: at most 2.0.
- **answers_frame** (informational, `bench/indicators.py`): up to 100,000 stored JSON
  answers turned into the engine's columns, against `pandas.DataFrame.from_records`
  building the same frame (checked equal).
- **Survey answers over HTTP** (`bench/submissions.py`): `POST /s/<token>` of the
  Collector under gunicorn on loopback against a minimal Flask endpoint under gunicorn
  with the same workers that reads the same fields and inserts the same `form_response`
  row with SQLAlchemy Core; the same concurrent clients post the same answers to both, and
  the rows stored are counted against the answers sent. The Collector keeps production's
  rate-limit windows (with amounts no run reaches). Goal: at most 2.0, the platform spends
  about as much again as a bare insert per answer, no more.
- **From the database** (`bench/from_database.py`, issue 22): the same survey with its
  answers stored in PostgreSQL as the platform stores them; `campaign_report` (the report
  page's and the indicators job's path: read, turn into columns, compute every indicator
  at every level) against `COPY … json_to_record(answers)` into pandas and the same bare
  groupby sums, checked equal. Goal: at most 2.0. After the load the seed runs `VACUUM
  ANALYZE`, as autovacuum does after so many inserts (the servers these run on may have
  autovacuum off). The same script times the export job of that survey against the same
  two long sheets written the plain way, each in a process of its own, in turn, as many
  times as the indicators (three at small scale, two at national): the best time of
  each, the most memory the job took and the least the plain way took (goals: at most
  1.3, and at most 50 MB beyond the plain way's memory). Then the survey's report page
  opened again after its figures are kept (goal: p95 under 500 ms), in a worker settled
  as gunicorn's are (`collector/serving.py`).
- **Export** (`bench/export.py`): the survey answers sheet of a consolidated XLSX export
  written by the Collector against raw XlsxWriter writing the same cells (goal: at most
  1.3; peak memory under 500 MB), and per row against `DataFrame.to_excel`.
- **Hostile spreadsheets** (`bench/tables.py`, issue 19): a workbook whose `<dimension>`
  claims A1:XFD3000 against the same workbook with its honest dimension (goal: at most 3),
  and one with a cell at row 1,048,576 (refused at the row limit); each also against the
  absolute goal of under a second and 100 MB.
- **Pages** (`bench/pages.py`, issues 21 and 22): in the demo as `make run` loads it, the
  Kaluga school's data-entry page (goal: p95 under 50 ms), the report pages of the
  largest campaign and of the Kaluga schools' campaign opened again (goal: p95 under
  300 ms), each against the same bytes answered by a plain route of the same app; server
  time through Flask's test client. Before them, the memory the export job's workbook of
  the demo's largest survey takes (goal: at most 50 MB).
- **Load and faults** (`bench/load.py`, issue 21): the tests of `tests/load` against
  gunicorn with two workers, an RQ worker, PostgreSQL and Redis, with 10,000 submissions
  (1,000 in CI): a burst before a deadline, `kill -9` of gunicorn mid-burst and a restart,
  the database cut off, Redis down, a job worker killed mid-export. Each prints sent,
  acknowledged, stored, lost and duplicated; anything lost or doubled fails the run.
"""


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def first_line(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as source:
            for line in source:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def postgres_version() -> str:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                return str(conn.execute(sa.text("SHOW server_version")).scalar_one())
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - not reachable: say so
        return "not reachable"


def machine() -> list[str]:
    memory = first_line("/proc/meminfo", "MemTotal")
    ram = f"{int(memory.split()[0]) / 1024**2:.1f} GiB" if memory else "unknown"
    cpu = first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown"
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; RAM: {ram}",
        f"OS: {platform.platform()}",
        f"Python {platform.python_version()}, pandas {version_of('pandas')},"
        f" numpy {version_of('numpy')}, SQLAlchemy {version_of('SQLAlchemy')},"
        f" Flask {version_of('Flask')}, gunicorn {version_of('gunicorn')}",
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres_version()}",
    ]


SUBTREE = re.compile(
    r"region tree \(~(?P<small>[\d,]+) units\):\s+(?P<regional>[\d.]+) µs.*?"
    r"federal tree \(~(?P<large>[\d,]+) units\):\s+(?P<federal>[\d.]+) µs.*?"
    r"goal: below (?P<goal>[\d.]+)",
    re.DOTALL,
)


def subtree_measure(output: str) -> dict[str, Any] | None:
    """bench/subtree.py prints its own lines; its measure is read back from them."""
    found = SUBTREE.search(output)
    if found is None:
        return None
    measure = measure_of(
        f"subtree of one municipality, federal tree (~{found['large']} units)"
        f" vs region tree (~{found['small']} units)",
        float(found["federal"]) / 1e6,
        float(found["regional"]) / 1e6,
        goal=float(found["goal"]),
        script="subtree",
    )
    return {"kind": "measure", **asdict(measure)}


def run(script: str, env: dict[str, str]) -> tuple[str, float, int]:
    """Run one benchmark, its output shown as it comes; (output, seconds, exit code)."""
    print(f"== bench/{script}", flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / script)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return "".join(lines), time.perf_counter() - start, process.wait()


def table(measures: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| Measure | Figure | Baseline | Ratio | Goal |",
        "| --- | --- | --- | ---: | --- |",
    ]
    for m in measures:
        goal = (
            "—" if m["goal"] is None else f"≤ {m['goal']:g}: **{'met' if m['met'] else 'missed'}**"
        )
        rows.append(
            f"| {m['name']} | {figure_text(m['measured'], m['unit'])}"
            f" | {figure_text(m['baseline'], m['unit'])} | {m['ratio']:.2f} | {goal} |"
        )
    return rows


def section(size: Scale, entries: list[dict[str, Any]], took: dict[str, float]) -> str:
    start, end = section_markers(size.name)
    timings = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took.items())
    lines = [
        start,
        f"## {size.name.capitalize()} scale",
        "",
        f"Run on {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} with `SCALE={size.name}`:"
        f" {size.regions:,} regions, {size.municipalities:,} municipalities,"
        f" {size.schools:,} schools, {size.responses:,} survey responses,"
        f" {size.submissions:,} answers over HTTP to each server."
        f" The whole run took {sum(took.values()):.0f} s ({timings}).",
        "",
        *(f"- {line}" for line in machine()),
        "",
        *table([e for e in entries if e["kind"] == "measure"]),
        "",
        *(f"- {e['line']}" for e in entries if e["kind"] == "note"),
        end,
    ]
    return "\n".join(lines)


def write_docs(size: Scale, new_section: str) -> None:
    old = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    parts = [HEADER.rstrip()]
    shown = [name for name in SCALES if name != "tiny"]
    for name in sorted(shown, key=lambda name: name != "national"):  # the country first
        if name == size.name:
            parts.append(new_section)
            continue
        start, end = section_markers(name)
        kept = re.search(re.escape(start) + r".*?" + re.escape(end), old, re.DOTALL)
        if kept:
            parts.append(kept.group(0))
        else:
            command = "make bench" if name == "small" else f"SCALE={name} make bench"
            parts.append(
                f"{start}\n## {name.capitalize()} scale\n\nNot run yet: `{command}`.\n{end}"
            )
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def main() -> None:
    size = scale()
    started = time.perf_counter()
    entries: list[dict[str, Any]] = []
    took: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.jsonl"
        env = {
            **os.environ,
            RESULTS_ENV: str(results),
            "SCALE": size.name,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        failed = []
        for script in SCRIPTS:
            if not (ROOT / "bench" / script).exists():
                print(f"== bench/{script}: not there, skipped", flush=True)
                continue
            output, took[script], code = run(script, env)
            if code != 0:
                failed.append(f"bench/{script} (exit {code})")
            elif script == "subtree.py":
                measure = subtree_measure(output)
                if measure is not None:
                    entries.append(measure)
                else:
                    entries += [{"kind": "note", "line": line} for line in output.splitlines()]
        if results.exists():
            with results.open(encoding="utf-8") as lines:
                entries += [json.loads(line) for line in lines]
    if failed:
        # A partial run would replace good figures: the docs are left as they were.
        raise SystemExit(f"== failed: {', '.join(failed)}; {DOCS.name} not written")
    if size.name == "tiny":
        print(
            f"== smoke run: every benchmark ran in {time.perf_counter() - started:.0f} s;"
            f" {DOCS.name} not written at this scale",
            flush=True,
        )
        return
    write_docs(size, section(size, entries, took))
    print(
        f"== wrote {DOCS.relative_to(ROOT)} ({size.name} scale);"
        f" all benchmarks took {time.perf_counter() - started:.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
