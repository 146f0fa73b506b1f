"""Load and faults against the production setup (issue 21): the tests of tests/load, run
at the benchmark's size, their figures kept for docs/performance.md.

gunicorn with two workers, an RQ worker, PostgreSQL and Redis, as `make test` runs them
at CI's size: a burst of survey answers and unit-report submits from 16 clients just
before a deadline; `kill -9` of gunicorn mid-burst and a restart, clients retrying as a
browser would; the database cut and back; Redis down; a job worker killed mid-export.
Each prints sent, acknowledged, stored, lost and duplicated; a lost or doubled answer
fails its test, and so this benchmark.

    PYTHONPATH=. .venv/bin/python bench/load.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.common import note, scale

SCRIPT = "load"
ROOT = Path(__file__).resolve().parent.parent
# Answers in the burst (four survey answers to one unit-report submit): the 10,000
# at full size; CI's size in the smoke run, which is how `make test` runs these tests.
SUBMISSIONS = {"tiny": 1_000, "small": 10_000, "national": 10_000}


# A figure line: indented, perhaps after pytest's progress marks on the same line.
FIGURE = re.compile(r"^[.sFExX]*(  \S.*)$")


def figure_lines(output: str) -> list[str]:
    """What the load tests print of their runs: each title line, then its indented
    figures."""
    kept: list[str] = []
    title = ""
    for line in output.splitlines():
        found = FIGURE.match(line.rstrip())
        if found:
            if title:
                kept.append(title)
                title = ""
            kept.append("  " + found.group(1).strip())
        elif line.strip():
            title = line.strip()
    return kept


def main() -> None:
    size = scale()
    count = SUBMISSIONS[size.name]
    command = [
        *(sys.executable, "-m", "pytest", "-m", "load", "-s", "-q"),
        *("-p", "no:cacheprovider", str(ROOT / "tests" / "load")),
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "LOAD_SUBMISSIONS": str(count)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stdout.write(done.stdout[-5000:])
        raise SystemExit(f"load: tests/load failed (pytest exit {done.returncode})")
    figures = figure_lines(done.stdout)
    if not figures:
        # Skipped (no PostgreSQL or Redis here): nothing was measured, and saying nothing
        # would leave the docs without the figures.
        sys.stdout.write(done.stdout[-2000:])
        raise SystemExit("load: the load tests measured nothing (skipped?)")
    note(f"load and faults (tests/load, {count:,} submissions in the burst):", SCRIPT)
    for line in figures:
        note(f"  {line.strip()}", SCRIPT)


if __name__ == "__main__":
    main()
