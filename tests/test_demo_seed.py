"""The demo: the Kaluga region and the city-run systems of Tomsk, Omsk and Nevinnomyssk —
the trees it builds, their figures, users and campaigns, and that loading it twice changes
nothing."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from collector.auth.permissions import Action
from collector.auth.services import authenticate, can, password_problem
from collector.campaigns.services import visible_campaigns
from collector.extensions import db
from collector.models import (
    AuditEvent,
    Campaign,
    FormResponse,
    FormVersion,
    ImportBatch,
    ImportedRow,
    OrgUnit,
    ReferenceFigure,
    RoleAssignment,
    SurveyLink,
    User,
)
from collector.models.units import subtree_clause
from collector.publishing.services import publish
from collector.schema import SchemaError, compile_document, compile_text
from collector.unit_catalog import FIGURE_COLUMNS, SCHOOL_TYPES, column_name, part_violations
from collector.units.services import current_academic_year
from demo import kaluga, nevinnomyssk, omsk, tomsk
from demo.answers import UnitFacts, synthesise
from demo.seed import (
    DEMO_LOGINS,
    DEMO_SCHOOL_CODE,
    NEVINNOMYSSK_SCHOOL_CODE,
    OMSK_SCHOOL_CODE,
    TOMSK_SCHOOL_CODE,
    SeedResult,
    demo_figures,
    seed_demo,
)
from tests.conftest import password_hash

FORMS = Path(__file__).resolve().parents[1] / "form_schemas"
KALUGA_FORMS = ("kaluga-1829-school", "kaluga-1829-municipality")
CITY_FORMS = (
    "tomsk-2022-school-report",
    "tomsk-2022-teacher-needs",
    "tomsk-2022-parent-poll",
    "omsk-2023-school-report",
    "omsk-2023-city-report",
)

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


def by_code(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def units_by_type(root: str | None = None) -> dict[str, int]:
    """Units per type, in the subtree of the unit with code `root` (all when None)."""
    query = select(OrgUnit.unit_type, func.count()).group_by(OrgUnit.unit_type)
    if root is not None:
        query = query.where(subtree_clause(by_code(root).path))
    return {unit_type: n for unit_type, n in db.session.execute(query)}


def publish_forms(*form_ids: str) -> list[str]:
    """Publish the forms whose files exist and compile (the city forms may still be
    being written); return those published."""
    published = []
    for form_id in form_ids:
        path = FORMS / f"{form_id}.json"
        if not path.exists():
            continue
        try:
            compiled = compile_text(path.read_bytes())
        except SchemaError:
            continue
        publish(db.session, compiled, None)
        published.append(form_id)
    db.session.commit()
    return published


def test_builds_the_region_tree_with_right_paths(app):
    seed()
    assert units_by_type()["region"] == 4  # Kaluga's, Tomsk's, Omsk's and Nevinnomyssk's
    by_type = units_by_type(kaluga.REGION_CODE)
    assert by_type["region"] == 1
    assert by_type["municipality"] == 26
    assert 250 <= by_type["school"] <= 350
    assert {t: by_type.get(t) for t in ("college", "university", "supplementary")} == {
        "college": 2,
        "university": 1,
        "supplementary": 2,
    }
    assert by_type["kindergarten"] == 1
    region = by_code(kaluga.REGION_CODE)
    names = set(
        db.session.scalars(
            select(OrgUnit.name).where(
                OrgUnit.unit_type == "municipality", subtree_clause(region.path)
            )
        )
    )
    assert names == {f"Муниципальный район «{d} район»" for d in DISTRICTS} | {
        "Городской округ «Город Калуга»",
        "Городской округ «Город Обнинск»",
    }
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
    # Of the other units, only the city of Omsk has figures of its own (preschool).
    others = select(OrgUnit.code).where(OrgUnit.unit_type != "school", OrgUnit.id.in_(with_figures))
    assert list(db.session.scalars(others)) == [omsk.CITY_CODE]
    # What was stored is what the pure generators give: same rows, same total of pupils.
    expected = list(demo_figures().values())
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
    from collector.campaigns.completeness import DONE
    from collector.entry.services import problems
    from collector.publishing.versions import spec_of

    assert publish_forms(*KALUGA_FORMS) == list(KALUGA_FORMS)
    result = seed()
    # This year's school and municipal campaigns, and last year's school campaign (closed,
    # demo.cycle); the city forms are not published.
    assert result.campaigns_created == 3
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.id)))
    assert [c.state for c in campaigns] == ["open", "open", "closed"]
    schools = units_by_type(kaluga.REGION_CODE)["school"]
    municipalities = units_by_type(kaluga.REGION_CODE)["municipality"]
    responses = list(db.session.scalars(select(FormResponse)))
    assert len(responses) == 2 * schools + municipalities
    assert {r.status for r in responses if r.campaign_id == campaigns[2].id} == {"accepted"}
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
    demo_school = next(
        r for r in responses if r.unit.code == DEMO_SCHOOL_CODE and r.campaign_id == campaigns[0].id
    )
    assert demo_school.status == "not_started"
    assert all(
        u.contact_email and u.contact_phone
        for u in db.session.scalars(select(OrgUnit).where(OrgUnit.unit_type == "school"))
    )
    again = seed()
    assert again.campaigns_created == 0 and count(FormResponse) == len(responses)


# --- The cities of Tomsk and Omsk ---------------------------------------------------------


def school_types(city_code: str) -> Counter[str]:
    city = by_code(city_code)
    return Counter(
        db.session.scalars(
            select(OrgUnit.school_type).where(
                OrgUnit.unit_type == "school", subtree_clause(city.path)
            )
        )
    )


def city_figure(city_code: str, figure: str, *grades: int) -> int:
    city = by_code(city_code)
    query = (
        select(func.coalesce(func.sum(ReferenceFigure.value), 0))
        .join(OrgUnit, OrgUnit.id == ReferenceFigure.unit_id)
        .where(subtree_clause(city.path), ReferenceFigure.figure == figure)
    )
    if grades:
        query = query.where(ReferenceFigure.grade.between(grades[0], grades[-1]))
    return db.session.scalar(query) or 0


def test_tomsk_is_a_city_with_its_67_schools(app):
    """«Число муниципальных общеобразовательных учреждений - 67, из них гимназий - 9,
    лицеев - 8, школ-интернатов - 2»: a city (municipality) of a region of its own."""
    seed()
    city, region = by_code(tomsk.CITY_CODE), by_code(tomsk.REGION_CODE)
    assert (region.unit_type, region.name, region.parent_id) == ("region", "Томская область", None)
    assert (city.unit_type, city.parent_id, city.timezone) == (
        "municipality",
        region.id,
        "Asia/Tomsk",
    )
    assert city.short_name == "Город Томск"
    assert units_by_type(tomsk.REGION_CODE) == {"region": 1, "municipality": 1, "school": 67}
    assert school_types(tomsk.CITY_CODE) == {
        "gymnasium": 9,
        "lyceum": 8,
        "boarding": 2,
        "general": 48,
    }
    gymnasium = by_code(TOMSK_SCHOOL_CODE)
    assert (gymnasium.name, gymnasium.school_type) == ("МАОУ гимназия № 6 г. Томска", "gymnasium")
    # The senior level as the city's road map counts it: 2955–6421 pupils in grades 10–11.
    assert 2955 <= city_figure(tomsk.CITY_CODE, "pupils", 10, 11) <= 6421
    for figure in ("deputy_directors_uvr", "deputy_directors_vr", "teachers_history_social"):
        assert city_figure(tomsk.CITY_CODE, figure) > 0
    assert city_figure(tomsk.CITY_CODE, "pupils_aoop") == 0


def test_omsk_counts_its_adaptive_schools_and_boarding_schools_apart(app):
    seed()
    city = by_code(omsk.CITY_CODE)
    assert (city.unit_type, city.parent.name, city.timezone) == (
        "municipality",
        "Омская область",
        "Asia/Omsk",
    )
    types = school_types(omsk.CITY_CODE)
    assert 40 <= sum(types.values()) <= 60
    assert types["adaptive"] >= 2 and types["boarding"] >= 2
    assert set(types) <= set(SCHOOL_TYPES)
    # Pupils by adapted programmes: in the adaptive schools and boarding schools only,
    # each of which has some, up to grade 12 in some.
    rows = db.session.execute(
        select(OrgUnit.school_type, ReferenceFigure.grade, ReferenceFigure.value)
        .join(OrgUnit, OrgUnit.id == ReferenceFigure.unit_id)
        .where(ReferenceFigure.figure == "pupils_aoop")
    ).all()
    assert {t for t, _g, _v in rows} == {"adaptive", "boarding"}
    assert 12 in {g for _t, g, _v in rows}
    special = select(OrgUnit.id).where(
        subtree_clause(city.path), OrgUnit.school_type.in_(("adaptive", "boarding"))
    )
    with_aoop = select(ReferenceFigure.unit_id).where(
        ReferenceFigure.figure == "pupils_aoop", ReferenceFigure.value > 0
    )
    assert count(OrgUnit, OrgUnit.id.in_(special), OrgUnit.id.not_in(with_aoop)) == 0
    # Preschool children are the city's own figure.
    preschool = db.session.scalar(
        select(ReferenceFigure.value).where(
            ReferenceFigure.unit_id == city.id, ReferenceFigure.figure == "preschool_children"
        )
    )
    assert 25_000 <= preschool <= 35_000
    # Some schools stop at grade 9: the grades taught are read from the pupil figures.
    senior = select(ReferenceFigure.unit_id).where(
        ReferenceFigure.figure == "pupils", ReferenceFigure.grade >= 10
    )
    schools = (OrgUnit.unit_type == "school") & subtree_clause(city.path)
    assert count(OrgUnit, schools, OrgUnit.id.not_in(senior)) >= 3


def test_the_city_generators_are_pure_and_plausible():
    for city in (tomsk, omsk, nevinnomyssk):
        random.seed(1)
        schools = city.demo_schools()
        figures = [tomsk.school_figures(s, city.SEED) for s in schools]
        random.seed(2)
        assert city.demo_schools() == schools
        assert [tomsk.school_figures(s, city.SEED) for s in schools] == figures
        codes = [s.code for s in schools]
        assert len(set(codes)) == len(codes) and all(c.startswith(city.CITY_CODE) for c in codes)
        for school, values in zip(schools, figures, strict=True):
            assert part_violations(values) == [], school.code
            assert {column_name(f, g) for f, g in values} <= set(FIGURE_COLUMNS)
            assert {g for f, g in values if f == "pupils"} == set(school.grades)
            assert any(f == "pupils_aoop" for f, _g in values) == school.aoop
            staff = {f: v for (f, g), v in values.items() if g == 0}
            assert staff["deputy_directors"] == (
                staff["deputy_directors_uvr"] + staff["deputy_directors_vr"]
            ) + (1 if staff["deputy_directors"] >= 4 else 0)
    # No Kaluga code is taken by a city.
    kaluga_codes = {s.code for s in kaluga.demo_schools()}
    city_codes = [
        s.code for s in tomsk.demo_schools() + omsk.demo_schools() + nevinnomyssk.demo_schools()
    ]
    assert len(set(city_codes)) == len(city_codes) and not kaluga_codes & set(city_codes)


def test_the_city_campaigns_are_answered_when_their_forms_exist(app):
    """Each city form that exists and compiles gets its campaign, owned by the city:
    reports mostly in and passing their checks, tables imported for every declared
    import, survey answers spread over the schools, indicators that compute; loading the
    demo again adds nothing."""
    from collector.campaigns.completeness import DONE
    from collector.campaigns.imports import expected_units
    from collector.entry.services import problems
    from collector.publishing.versions import spec_of
    from collector.reports.services import Basis, campaign_report

    published = publish_forms(*CITY_FORMS)
    if not published:
        pytest.skip("none of the city forms exists yet")
    first = seed()
    # The teacher-needs survey has its year before too (demo.cycle_tomsk), closed.
    last_year = 1 if "tomsk-2022-teacher-needs" in published else 0
    assert first.campaigns_created == len(published) + last_year
    assert count(Campaign, Campaign.state == "closed") == last_year
    by_form = {
        c.form_version.form_id: c
        for c in db.session.scalars(
            select(Campaign).where(Campaign.state == "open").order_by(Campaign.id)
        )
    }
    assert set(by_form) == set(published)
    coordinators = {
        tomsk.CITY_CODE: authenticate(db.session, "tomsk", "demo-tomsk-2026"),
        omsk.CITY_CODE: authenticate(db.session, "omsk", "demo-omsk-2026"),
    }
    for form_id, campaign in by_form.items():
        city_code = tomsk.CITY_CODE if form_id.startswith("tomsk") else omsk.CITY_CODE
        assert campaign.owner_unit.code == city_code and campaign.state == "open"
        spec = spec_of(campaign.form_version)
        responses = list(
            db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
        )
        if spec.kind == "survey":
            links = count(SurveyLink, SurveyLink.campaign_id == campaign.id)
            assert links == school_types(city_code).total()
            assert len(responses) >= 200
            assert len({r.unit_id for r in responses}) >= 0.8 * links
            assert all(r.status == "submitted" and r.unit_report_key is None for r in responses)
            if spec.category_field:
                groups = Counter(r.answers.get(spec.category_field) for r in responses)
                assert None not in groups and len(groups) >= 3
        else:
            states = Counter(r.status for r in responses)
            assert len(responses) == len(expected_units(db.session, campaign))
            assert sum(states[s] for s in DONE) >= 0.5 * len(responses)
            if spec.unit_types == ("school",):
                assert states["not_started"] and states["draft"]
        for response in responses:
            if response.status in DONE:
                found = problems(spec, response.answers, for_submission=True)
                assert found == [], (form_id, response.unit.code, found)
        for imported in spec.imports:
            batch = db.session.scalar(
                select(ImportBatch).where(
                    ImportBatch.campaign_id == campaign.id,
                    ImportBatch.import_id == imported.id,
                    ImportBatch.is_current.is_(True),
                )
            )
            assert batch is not None, (form_id, imported.id)
            rows = list(
                db.session.scalars(select(ImportedRow).where(ImportedRow.batch_id == batch.id))
            )
            assert len(rows) == batch.row_count > 0
            columns = {c.id for c in imported.columns}
            required = {c.id for c in imported.columns if c.required}
            for row in rows:
                assert required <= set(row.data) <= columns, (imported.id, row.data)
        report = campaign_report(
            db.session, coordinators[city_code], campaign, Basis.SUBMITTED, stored=False
        )
        values = [report.value(i.id, campaign.owner_unit.id) for i in spec.indicators]
        assert any(v is not None and v.status == "ok" for v in values), form_id
        shares = [
            v.value
            for i, v in zip(spec.indicators, values, strict=True)
            if v is not None and v.value is not None and i.unit == "%"
        ]
        # Shares of a whole city are plausible: within 0–100, most of them well inside.
        assert all(0 <= s <= 100 for s in shares), form_id
        assert not shares or 15 <= statistics.median(shares) <= 90, (form_id, shares)
    # The demo logins' schools have their report to do.
    for code in (TOMSK_SCHOOL_CODE, OMSK_SCHOOL_CODE):
        statuses = db.session.scalars(
            select(FormResponse.status).where(
                FormResponse.unit_id == by_code(code).id, FormResponse.unit_report_key.is_not(None)
            )
        )
        assert set(statuses) <= {"not_started"}

    tables = (Campaign, FormResponse, ImportBatch, ImportedRow, SurveyLink, AuditEvent)
    before = [count(model) for model in tables]
    again = seed()
    assert not again.created_anything and again.campaigns_created == 0
    assert [count(model) for model in tables] == before


def test_a_city_coordinator_runs_the_city_and_sees_only_its_campaigns(app):
    publish_forms(*KALUGA_FORMS, *CITY_FORMS)
    seed()
    city = by_code(tomsk.CITY_CODE)
    coordinator = authenticate(db.session, "tomsk", "demo-tomsk-2026")
    # A coordinator bound to the city designs forms and runs campaigns in its subtree.
    assert [(r.role, r.unit.code) for r in coordinator.roles] == [
        ("regional_coordinator", tomsk.CITY_CODE)
    ]
    for action in (Action.RUN_CAMPAIGNS, Action.DESIGN_FORMS, Action.REVIEW_REPORTS):
        assert can(coordinator, action, city)
        assert not can(coordinator, action, by_code(kaluga.REGION_CODE))
        assert not can(coordinator, action, by_code(omsk.CITY_CODE))
    seen = {c.owner_unit.code for c in visible_campaigns(db.session, coordinator)}
    assert seen <= {tomsk.CITY_CODE}
    tomsk_campaigns = count(Campaign, Campaign.owner_unit_id == city.id)
    assert len(visible_campaigns(db.session, coordinator)) == tomsk_campaigns
    region = authenticate(db.session, "region", "demo-region-2026")
    assert {c.owner_unit.code for c in visible_campaigns(db.session, region)} <= {
        kaluga.REGION_CODE
    }
    school = authenticate(db.session, "tomsk-g6", "demo-tomsk-g6-2026")
    assert [(r.role, r.unit.code) for r in school.roles] == [
        ("school_respondent", TOMSK_SCHOOL_CODE)
    ]


def test_synthesised_counts_follow_the_unit_figures():
    """An indicator's count over a figure is a share of that figure (none where the unit
    has no such pupils); a part over another answer a share of it; presets are kept."""

    def integer(field_id: str) -> dict:
        return {"id": field_id, "type": "integer", "label": field_id, "min": 0}

    spec = compile_document(
        {
            "id": "demo-answers-test",
            "version": 1,
            "title": "Проверка",
            "kind": "unit_report",
            "respondents": {"unit_types": ["school"]},
            "source": {"document": "Тест"},
            "sections": [
                {
                    "id": "main",
                    "title": "Основное",
                    "fields": [
                        {"id": "has_senior", "type": "yes_no", "label": "10–11"},
                        integer("senior_diag"),
                        integer("projects"),
                        integer("career_projects"),
                        integer("aoop_trials"),
                    ],
                }
            ],
            "rules": [
                {
                    "id": "part",
                    "check": "career_projects <= projects",
                    "message": "Часть больше целого",
                }
            ],
            "indicators": [
                {"source": {"document": "Тест"}, **i}
                for i in (
                    {
                        "id": "diag",
                        "title": "Диагностика",
                        "formula": 'sum(senior_diag) / sum(figure("pupils", 10, 11)) * 100',
                    },
                    {
                        "id": "career",
                        "title": "Проекты",
                        "formula": "sum(career_projects) / sum(projects) * 100",
                    },
                    {
                        "id": "aoop",
                        "title": "АООП",
                        "formula": 'sum(aoop_trials) / sum_units(figure("pupils_aoop", 5, 9), '
                        'school_type("adaptive")) * 100',
                    },
                )
            ],
        }
    ).spec
    senior = UnitFacts({("pupils", 10): 200, ("pupils", 11): 100, ("pupils", 9): 50})
    basic = UnitFacts({("pupils", g): 60 for g in range(1, 10)})
    adaptive = UnitFacts({("pupils_aoop", g): 10 for g in range(5, 10)}, "adaptive")
    rng = random.Random(3)
    for _ in range(20):
        answers = synthesise(spec, rng, date(2026, 5, 1), unit=senior, preset={"has_senior": True})
        assert answers["has_senior"] is True
        assert 0.2 * 300 <= answers["senior_diag"] <= 0.9 * 300
        assert answers["career_projects"] <= answers["projects"]
        assert synthesise(spec, rng, unit=basic)["senior_diag"] == 0
        assert 10 <= synthesise(spec, rng, unit=adaptive)["aoop_trials"] <= 45


# --- The city of Nevinnomyssk -------------------------------------------------------------

NEVINNOMYSSK_FORMS = (
    "nevinnomyssk-2020-school-monitoring",
    "nevinnomyssk-2020-graduate-employment",
    "nevinnomyssk-2020-pupil-satisfaction",
    "nevinnomyssk-2020-parent-satisfaction",
)


def test_nevinnomyssk_is_a_city_of_its_schools_with_its_logins(app):
    """Order № 306 о/д: the city's department runs its monitoring; a city (municipality)
    of «Ставропольский край», the schools and their types as the module lists them."""
    seed()
    city, region = by_code(nevinnomyssk.CITY_CODE), by_code(nevinnomyssk.REGION_CODE)
    assert (region.unit_type, region.name, region.parent_id, region.timezone) == (
        "region",
        "Ставропольский край",
        None,
        "Europe/Moscow",
    )
    assert (city.unit_type, city.parent_id, city.name, city.timezone) == (
        "municipality",
        region.id,
        "Город Невинномысск",
        "Europe/Moscow",
    )
    schools = nevinnomyssk.demo_schools()
    assert 15 <= len(schools) <= 25
    assert units_by_type(nevinnomyssk.REGION_CODE) == {
        "region": 1,
        "municipality": 1,
        "school": len(schools),
    }
    types = school_types(nevinnomyssk.CITY_CODE)
    assert types == Counter(s.school_type for s in schools)
    assert set(types) <= set(SCHOOL_TYPES) and types["gymnasium"] and types["lyceum"]
    names = set(db.session.scalars(select(OrgUnit.name).where(OrgUnit.parent_id == city.id)))
    assert {s.name for s in schools} == names
    assert any("«Гимназия № 10 ЛИК»" in name for name in names)
    # The basic schools stop at grade 9: no pupils of grades 10–11.
    basic = [s for s in schools if max(s.grades) == 9]
    assert basic
    senior = select(ReferenceFigure.unit_id).where(
        ReferenceFigure.figure == "pupils", ReferenceFigure.grade >= 10
    )
    in_city = (OrgUnit.unit_type == "school") & subtree_clause(city.path)
    assert count(OrgUnit, in_city, OrgUnit.id.not_in(senior)) == len(basic)
    # The coordinator runs the city, and only the city; the school login answers.
    coordinator = authenticate(db.session, "nevinnomyssk", "demo-nevinnomyssk-2026")
    assert [(r.role, r.unit.code) for r in coordinator.roles] == [
        ("regional_coordinator", nevinnomyssk.CITY_CODE)
    ]
    for action in (Action.RUN_CAMPAIGNS, Action.DESIGN_FORMS, Action.REVIEW_REPORTS):
        assert can(coordinator, action, city)
        assert not can(coordinator, action, by_code(tomsk.CITY_CODE))
    school = authenticate(db.session, "nev-s1", "demo-nev-s1-2026")
    assert [(r.role, r.unit.code) for r in school.roles] == [
        ("school_respondent", NEVINNOMYSSK_SCHOOL_CODE)
    ]
    assert by_code(NEVINNOMYSSK_SCHOOL_CODE).name == "МБОУ гимназия № 9 г. Невинномысска"


def test_nevinnomyssk_campaigns_hold_consistent_answers(app):
    """The monitoring's events table and the graduates' destinations add up; reports
    in pass their checks; the school login's reports are left to do; the surveys are
    answered; loading again adds nothing."""
    from collector.campaigns.completeness import DONE
    from collector.entry.services import problems
    from collector.publishing.versions import spec_of

    published = publish_forms(*NEVINNOMYSSK_FORMS)
    if not published:
        pytest.skip("none of the Nevinnomyssk forms exists yet")
    seed()
    city = by_code(nevinnomyssk.CITY_CODE)
    campaigns = {
        c.form_version.form_id: c
        for c in db.session.scalars(select(Campaign).where(Campaign.owner_unit_id == city.id))
    }
    assert set(campaigns) == set(published)
    schools = len(nevinnomyssk.demo_schools())
    login_school = by_code(NEVINNOMYSSK_SCHOOL_CODE)
    pupils = {
        unit_id: value
        for unit_id, value in db.session.execute(
            select(ReferenceFigure.unit_id, func.sum(ReferenceFigure.value))
            .where(ReferenceFigure.figure == "pupils")
            .group_by(ReferenceFigure.unit_id)
        )
    }
    for form_id, campaign in campaigns.items():
        spec = spec_of(campaign.form_version)
        responses = list(
            db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
        )
        if spec.kind == "survey":
            assert count(SurveyLink, SurveyLink.campaign_id == campaign.id) == schools
            assert len(responses) >= 100
            assert all(r.status == "submitted" for r in responses)
            continue
        assert len(responses) == schools
        states = Counter(r.status for r in responses)
        assert sum(states[s] for s in DONE) >= 0.6 * schools, (form_id, states)
        assert states["not_started"] < schools / 3
        for response in responses:
            if response.status in DONE:
                found = problems(spec, response.answers, for_submission=True)
                assert found == [], (form_id, response.unit.code, found)
            if response.unit_id == login_school.id:
                assert response.status == "not_started"
            answers = response.answers
            if "responsible" in answers:  # the school's contact person, in the city's code
                person = answers["responsible"]
                assert person["full_name"] == response.unit.contact_name
                assert person["phone"] == response.unit.contact_phone
                assert person["phone"].startswith(f"+7 {nevinnomyssk.PHONE_CODE} ")
            for row in answers.get("events") or ():
                assert row["participants"] <= pupils[response.unit_id]
                assert max(row["ovz"], row["winners"]) <= row["participants"]
                assert row["ovz_winners"] <= min(row["ovz"], row["winners"])
            for grade in ("g9", "g11"):
                if f"{grade}_destination" in answers:
                    destinations = answers[f"{grade}_destination"].values()
                    assert sum(d["count"] for d in destinations) == answers[f"{grade}_total"]
        if form_id == "nevinnomyssk-2020-school-monitoring":
            answered = [r.answers for r in responses if r.status in DONE]
            assert sum(bool(a.get("events")) for a in answered) >= 0.8 * len(answered)
            assert sum(a["programme"] != "none" for a in answered) >= 0.6 * len(answered)
            assert sum(a["innovation_site"] for a in answered) < len(answered) / 2
    tables = (Campaign, FormResponse, SurveyLink)
    before = [count(model) for model in tables]
    assert seed().campaigns_created == 0
    assert [count(model) for model in tables] == before


def test_the_published_forms_belong_to_their_documents_coordinators(app):
    """The region's coordinator makes the next versions of Kaluga's forms in the
    designer, the city of Tomsk's coordinator those of Tomsk, neither the other's."""
    from collector.designer.services import may_revise

    publish_forms("kaluga-1829-school", "tomsk-2022-parent-poll")
    seed()
    users = {u.username: u for u in db.session.scalars(select(User))}
    school, poll = (
        db.session.scalar(select(FormVersion).where(FormVersion.form_id == form_id))
        for form_id in ("kaluga-1829-school", "tomsk-2022-parent-poll")
    )
    region = db.session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.REGION_CODE))
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == tomsk.CITY_CODE))
    assert (school.owner_unit_id, poll.owner_unit_id) == (region.id, city.id)
    assert may_revise(db.session, users["region"], school)
    assert not may_revise(db.session, users["region"], poll)
    assert may_revise(db.session, users["tomsk"], poll)
    assert not may_revise(db.session, users["tomsk"], school)
    assert may_revise(db.session, users["admin"], poll)
    assert not may_revise(db.session, users["kaluga"], school)  # a municipal coordinator
