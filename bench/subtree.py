"""Subtree reads must not grow with the size of the whole tree.

Builds a Kaluga-sized tree (26 municipalities, ~300 schools) and a federal-sized one
(2,300 municipalities, ~40,000 schools) in SQLite files, then times reading one
municipality's subtree (15 schools) in each. Prints the ratio federal / regional, measured
in the same run: near 1 means the cost does not depend on the size of the whole tree.

    .venv/bin/python bench/subtree.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import Engine

from collector.models import Base, OrgUnit
from collector.models.units import fill_sort_paths, subtree_clause

SCHOOLS_PER_MUNICIPALITY = 15
REPEATS = 2000


def build(path: Path, municipalities: int) -> tuple[Engine, str]:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    rows = [
        dict(
            id=1,
            parent_id=None,
            unit_type="region",
            code="R",
            name="Регион",
            path="/1/",
            depth=0,
            is_active=True,
        )
    ]
    next_id = 2
    for m in range(municipalities):
        mid = next_id
        next_id += 1
        rows.append(
            dict(
                id=mid,
                parent_id=1,
                unit_type="municipality",
                code=f"M{m}",
                name=f"Муниципалитет {m}",
                path=f"/1/{mid}/",
                depth=1,
                is_active=True,
            )
        )
        for s in range(SCHOOLS_PER_MUNICIPALITY):
            rows.append(
                dict(
                    id=next_id,
                    parent_id=mid,
                    unit_type="school",
                    code=f"S{m}-{s}",
                    name=f"Школа {s}",
                    path=f"/1/{mid}/{next_id}/",
                    depth=2,
                    is_active=True,
                )
            )
            next_id += 1
    fill_sort_paths(rows)
    with engine.begin() as conn:
        conn.execute(insert(OrgUnit), rows)
    # A municipality in the middle of the tree.
    middle = rows[len(rows) // 2]
    target = (
        middle["path"]
        if middle["unit_type"] == "municipality"
        else middle["path"].rsplit("/", 2)[0] + "/"
    )
    return engine, target


def time_subtree(engine: Engine, path: str) -> float:
    query = select(OrgUnit.id, OrgUnit.name).where(subtree_clause(path))
    with engine.connect() as conn:
        count = len(conn.execute(query).all())
        assert count == SCHOOLS_PER_MUNICIPALITY + 1, count
        start = time.perf_counter()
        for _ in range(REPEATS):
            conn.execute(query).all()
        return (time.perf_counter() - start) / REPEATS


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        small, small_path = build(Path(folder) / "region.sqlite", 26)
        large, large_path = build(Path(folder) / "federal.sqlite", 2300)
        baseline = time_subtree(small, small_path)
        federal = time_subtree(large, large_path)
    print(
        f"subtree of one municipality, region tree (~{26 * 16} units):   {baseline * 1e6:8.1f} µs"
    )
    print(
        f"subtree of one municipality, federal tree (~{2300 * 16} units): {federal * 1e6:8.1f} µs"
    )
    print(f"ratio federal / region: {federal / baseline:.2f}  (goal: below 1.5)")


if __name__ == "__main__":
    main()
