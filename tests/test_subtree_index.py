"""A subtree is read through the path index, so its cost does not grow with the whole tree."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from collector.extensions import db
from collector.models import OrgUnit, UnitType
from collector.models.units import subtree_clause


def plan(query) -> str:  # type: ignore[no-untyped-def]
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            return "\n".join(str(row[-1]) for row in rows)
        # On a tiny table PostgreSQL rightly prefers a scan; forbid it to see that the
        # index can serve the range at all.
        conn.execute(text("SET enable_seqscan = off"))
        return "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {compiled}")))


# The plan is asked on a connection of its own, which must see the units made for it.
@pytest.mark.committed
def test_subtree_query_uses_the_path_index(make_unit):
    region = make_unit(UnitType.REGION)
    municipality = make_unit(UnitType.MUNICIPALITY, region)
    make_unit(UnitType.SCHOOL, municipality)
    query = select(OrgUnit.id).where(subtree_clause(municipality.path))
    assert "ix_org_unit_path" in plan(query)
