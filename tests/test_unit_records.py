"""Light unit records for reports (issue 22): read by subtree and the ids above it, equal
column for column to the units they stand for."""

from __future__ import annotations

from collector.extensions import db
from collector.models import OrgUnit
from collector.models.units import UnitRecord, in_tree_order, tree_key, unit_records


def test_records_of_ids_within_a_scope_and_above_it(tree: dict[str, OrgUnit]) -> None:
    mun_a = tree["mun_a"]
    wanted = [
        tree["region"].id,  # above the scope: asked for by its id
        mun_a.id,
        tree["school_a1"].id,
        tree["school_b1"].id,  # outside the scope: not read
        tree["other_school"].id,  # another region: not read
    ]
    found = unit_records(db.session(), wanted, [mun_a.path])
    assert set(found) == {tree["region"].id, mun_a.id, tree["school_a1"].id}
    school = tree["school_a1"]
    assert found[school.id] == UnitRecord(
        school.id,
        "S-A1",
        "МКОУ «СОШ № 1»",
        school.short_name,
        "school",
        school.school_type,
        school.path,
        school.sort_path,
    )
    assert found[school.id] == UnitRecord.of(school)
    assert tree_key(found[school.id]) == tree_key(school)


def test_no_ids_or_no_scopes_read_nothing(tree: dict[str, OrgUnit]) -> None:
    assert unit_records(db.session(), [], [tree["region"].path]) == {}
    assert unit_records(db.session(), [tree["region"].id], []) == {}


def test_records_sort_in_the_trees_order_like_units(tree: dict[str, OrgUnit]) -> None:
    units = [tree[k] for k in ("school_b2", "mun_b", "school_a2", "region", "school_a1")]
    records = [UnitRecord.of(u) for u in units]
    assert [r.id for r in in_tree_order(records)] == [u.id for u in in_tree_order(units)]
