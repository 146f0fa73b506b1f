"""A report's units are read a part at a time as views ask for them (issue 22): a
region's page reads the groups, not every school."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sqlalchemy as sa

from collector.extensions import db
from collector.indicators.frame import units_frame
from collector.models import OrgUnit
from collector.models.units import UnitRecord
from collector.reports import units as report_units
from collector.reports.services import places
from collector.reports.units import ReportUnits


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = db.session().connection().engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _units(tree: dict[str, OrgUnit], scope: OrgUnit) -> ReportUnits:
    schools = [tree[k] for k in ("school_a1", "school_a2", "school_b1", "school_b2")]
    frame = units_frame(places(db.session(), schools)[0])
    return ReportUnits(db.session(), frame, [scope.path])


def test_the_groups_then_one_groups_schools(tree: dict[str, OrgUnit]) -> None:
    units = _units(tree, tree["region"])
    # Read before counting (the tree's units are expired after their commits).
    record = {k: UnitRecord.of(u) for k, u in tree.items()}
    with counted_queries() as queries:
        assert units[record["mun_a"].id] == record["mun_a"]
        assert units[record["region"].id] == record["region"]
        assert units.get(record["mun_b"].id) == record["mun_b"]
    assert len(queries) == 1  # the groups: one read
    with counted_queries() as queries:
        assert units[record["school_a2"].id] == record["school_a2"]
        assert units[record["school_a1"].id].name == "МКОУ «СОШ № 1»"
    assert len(queries) == 1  # the schools of one municipality: one more
    with counted_queries() as queries:
        assert record["other_school"].id not in units  # not referred to: nothing read
        assert units.get(record["other_region"].id) is None
    assert queries == []
    with counted_queries() as queries:
        assert dict(units) == {
            record[k].id: record[k]
            for k in ("region", "mun_a", "mun_b", "school_a1", "school_a2", "school_b1")
            + ("school_b2",)
        }
        assert len(units) == 7
    assert len(queries) == 1  # the rest at once


def test_units_outside_the_scopes_are_not_read(tree: dict[str, OrgUnit]) -> None:
    units = _units(tree, tree["mun_a"])
    assert units.get(tree["school_a1"].id) == UnitRecord.of(tree["school_a1"])
    assert units.get(tree["region"].id) == UnitRecord.of(tree["region"])  # above the scope
    assert units.get(tree["school_b1"].id) is None
    assert units.get(tree["mun_b"].id) is None
    assert len(units) == 4  # the region, mun_a and its two schools


def test_past_a_few_parts_the_rest_are_read_at_once(tree: dict[str, OrgUnit], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(report_units, "PARTS_ONE_AT_A_TIME", 1)
    units = _units(tree, tree["region"])
    ids = {k: u.id for k, u in tree.items()}
    with counted_queries() as queries:
        units[ids["school_a1"]]  # one part
        units[ids["school_b1"]]  # the second: everything
        units[ids["mun_b"]]
        units[ids["school_b2"]]
    assert len(queries) == 2


def test_records_given_read_nothing(tree: dict[str, OrgUnit]) -> None:
    schools = [tree["school_a1"]]
    unit_places, known = places(db.session(), schools)
    records = {i: UnitRecord.of(u) for i, u in known.items()}
    units = ReportUnits(db.session(), units_frame(unit_places), [tree["region"].path], records)
    with counted_queries() as queries:
        assert dict(units) == records
    assert queries == []


def test_numpy_ids_are_found_as_a_dict_finds_them(tree: dict[str, OrgUnit]) -> None:
    units = _units(tree, tree["region"])
    school = np.int64(tree["school_b1"].id)
    assert school in units
    assert units.get(school) == UnitRecord.of(tree["school_b1"])  # type: ignore[call-overload]
    assert np.int64(tree["other_school"].id) not in units


def test_a_unit_no_longer_under_its_group_is_read_with_the_rest(tree: dict[str, OrgUnit]) -> None:
    """A kept snapshot's school moved since (its group's part no longer has it): the
    part's miss reads every unit, even when that part was the last one unread."""
    units = _units(tree, tree["region"])
    ids = {k: u.id for k, u in tree.items()}
    assert units[ids["region"]] is not None  # the groups' part
    assert units[ids["school_b1"]] is not None  # mun_b's part
    db.session.execute(
        sa.update(OrgUnit).where(OrgUnit.id == ids["school_a1"]).values(parent_id=ids["mun_b"])
    )
    assert units[ids["school_a1"]].id == ids["school_a1"]  # mun_a's part, the last


def test_a_municipalitys_schools_are_read_without_the_others(app, tree, people, campaign) -> None:  # type: ignore[no-untyped-def]
    """A kept report's values within one municipality read that municipality's schools
    only (Report._groups_of): not every school's record."""
    from collector.reports.services import Basis, campaign_report

    ids = {k: u.id for k, u in tree.items()}
    mun_a = db.session.get_one(OrgUnit, ids["mun_a"])
    with app.test_request_context():
        campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)  # kept
        kept = campaign_report(db.session, people["region"], campaign, Basis.ACCEPTED)
        assert isinstance(kept.units, ReportUnits)
        indicator = next(i.id for i in kept.spec.computed_indicators if not i.levels)
        with counted_queries() as queries:
            schools = [v.group for v in kept.values_at(indicator, "school", mun_a)]
        assert schools == [ids["school_a1"], ids["school_a2"]]
        assert len(queries) == 1  # mun_a's schools: one part, nothing else
        with counted_queries() as queries:
            assert kept.units.get(ids["school_b1"]) is not None  # mun_b's part: read now
        assert len(queries) == 1
