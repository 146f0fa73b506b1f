"""The org tree keeps materialised paths right, and subtree queries use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collector.extensions import db
from collector.models import OrgUnit, UnitType
from collector.models.units import subtree_clause
from collector.units.tree import TreeError, ancestors, effective_timezone, move_unit


def codes(clause) -> set[str]:  # type: ignore[no-untyped-def]
    return set(db.session.scalars(select(OrgUnit.code).where(clause)))


def test_paths_follow_parents(tree):
    school = tree["school_a1"]
    assert school.path == f"/{tree['region'].id}/{tree['mun_a'].id}/{school.id}/"
    assert school.depth == 2
    assert [u.code for u in ancestors(db.session, school)] == ["R1", "M-A"]


def test_subtree_selects_exactly_the_descendants(tree):
    assert codes(subtree_clause(tree["mun_a"].path)) == {"M-A", "S-A1", "S-A2"}
    assert codes(subtree_clause(tree["mun_a"].path, include_self=False)) == {"S-A1", "S-A2"}
    assert codes(subtree_clause(tree["region"].path)) == {
        "R1",
        "M-A",
        "M-B",
        "S-A1",
        "S-A2",
        "S-B1",
        "S-B2",
    }


def test_subtree_does_not_catch_ids_with_the_same_prefix(make_unit):
    # Unit 1 must not select unit 12 or 13 just because "/1" starts "/12".
    region = make_unit(UnitType.REGION, code="R")
    units = [make_unit(UnitType.MUNICIPALITY, region, code=f"M{i}") for i in range(12)]
    first = units[0]
    lookalikes = [u for u in units if str(u.id).startswith(str(first.id)) and u is not first]
    selected = codes(subtree_clause(first.path))
    assert selected == {first.code}
    assert all(u.code not in selected for u in lookalikes)


def test_move_rewrites_the_whole_subtree(tree):
    move_unit(db.session, tree["mun_a"], tree["other_region"])
    db.session.commit()
    school = db.session.get(OrgUnit, tree["school_a1"].id)
    assert school is not None
    assert school.path.startswith(tree["other_region"].path)
    assert school.depth == 2
    assert codes(subtree_clause(tree["other_region"].path)) == {"R2", "S-X", "M-A", "S-A1", "S-A2"}


def test_move_below_itself_is_refused(tree):
    with pytest.raises(TreeError):
        move_unit(db.session, tree["region"], tree["school_a1"])


def test_school_cannot_hang_under_a_school(tree):
    with pytest.raises(TreeError):
        move_unit(db.session, tree["school_a2"], tree["school_a1"])


def test_time_zone_is_inherited(make_unit):
    region = make_unit(UnitType.REGION, timezone="Asia/Tomsk")
    school = make_unit(UnitType.SCHOOL, region)
    assert effective_timezone(db.session, school, "Europe/Moscow") == "Asia/Tomsk"
