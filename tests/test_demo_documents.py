"""The demo's last two systems: the city of Nevinnomyssk with its April–May monitoring,
its satisfaction surveys and the September graduates' monitoring; the Tomsk concept of
2016 with its registries (the records of demo.tomsk2016_records, each with its
history, kept by its unit's staff), the confirmation of profile classes and its school and
city reports. Every system of the
five documents has a campaign with answers, reachable from the start page."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from collector.auth.services import authenticate
from collector.campaigns.completeness import DONE
from collector.campaigns.services import visible_campaigns
from collector.entry.services import problems
from collector.extensions import db
from collector.main.services import systems
from collector.models import (
    AuditEvent,
    Campaign,
    FormResponse,
    FormVersion,
    OrgUnit,
    ReferenceFigure,
    RegistryRecord,
    RegistryRevision,
    Role,
    RoleAssignment,
    User,
)
from collector.publishing.versions import latest_versions, spec_of
from collector.reports.services import Basis, campaign_report
from collector.units.services import current_academic_year
from demo import nevinnomyssk, tomsk, tomsk2016_records
from demo.seed import SeedResult
from demo.tomsk2016_records import school_code
from tests.conftest import login_as, world_app
from tests.test_demo_seed import (
    DEMO_LOGINS,
    FORMS,
    TOMSK_SCHOOL_CODE,
    by_code,
    count,
    publish_forms,
    seed,
    units_by_type,
)

ALL_FORMS = tuple(p.stem for p in sorted(FORMS.glob("*.json")) if p.name != "meta-schema.json")


@pytest.fixture(scope="module")
def demo_world(
    shared_apps: dict[str, Flask], migrated_database: str, module_transaction: sa.Connection
) -> SeedResult:
    """The demo, seeded once for the module's tests (which only read it, each in a
    savepoint of the module's transaction, rolled back at its end)."""
    with world_app(shared_apps, migrated_database, module_transaction):
        publish_forms(*ALL_FORMS)
        return seed()


@pytest.fixture
def demo(demo_world, app):
    return demo_world


def campaigns_of(prefix: str) -> dict[str, Campaign]:
    return {
        c.form_version.form_id: c
        for c in db.session.scalars(select(Campaign).order_by(Campaign.id))
        if c.form_version.form_id.startswith(prefix)
    }


def responses(campaign: Campaign) -> list[FormResponse]:
    return list(
        db.session.scalars(select(FormResponse).where(FormResponse.campaign_id == campaign.id))
    )


def test_nevinnomyssk_is_a_city_running_its_monitorings(demo):
    city = by_code(nevinnomyssk.CITY_CODE)
    assert (city.unit_type, city.parent.name) == ("municipality", "Ставропольский край")
    assert units_by_type(nevinnomyssk.REGION_CODE) == {
        "region": 1,
        "municipality": 1,
        "school": len(nevinnomyssk.demo_schools()),
    }
    found = campaigns_of("nevinnomyssk-")
    assert set(found) == {
        "nevinnomyssk-2020-school-monitoring",
        "nevinnomyssk-2020-graduate-employment",
        "nevinnomyssk-2020-pupil-satisfaction",
        "nevinnomyssk-2020-parent-satisfaction",
    }
    coordinator = authenticate(db.session, "nevinnomyssk", "demo-nevinnomyssk-2026")
    assert {c.id for c in visible_campaigns(db.session, coordinator)} == {
        c.id for c in found.values()
    }
    for form_id, campaign in found.items():
        assert campaign.owner_unit_id == city.id
        spec = spec_of(campaign.form_version)
        answers = responses(campaign)
        if spec.kind == "survey":
            assert len(answers) >= 100
            continue
        states = Counter(r.status for r in answers)
        assert sum(states[s] for s in DONE) >= 0.6 * len(answers), states
        for response in answers:
            if response.status in DONE:
                assert problems(spec, response.answers, for_submission=True) == [], form_id
        report = campaign_report(db.session, coordinator, campaign, Basis.SUBMITTED, stored=False)
        values = [report.value(i.id, city.id) for i in spec.computed_indicators]
        assert all(v is not None and v.status == "ok" for v in values), form_id
        shares = [
            v.value for i, v in zip(spec.computed_indicators, values, strict=True) if i.unit == "%"
        ]
        assert all(0 <= s <= 100 for s in shares), form_id


def test_tomsk_2016_registries_hold_the_modules_records_with_their_history(demo):
    """Each registry holds the records of demo.tomsk2016_records, entered by
    their unit's own staff through the services: a revision per save (created, each
    edit, the archiving), the audit alongside, all before the campaigns opened."""
    city = by_code(tomsk.CITY_CODE)
    expected = tomsk2016_records.records(current_academic_year())
    opened = min(c.opened_at for c in campaigns_of("tomsk-2016-").values())
    for form_id in tomsk2016_records.FORMS:
        planned = [r for r in expected if r.form_id == form_id]
        found = list(
            db.session.scalars(
                select(RegistryRecord)
                .where(RegistryRecord.form_id == form_id)
                .order_by(RegistryRecord.id)
            )
        )
        assert len(found) == len(planned) >= 3, form_id
        for plan, kept in zip(planned, found, strict=True):
            holder = city if plan.holder is None else by_code(school_code(plan.holder))
            assert kept.unit_id == holder.id
            assert kept.status == ("archived" if plan.archived else "active")
            changes = [r.change for r in reversed(kept.revisions)]
            assert changes == ["created"] + ["edited"] * len(plan.edits) + (
                ["archived"] if plan.archived else []
            )
            assert kept.revision == len(changes)
            times = [r.changed_at for r in reversed(kept.revisions)]
            assert times == sorted(times) and times[-1] < opened
            assert kept.created_at == times[0] and kept.updated_at == times[-1]
            # Its own staff: the city's coordinator, a school's respondent.
            author = db.session.get(User, kept.created_by)
            assert [(g.role, g.unit_id) for g in author.roles] == [
                ("regional_coordinator" if plan.holder is None else "school_respondent", holder.id)
            ]
            assert {r.changed_by for r in kept.revisions} == {author.id}
            audited = db.session.execute(
                select(AuditEvent.action, AuditEvent.at)
                .where(AuditEvent.object_type == "registry_record", AuditEvent.object_id == kept.id)
                .order_by(AuditEvent.at)
            ).all()
            actions = {"created": "create", "edited": "edit", "archived": "archive"}
            assert [a for a, _at in audited] == [f"registry.{actions[c]}" for c in changes]
            assert [at for _a, at in audited] == times
        assert sum(k.published for k in found) > 0.7 * len(found)  # most are public
    # Some records corrected twice, some closed.
    assert sum(len(r.edits) >= 2 for r in expected) >= 3
    assert sum(r.archived for r in expected) >= 4
    # The passports are the module's, in the registry's fields: a class names its school.
    classes = db.session.scalars(
        select(RegistryRecord).where(RegistryRecord.form_id.like("tomsk-2016-classes-%"))
    )
    for kept in classes:
        assert kept.data["school_name"] == kept.unit.name
        assert 10 <= kept.data["pupils"] <= 30
        assert "ООШ" not in kept.unit.name  # profile classes are senior grades


def test_tomsk_2016_records_are_plain_data_whose_every_edit_changes_something():
    """The module is pure: the same records every time, for any year's dates; each later
    save changes the passport or the public mark (an unchanged save leaves no revision)."""
    first = tomsk2016_records.records(2026)
    assert tomsk2016_records.records(2026) == first
    assert len(tomsk2016_records.records(2030)) == len(first)
    schools = {s.short_name for s in tomsk.demo_schools()}
    for plan in first:
        assert plan.holder is None or plan.holder in schools
        passport, published = dict(plan.passport), plan.published
        for edit in plan.edits:
            changed = {k: v for k, v in edit.items() if k != "published" and passport.get(k) != v}
            assert changed or edit.get("published", published) != published, plan
            passport.update(changed)
            published = bool(edit.get("published", published))


def test_tomsk_2016_school_staff_keep_their_records_once(demo):
    """A school that keeps records has one staff account for it (the demo login of
    gymnasium № 6, an account of its contact person elsewhere); a second load adds no
    account, record or revision."""
    holders = tomsk2016_records.holders()
    keepers = db.session.execute(
        select(User.username, OrgUnit.code)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(OrgUnit, RoleAssignment.unit_id == OrgUnit.id)
        .where(OrgUnit.code.in_(holders.values()))
    ).all()
    assert sorted(code for _u, code in keepers) == sorted(holders.values())
    assert ("tomsk-g6", TOMSK_SCHOOL_CODE) in keepers
    made = [u for u, _c in keepers if u != "tomsk-g6"]
    assert all(u.startswith("tomsk-s") for u in made)
    assert count(User) == len(DEMO_LOGINS) + len(made)
    tables = (User, RegistryRecord, RegistryRevision, AuditEvent)
    before = [count(model) for model in tables]
    again = seed()
    assert (again.users_created, again.registry_records) == (0, 0)
    assert [count(model) for model in tables] == before


def test_tomsk_2016_campaigns_confirm_the_classes_and_report(demo, client):
    found = campaigns_of("tomsk-2016-")
    assert set(found) == {
        "tomsk-2016-classes-employers",
        "tomsk-2016-school-report",
        "tomsk-2016-city-report",
    }
    confirmation = found["tomsk-2016-classes-employers"]
    confirmed = [r for r in responses(confirmation) if r.status in DONE]
    assert len(confirmed) >= 0.7 * len(responses(confirmation))
    assert {r.status for r in confirmed} == {"submitted", "accepted"}
    # The demo school login has its own classes to confirm.
    own = next(r for r in responses(confirmation) if r.unit.code == TOMSK_SCHOOL_CODE)
    assert own.status == "not_started"
    kept = {r.unit_id: [c["_record"] for c in r.answers["records"]] for r in confirmed}
    active: dict[int, list[int]] = {}
    for record in db.session.scalars(
        select(RegistryRecord)
        .where(
            RegistryRecord.form_id == "tomsk-2016-classes-employers",
            RegistryRecord.status == "active",
        )
        .order_by(RegistryRecord.title, RegistryRecord.id)
    ):
        active.setdefault(record.unit_id, []).append(record.id)
    # Each confirmation holds the school's active classes; most schools have none.
    assert all(kept[unit] == active.get(unit, []) for unit in kept)
    counts = [len(records) for records in kept.values()]
    assert sum(counts) >= 5 and counts.count(0) > len(kept) / 2
    # Confirmed after the records were entered, each in the audit.
    for response in confirmed:
        assert response.submitted_at > confirmation.opened_at
        confirms = count(
            AuditEvent,
            AuditEvent.object_type == "form_response",
            AuditEvent.object_id == response.id,
            AuditEvent.action == "registry.confirm",
        )
        assert confirms == 1
    coordinator = authenticate(db.session, "tomsk", "demo-tomsk-2026")
    report = campaign_report(db.session, coordinator, confirmation, Basis.SUBMITTED, stored=False)
    city = by_code(tomsk.CITY_CODE)
    assert report.value("classes", city.id).value == sum(counts)
    # The school reports follow the schools' figures and pass their checks.
    school_report = found["tomsk-2016-school-report"]
    spec = spec_of(school_report.form_version)
    reports = responses(school_report)
    assert sum(r.status in DONE for r in reports) >= 0.6 * len(reports)
    for response in reports:
        if response.status not in DONE:
            continue
        answers = response.answers
        assert problems(spec, answers, for_submission=True) == []
        graduates = figures_of(response.unit_id, "graduates")
        assert answers["graduates_9"] == graduates.get(9, 0)
        assert answers["graduates_11"] == graduates.get(11, 0)
        assert answers["covered_total"] <= sum(figures_of(response.unit_id, "pupils").values())
        assert 3 <= len(answers["services"]) <= 6
    city_report = responses(found["tomsk-2016-city-report"])
    assert [r.status for r in city_report] == ["accepted"]
    assert len(city_report[0].answers["programmes"]) >= 3
    # The report's rows the document only announces say so.
    login_as(client, coordinator)
    page = client.get(f"/reports/campaigns/{school_report.id}").get_data(as_text=True)
    assert page.count('data-status="not_defined"') == 3  # 5.2, 6.3, 7.1


def figures_of(unit_id: int, figure: str) -> dict[int, int]:
    rows = db.session.execute(
        select(ReferenceFigure.grade, ReferenceFigure.value).where(
            ReferenceFigure.unit_id == unit_id, ReferenceFigure.figure == figure
        )
    )
    return {grade: value for grade, value in rows}


def test_the_start_page_shows_all_five_systems(demo, client):
    admin = authenticate(db.session, "admin", "demo-admin-2026")
    shown = systems(db.session, admin)
    assert [s.seed for s in shown] == ["000", "001", "002", "003", "004"]
    assert all(s.campaigns for s in shown)
    assert len(next(s for s in shown if s.seed == "000").registries) == len(tomsk2016_records.FORMS)
    login_as(client, admin)
    page = client.get("/").get_data(as_text=True)
    for system in shown:
        assert f'data-system="{system.seed}"' in page
    assert count(Campaign) == sum(len(s.campaigns) for s in shown)


# Each demo login's territory: the prefix of its forms and the systems (documents) it sees.
TERRITORY_OF = {
    "school": "kaluga-",
    "region": "kaluga-",
    "kaluga": "kaluga-",
    "tomsk-g6": "tomsk-",
    "tomsk": "tomsk-",
    "omsk": "omsk-",
    "omsk-a14": "omsk-",
    "nev-s1": "nevinnomyssk-",
}
SYSTEMS_OF = {
    "kaluga-": ["004"],
    "tomsk-": ["000", "002"],
    "omsk-": ["003"],
    "nevinnomyssk-": ["001"],
}


@pytest.mark.parametrize("username", sorted(TERRITORY_OF))
def test_each_login_is_offered_only_its_territorys_systems_and_forms(demo, client, username):
    """A Kaluga school's start page shows Kaluga's order alone, «Мои формы» offers it only
    Kaluga's forms and Kaluga's coordinator starts campaigns only with them; a Tomsk
    school and Tomsk's department see Tomsk's two documents, and so on."""
    login = next(d for d in DEMO_LOGINS if d.username == username)
    user = authenticate(db.session, login.username, login.password)
    prefix = TERRITORY_OF[username]
    assert [s.seed for s in systems(db.session, user)] == SYSTEMS_OF[prefix]
    titles = {
        form_id: str(escape(spec_of(version).title.ru))
        for form_id, version in latest_by_form().items()
    }
    own = {form_id for form_id in titles if form_id.startswith(prefix)}
    login_as(client, user)
    home = client.get("/").get_data(as_text=True)
    shown = {f for f, title in titles.items() if title in home}
    assert shown and shown <= own, shown - own
    seeds = {seed for seeds in SYSTEMS_OF.values() for seed in seeds}
    assert {seed for seed in seeds if f'data-system="{seed}"' in home} == set(SYSTEMS_OF[prefix])
    offered = client.get("/entry/").get_data(as_text=True)
    to_fill = {f for f, title in titles.items() if title in offered}
    assert to_fill <= own, to_fill - own
    if login.role == Role.SCHOOL_RESPONDENT:
        assert to_fill
    if login.role == Role.REGIONAL_COORDINATOR:
        choices = client.get("/campaigns/new").get_data(as_text=True)
        listed = {f for f, title in titles.items() if title in choices}
        kinds = {f: v.kind for f, v in latest_by_form().items()}
        assert listed == own, listed ^ own
        assert all(kinds[f] in ("unit_report", "survey", "registry") for f in listed)


def latest_by_form() -> dict[str, FormVersion]:
    return {v.form_id: v for v in latest_versions(db.session)}
