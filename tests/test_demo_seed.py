"""The demo region: Kaluga's 26 municipalities, about 300 schools, consistent figures, one
user per role; loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from collector.auth.services import authenticate
from collector.demo import kaluga
from collector.demo.figures import school_figures
from collector.demo.seed import DEMO_LOGINS, seed_demo
from collector.extensions import db
from collector.models import OrgUnit, ReferenceFigure, UnitType
from collector.units.catalog import part_violations


def count(unit_type: UnitType) -> int:
    return db.session.scalar(select(func.count()).where(OrgUnit.unit_type == unit_type)) or 0


def test_demo_region_and_idempotence(app):
    first = seed_demo(db.session)
    db.session.commit()
    assert count(UnitType.REGION) == 1
    assert count(UnitType.MUNICIPALITY) == 26
    assert 250 <= count(UnitType.SCHOOL) <= 350
    districts = db.session.scalar(
        select(func.count()).where(OrgUnit.name.like("Муниципальный район%"))
    )
    assert districts == 24
    assert {
        count(t) > 0
        for t in (
            UnitType.COLLEGE,
            UnitType.UNIVERSITY,
            UnitType.SUPPLEMENTARY,
            UnitType.KINDERGARTEN,
        )
    } == {True}
    figures = db.session.scalar(select(func.count()).select_from(ReferenceFigure))

    second = seed_demo(db.session)
    db.session.commit()
    assert first.created_anything and not second.created_anything
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == first.units_created
    assert db.session.scalar(select(func.count()).select_from(ReferenceFigure)) == figures


def test_every_school_hangs_under_a_municipality_with_a_right_path(app):
    seed_demo(db.session)
    db.session.commit()
    parent = aliased(OrgUnit)
    rows = db.session.execute(
        select(OrgUnit.path, OrgUnit.id, parent.path, parent.unit_type)
        .join(parent, parent.id == OrgUnit.parent_id)
        .where(OrgUnit.unit_type == UnitType.SCHOOL)
    ).all()
    assert rows and all(p_type == "municipality" for *_, p_type in rows)
    assert all(path == f"{p_path}{unit_id}/" for path, unit_id, p_path, _ in rows)


def test_parts_never_exceed_totals_in_any_school(app):
    seed_demo(db.session)
    db.session.commit()
    rows = db.session.execute(
        select(
            ReferenceFigure.unit_id,
            ReferenceFigure.figure,
            ReferenceFigure.grade,
            ReferenceFigure.value,
        )
    )
    by_unit: dict[int, dict[tuple[str, int], int]] = {}
    for unit_id, figure, grade, value in rows:
        by_unit.setdefault(unit_id, {})[(figure, grade)] = value
    assert len(by_unit) == count(UnitType.SCHOOL)
    assert {unit: part_violations(v) for unit, v in by_unit.items() if part_violations(v)} == {}


def test_stored_figures_are_the_generated_ones(app):
    seed_demo(db.session)
    db.session.commit()
    expected = sum(
        value
        for school in kaluga.all_schools()
        for (figure, _grade), value in school_figures(school).items()
        if figure == "pupils"
    )
    stored = db.session.scalar(
        select(func.sum(ReferenceFigure.value)).where(ReferenceFigure.figure == "pupils")
    )
    assert stored == expected
    # Deterministic: generating again gives the same numbers.
    again = kaluga.all_schools()[10]
    assert school_figures(again) == school_figures(again)


def test_demo_users_log_in_with_their_roles(app):
    seed_demo(db.session)
    db.session.commit()
    for login in DEMO_LOGINS:
        user = authenticate(db.session, login.username, login.password)
        assert user is not None, login.username
        assert [(r.role, r.unit.code if r.unit else None) for r in user.roles] == [
            (login.role.value, login.unit_code)
        ]


def test_seed_demo_command_prints_logins_and_respects_if_empty(app, make_unit):
    runner = app.test_cli_runner()
    make_unit(UnitType.REGION, code="OTHER")
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in skipped.output
    assert count(UnitType.SCHOOL) == 0
    loaded = runner.invoke(args=["seed-demo"])
    assert loaded.exit_code == 0 and "demo-admin-2026" in loaded.output
