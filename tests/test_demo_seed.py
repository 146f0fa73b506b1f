"""The Kaluga demo: the tree it builds, its figures, its users, and that loading it twice
changes nothing."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from collector.auth.services import authenticate, password_problem
from collector.demo import kaluga
from collector.demo.seed import DEMO_LOGINS, DEMO_SCHOOL_CODE, SeedResult, seed_demo
from collector.extensions import db
from collector.models import AuditEvent, OrgUnit, ReferenceFigure, RoleAssignment, User
from collector.units.catalog import FIGURE_COLUMNS, column_name, part_violations
from collector.units.services import current_academic_year
from tests.conftest import password_hash

DISTRICTS = (
    "Бабынинский Барятинский Боровский Дзержинский Думиничский Жиздринский Жуковский "
    "Износковский Кировский Козельский Куйбышевский Людиновский Малоярославецкий Медынский "
    "Мещовский Мосальский Перемышльский Спас-Деменский Сухиничский Тарусский Ульяновский "
    "Ферзиковский Хвастовичский Юхновский"
).split()


@pytest.fixture(autouse=True)
def cached_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo users' scrypt hashes are real, but made once per session, not per test.
    monkeypatch.setattr("collector.models.users.generate_password_hash", password_hash)


def seed(year: int | None = None) -> SeedResult:
    result = seed_demo(db.session, year)
    db.session.commit()
    return result


def count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def units_by_type() -> dict[str, int]:
    rows = db.session.execute(select(OrgUnit.unit_type, func.count()).group_by(OrgUnit.unit_type))
    return {unit_type: n for unit_type, n in rows}


def test_builds_the_region_tree_with_right_paths(app):
    seed()
    by_type = units_by_type()
    assert by_type["region"] == 1
    assert by_type["municipality"] == 26
    assert 250 <= by_type["school"] <= 350
    assert {t: by_type.get(t) for t in ("college", "university", "supplementary")} == {
        "college": 2,
        "university": 1,
        "supplementary": 2,
    }
    assert by_type["kindergarten"] == 1
    names = set(db.session.scalars(select(OrgUnit.name).where(OrgUnit.unit_type == "municipality")))
    assert names == {f"Муниципальный район «{d} район»" for d in DISTRICTS} | {
        "Городской округ «Город Калуга»",
        "Городской округ «Город Обнинск»",
    }
    region = db.session.scalar(select(OrgUnit).where(OrgUnit.unit_type == "region"))
    assert (region.name, region.timezone) == ("Калужская область", "Europe/Moscow")
    parent = aliased(OrgUnit)
    misplaced = db.session.scalar(
        select(func.count())
        .select_from(OrgUnit)
        .outerjoin(parent, OrgUnit.parent_id == parent.id)
        .where(OrgUnit.unit_type == "school")
        .where((parent.id.is_(None)) | (parent.unit_type != "municipality"))
    )
    assert misplaced == 0
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    for unit in units.values():
        assert unit.path.endswith(f"/{unit.id}/")
        if unit.parent_id is None:
            assert (unit.path, unit.depth) == (f"/{unit.id}/", 0)
        else:
            up = units[unit.parent_id]
            assert unit.path == f"{up.path}{unit.id}/"
            assert unit.depth == up.depth + 1


def test_running_twice_adds_nothing(app):
    first = seed()
    tables = (OrgUnit, ReferenceFigure, User, RoleAssignment)
    before = [count(model) for model in tables]
    second = seed()
    assert [count(model) for model in tables] == before
    assert first.units_created == before[0] and first.figures_created == before[1]
    assert first.users_created == len(DEMO_LOGINS) == before[2]
    assert not second.created_anything
    assert (second.units_present, second.figures_present, second.users_present) == (
        first.units_created,
        first.figures_created,
        first.users_created,
    )
    # Only the run that changed something leaves an audit record.
    assert count(AuditEvent, AuditEvent.action == "demo.seed") == 1

    # A school without figures gets them again, the others are left alone.
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == DEMO_SCHOOL_CODE))
    db.session.execute(delete(ReferenceFigure).where(ReferenceFigure.unit_id == school.id))
    db.session.commit()
    third = seed()
    generated = next(s for s in kaluga.demo_schools() if s.code == DEMO_SCHOOL_CODE)
    assert third.figures_created == len(kaluga.school_figures(generated))
    assert (third.units_created, third.users_created) == (0, 0)
    assert count(ReferenceFigure) == before[1]

    # Another academic year is a set of its own: figures only.
    other_year = seed(current_academic_year() - 1)
    assert (other_year.units_created, other_year.users_created) == (0, 0)
    assert other_year.figures_created == before[1]


def test_figures_are_consistent_over_every_row(app):
    seed()
    part, total = aliased(ReferenceFigure), aliased(ReferenceFigure)
    parts = part.figure.in_(("pupils_ovz", "pupils_disabled", "graduates"))
    joined = (
        select(func.count())
        .select_from(part)
        .join(
            total,
            (total.unit_id == part.unit_id)
            & (total.academic_year == part.academic_year)
            & (total.grade == part.grade)
            & (total.figure == "pupils"),
        )
        .where(parts)
    )
    # Every part has its pupils row (no graduates of a grade the school lacks) ...
    assert db.session.scalar(joined) == count(part, parts) > 0
    # ... and never exceeds it.
    assert db.session.scalar(joined.where(part.value > total.value)) == 0
    assert set(
        db.session.scalars(
            select(ReferenceFigure.grade).where(ReferenceFigure.figure == "graduates")
        )
    ) == {9, 11}
    assert count(ReferenceFigure, ReferenceFigure.academic_year != current_academic_year()) == 0
    with_figures = select(ReferenceFigure.unit_id).distinct()
    assert count(OrgUnit, OrgUnit.unit_type == "school", OrgUnit.id.not_in(with_figures)) == 0
    assert count(OrgUnit, OrgUnit.unit_type != "school", OrgUnit.id.in_(with_figures)) == 0
    # What was stored is what the pure generator gives: same rows, same total of pupils.
    expected = [kaluga.school_figures(s) for s in kaluga.demo_schools()]
    pupils = db.session.scalar(
        select(func.sum(ReferenceFigure.value)).where(ReferenceFigure.figure == "pupils")
    )
    assert pupils == sum(v for f in expected for (key, _g), v in f.items() if key == "pupils")
    assert count(ReferenceFigure) == sum(len(f) for f in expected)


def test_demo_users_log_in_with_their_roles(app):
    seed()
    for login in DEMO_LOGINS:
        assert password_problem(login.password, login.username) is None
        user = authenticate(db.session, login.username, login.password)
        assert user is not None, login.username
        assert user.full_name == login.full_name
        assert [(r.role, r.unit.code if r.unit else None) for r in user.roles] == [
            (login.role.value, login.unit_code)
        ]
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == DEMO_SCHOOL_CODE))
    assert (school.short_name, school.parent.code) == ("СОШ № 5", kaluga.KALUGA.code)


def test_the_generator_is_pure_and_plausible():
    random.seed(1)
    schools = kaluga.demo_schools()
    figures = [kaluga.school_figures(s) for s in schools]
    random.seed(2)  # the global generator plays no part
    assert kaluga.demo_schools() == schools
    assert [kaluga.school_figures(s) for s in schools] == figures
    codes = [s.code for s in schools] + [m.code for m in kaluga.MUNICIPALITIES]
    codes += [u.code for u in kaluga.OTHER_UNITS] + [kaluga.REGION_CODE]
    assert len(set(codes)) == len(codes) and max(map(len, codes)) <= 64
    for school, values in zip(schools, figures, strict=True):
        assert part_violations(values) == []
        assert {column_name(f, g) for f, g in values} <= set(FIGURE_COLUMNS)
        grades = {g for f, g in values if f == "pupils"}
        assert grades == set(kaluga.GRADES[school.level]), school.code
        staff = {f: v for (f, g), v in values.items() if g == 0}
        teachers = sum(
            v for f, v in staff.items() if f.startswith("teachers_") and f != "teachers_total"
        )
        assert staff["teachers_total"] >= teachers + staff["psychologists"], school.code
        assert staff["class_teachers"] >= 1 and staff["teachers_primary"] >= 1
        assert 0 <= staff["psychologists"] <= 2


def test_seed_demo_command_prints_logins_and_respects_if_empty(app, make_unit):
    runner = app.test_cli_runner()
    make_unit("region", code="OTHER")
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in skipped.output
    assert count(OrgUnit, OrgUnit.unit_type == "school") == 0
    loaded = runner.invoke(args=["seed-demo"])
    assert loaded.exit_code == 0, loaded.output
    assert all(login.password in loaded.output for login in DEMO_LOGINS)


def test_the_demo_campaigns_run_with_reports_that_pass_their_checks(app):
    """With the Kaluga forms published, the demo opens the school and municipal
    campaigns with reports in every state; what is submitted passes the form's rules."""
    from pathlib import Path

    from collector.campaigns.completeness import DONE
    from collector.entry.services import problems, spec_of
    from collector.models import Campaign, FormResponse
    from collector.publishing.services import publish
    from collector.schema import compile_text

    for name in ("kaluga-1829-school", "kaluga-1829-municipality"):
        text = (Path("form_schemas") / f"{name}.json").read_text(encoding="utf-8")
        publish(db.session, compile_text(text), None)
    db.session.commit()
    result = seed()
    assert result.campaigns_created == 2
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.id)))
    assert [c.state for c in campaigns] == ["open", "open"]
    schools = units_by_type()["school"]
    municipalities = units_by_type()["municipality"]
    responses = list(db.session.scalars(select(FormResponse)))
    assert len(responses) == schools + municipalities
    states = {r.status for r in responses if r.campaign_id == campaigns[0].id}
    assert states == {"not_started", "draft", "submitted", "returned", "resubmitted", "accepted"}
    for response in responses:
        if response.status in DONE:
            assert (
                problems(spec_of(response.form_version), response.answers, for_submission=True)
                == []
            )
        if response.status == "returned":
            assert response.review_comment
    demo_school = next(r for r in responses if r.unit.code == DEMO_SCHOOL_CODE)
    assert demo_school.status == "not_started"
    assert all(
        u.contact_email
        for u in db.session.scalars(select(OrgUnit).where(OrgUnit.unit_type == "school"))
    )
    again = seed()
    assert again.campaigns_created == 0 and count(FormResponse) == len(responses)
