"""Role × endpoint × unit: every view refuses users outside its scope (403 or 404), and a
refusal never shows the object's data. Expectations are written out by hand per role."""

from __future__ import annotations

import pytest
from flask import Flask

from collector.extensions import db
from collector.models import OrgUnit, User
from tests.api.test_access import API_ENDPOINTS
from tests.conftest import login_as

ALL = {
    "region",
    "other_region",
    "mun_a",
    "mun_b",
    "school_a1",
    "school_a2",
    "school_b1",
    "school_b2",
    "other_school",
}
REGION_1 = {"region", "mun_a", "mun_b", "school_a1", "school_a2", "school_b1", "school_b2"}
REGION_2 = {"other_region", "other_school"}
MUN_A = {"mun_a", "school_a1", "school_a2"}

# Which units each person may see, and may change, through each kind of page.
VISIBLE = {
    "admin": ALL,
    "region": REGION_1,
    "other_region": REGION_2,
    "municipal": MUN_A,
    "school": {"school_a1"},
}
EDIT_UNITS = {
    "admin": ALL,
    "region": REGION_1,
    "other_region": REGION_2,
    "municipal": set(),
    "school": set(),
}
EDIT_FIGURES = VISIBLE
MANAGE_USERS = EDIT_UNITS
PARENTS = {"region", "other_region", "mun_a", "mun_b"}

# endpoint: (method, url template, the expectation table, which units it applies to)
UNIT_ENDPOINTS = {
    "units.detail": ("GET", "/units/{id}", VISIBLE, ALL),
    "units.figures": ("GET", "/units/{id}/figures?year=2025", VISIBLE, ALL),
    "units.figures.post": ("POST", "/units/{id}/figures?year=2025", EDIT_FIGURES, ALL),
    "units.edit": ("GET", "/units/{id}/edit", EDIT_UNITS, ALL),
    "units.edit.post": ("POST", "/units/{id}/edit", EDIT_UNITS, ALL),
    "units.create_child": ("GET", "/units/{id}/new", EDIT_UNITS, PARENTS),
    "units.create_child.post": ("POST", "/units/{id}/new", EDIT_UNITS, PARENTS),
    "users.index": ("GET", "/users/?unit={id}", MANAGE_USERS, ALL),
    "users.create": ("GET", "/users/new?unit={id}", MANAGE_USERS, ALL),
}


def post_data(unit: OrgUnit, endpoint: str) -> dict[str, str]:
    if endpoint == "units.edit.post":
        return {"name": unit.name, "code": unit.code, "is_active": "y"}
    if endpoint == "units.create_child.post":
        return {"name": "Новая школа", "code": f"NEW-{unit.code}", "unit_type": "school"}
    return {"pupils_5": "10"}


@pytest.mark.parametrize("person", sorted(VISIBLE))
@pytest.mark.parametrize("endpoint", sorted(UNIT_ENDPOINTS))
def test_unit_pages_respect_scope(
    app: Flask,
    client,
    tree: dict[str, OrgUnit],
    people: dict[str, User],
    person: str,
    endpoint: str,
) -> None:
    method, template, table, applies_to = UNIT_ENDPOINTS[endpoint]
    login_as(client, people[person])
    wrong = []
    for key in sorted(applies_to):
        unit = db.session.get(OrgUnit, tree[key].id)
        assert unit is not None
        url = template.format(id=unit.id)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=post_data(unit, endpoint))
        expected_ok = key in table[person]
        ok = response.status_code in (200, 302)
        if ok != expected_ok:
            wrong.append(f"{method} {url} ({key}): {response.status_code}")
        if not expected_ok:
            assert response.status_code in (403, 404), (key, response.status_code)
            assert unit.name not in response.get_data(as_text=True), key
    assert not wrong, f"{person}: " + "; ".join(wrong)


# Whose accounts each person may open in the users admin.
MANAGEABLE = {
    "admin": {"admin", "region", "other_region", "municipal", "school"},
    "region": {"region", "municipal", "school"},
    "other_region": {"other_region"},
    "municipal": set(),
    "school": set(),
}


@pytest.mark.parametrize("person", sorted(MANAGEABLE))
def test_user_pages_respect_scope(app: Flask, client, people: dict[str, User], person: str) -> None:
    login_as(client, people[person])
    for target, user in people.items():
        url = f"/users/{user.id}"
        expected_ok = target in MANAGEABLE[person]
        response = client.get(url)
        assert (response.status_code == 200) == expected_ok, (target, response.status_code)
        if not expected_ok:
            assert response.status_code in (403, 404)
            assert user.username not in response.get_data(as_text=True)
        if not expected_ok:
            revoke = client.post(f"/users/{user.id}/roles/{user.roles[0].id}/revoke")
            assert revoke.status_code in (403, 404)
            db.session.expire_all()
            assert len(db.session.get(User, user.id).roles) == 1
    listing = client.get("/users/")
    if MANAGEABLE[person]:
        body = listing.get_data(as_text=True)
        for target, user in people.items():
            # The list shows exactly the accounts in reach (plus none outside).
            assert (f">{user.username}<" in body) == (target in MANAGEABLE[person]), target
    else:
        assert listing.status_code == 403


# Pages not about one unit: who may open them at all (per-row scope is the service's job).
ROLE_PAGES = {
    "units.import_units_page": ("/units/import", {"admin", "region", "other_region"}),
    "units.import_template": (
        "/units/import/template-units.csv",
        {"admin", "region", "other_region"},
    ),
    "units.index": ("/units/", {"admin", "region", "other_region", "municipal", "school"}),
    "entry.index": ("/entry/", {"admin", "region", "other_region", "municipal", "school"}),
    "campaigns.index": ("/campaigns/", {"admin", "region", "other_region", "municipal"}),
    "campaigns.create": ("/campaigns/new", {"admin", "region", "other_region"}),
    "campaigns.review_queue": (
        "/campaigns/queue",
        {"admin", "region", "other_region", "municipal"},
    ),
    "jobs.index": ("/jobs/", {"admin", "region", "other_region", "municipal", "school"}),
}


@pytest.mark.parametrize("person", sorted(VISIBLE))
@pytest.mark.parametrize("endpoint", sorted(ROLE_PAGES))
def test_role_pages(app: Flask, client, people: dict[str, User], person: str, endpoint: str):
    url, allowed_people = ROLE_PAGES[endpoint]
    login_as(client, people[person])
    status = client.get(url).status_code
    assert (status in (200, 302)) == (person in allowed_people), status
    if person not in allowed_people:
        assert status == 403


def test_every_endpoint_is_in_a_matrix(app: Flask) -> None:
    """A new view must be added to these tables (or to the public list) to be checked."""
    covered = (
        {e.removesuffix(".post") for e in UNIT_ENDPOINTS}
        | set(ROLE_PAGES)
        | {
            "users.edit",
            "entry.fill",  # tests/test_entry.py: scope by unit and by the form's unit types
            # tests/campaigns/test_campaign_views.py: scope by the campaign and the unit
            "entry.fill_response",
            # tests/test_file_questions.py: a file is read by who may read its report
            "entry.download_file",
            "campaigns.detail",
            "campaigns.change_state",
            "campaigns.missing_xlsx",
            "campaigns.extend",
            "campaigns.review",
            "campaigns.flyer",
            "campaigns.remind",  # tests/campaigns/test_reminders.py
            "campaigns.imports",  # tests/campaigns/test_imports.py
            # tests/registries/test_access.py: a record's unit's staff keep it, coordinators
            # above read it; lists and exports hold the units the user sees
            "registries.index",
            "registries.records",
            "registries.new",
            "registries.record",
            "registries.archive",
            "registries.restore",
            "registries.export",
            # tests/registries/test_confirmation.py: scope as data entry's
            "registries.confirm_response",
            "registries.confirm_unit",
            # tests/reports/test_report_views.py: scope by the campaign and the unit
            "reports.campaign",
            "reports.export_start",
            # tests/analysis/test_analysis_views.py: scope by the campaign and the unit
            "analysis.campaign",
            # tests/analysis/test_quality_views.py: as the analysis page
            "analysis.campaign_quality_page",
            "analysis.quality_xlsx",
            # tests/analysis/test_recommendations.py: the territory's coordinators draft
            # and send; the recipient unit's people read and acknowledge
            "analysis.campaign_recommendations",
            "analysis.recommendation",
            # tests/analysis/test_measures.py: the territory's coordinators keep the
            # register; others are refused
            "analysis.campaign_measures",
            "analysis.measure_status",
            "analysis.measures_workbook",
            # tests/analysis/test_printable.py: as the analysis page (its PDF too)
            "analysis.campaign_print",
            "analysis.campaign_print_pdf",
            # tests/printing/test_unit_report.py: the filled report for who may read it,
            # the blank form for who may fill it in
            "printing.filled",
            "printing.filled_pdf",
            "printing.blank",
            "printing.blank_pdf",
            "printing.blank_of_unit",
            "printing.blank_of_unit_pdf",
            # tests/test_bounded_values.py: only a reviewer of the value's unit voids it
            "reports.void_refused",
            # tests/designer/test_access.py: a draft is its unit's designers'
            "designer.index",
            "designer.new",
            "designer.upload",
            "designer.copy_version",
            "designer.revise",
            "designer.version_download",
            "designer.answers",
            "designer.edit",
            "designer.issues",
            "designer.outline",
            "designer.add",
            "designer.remove",
            "designer.duplicate",
            "designer.move",
            "designer.order",
            "designer.check",
            "designer.edit_json",
            "designer.draft_download",
            "designer.preview",
            "designer.publish",
            "designer.discard",
            # tests/jobs/test_jobs.py: a job is its starter's and their coordinators'
            "jobs.detail",
            "jobs.status",
            "jobs.download",
            "users.revoke",
            "users.index",
            "users.create",
            # tests/api/test_access.py: every API route for every role and token scope
            *API_ENDPOINTS,
        }
    )
    public_or_self = {
        "static",
        "auth.login",
        "auth.logout",
        "auth.change_password",
        # One's own tokens; another's is not found (tests/api/test_tokens.py)
        "tokens.index",
        "tokens.revoke",
        # Anyone may ask for a reset link; a link names its user (tests/test_password_reset.py)
        "auth.forgot_password",
        "auth.reset_password",
        "main.home",
        # One's own notices; another's is not found (tests/campaigns/test_notices.py)
        "main.mark_notice_read",
        "main.set_language",
        "units.index",
        # Survey links answer anyone who has the token: tests/surveys/test_survey_links.py
        "surveys.answer",
        "surveys.thanks",
        # Published registry records are public (tests/registries/test_records.py)
        "public.public_index",
        "public.public_registry",
        # The monitor's health check tells only whether the services answer
        # (tests/test_health.py)
        "health.health",
        # The department's logo stands on the public pages (tests/test_branding.py)
        "department_logo",
    }
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - covered - public_or_self == set()


# Registries: a registry of the first region (Kaluga) keeps records only for its schools,
# by their own staff (admins keep anywhere in it). Who may create, edit and publish a
# record of each school, posting the unit id straight; a record outside the territory
# (other_school, as an older version let in) is kept by nobody.
KEEP_RECORDS = {
    "admin": {"school_a1", "school_a2", "school_b1", "school_b2"},
    "region": set(),
    "other_region": set(),
    "municipal": set(),
    "school": {"school_a1"},
}
SCHOOLS = {"school_a1", "school_a2", "school_b1", "school_b2", "other_school"}


@pytest.mark.parametrize("person", sorted(KEEP_RECORDS))
def test_registry_records_are_created_edited_and_published_in_scope_and_territory(
    app: Flask, client, tree: dict[str, OrgUnit], people: dict[str, User], person: str
) -> None:
    from sqlalchemy import select

    from collector.models import RegistryRecord
    from tests.registries.fixtures import passport, publish_classes

    kept = publish_classes()
    kept.version.owner_unit_id = tree["region"].id
    records = {}
    for key in sorted(SCHOOLS):
        found = RegistryRecord(
            form_id=kept.form_id,
            form_version_id=kept.version.id,
            unit_id=tree[key].id,
            title=f"запись {key}",
            data=passport(f"запись {key}"),
            published=False,
            revision=1,
        )
        db.session.add(found)
        records[key] = found
    db.session.commit()
    login_as(client, people[person])
    wrong = []
    for key in sorted(SCHOOLS):
        unit = tree[key]
        data = {"class_name": f"новая {key}", "profile": "tech", "published": "y"}
        client.post("/registries/test-classes/new", data={**data, "unit": unit.id})
        created = db.session.scalar(
            select(RegistryRecord).where(RegistryRecord.title == f"новая {key}")
        )
        if (created is not None) != (key in KEEP_RECORDS[person]):
            wrong.append(f"create {key}")
        url = f"/registries/test-classes/{records[key].id}"
        edit = client.post(url, data={**data, "class_name": f"изм. {key}", "revision": "1"})
        db.session.expire_all()
        changed = db.session.get(RegistryRecord, records[key].id)
        assert changed is not None
        kept_ok = key in KEEP_RECORDS[person]
        if (changed.published, changed.title == f"изм. {key}") != (kept_ok, kept_ok):
            wrong.append(f"edit/publish {key}: {edit.status_code}")
        if not kept_ok:
            assert edit.status_code in (403, 404), (key, edit.status_code)
    assert not wrong, f"{person}: " + "; ".join(wrong)
    public = client.get("/public/registries/test-classes").get_data(as_text=True)
    assert "other_school" not in public


# Offered, not only refused: a form, the system its document sets up and a registry belong
# to the unit that owns them, and each person is offered only what belongs to the
# territory of their units (the owner is one of them, above or below one) or to no unit
# (the whole installation's). The first region stands for Kaluga (its order, seed 004),
# the second for Tomsk (the 2016 concept, seed 000).
OWNED_FORMS = {
    # key: (form id, title, owner, the document's seed, respondents' unit type, role)
    "kaluga_school": ("kaluga-school", "Отчёт школы Калужской области", "region", "004"),
    "kaluga_district": ("kaluga-district", "Отчёт Бабынинского района", "mun_a", "004"),
    "tomsk_school": ("tomsk-school", "Отчёт школы Томской области", "other_region", "000"),
    "shared": ("shared-form", "Общая форма всей установки", None, None),
}
REGISTRY_TITLE = "Реестр профильных классов"  # tests.registries.fixtures: Tomsk's here

KALUGA = {"kaluga_school", "kaluga_district"}
TOMSK = {"tomsk_school", "registry"}
# The systems and forms on each person's start page.
START_PAGE = {
    "admin": KALUGA | TOMSK,
    "region": KALUGA,
    "municipal": KALUGA,
    "school": KALUGA,
    "other_region": TOMSK,
    "other_school": TOMSK,
}
SYSTEMS = {
    "admin": {"004", "000"},
    "region": {"004"},
    "municipal": {"004"},
    "school": {"004"},
    "other_region": {"000"},
    "other_school": {"000"},
}
# «Мои формы → Формы вне кампаний»: the unit reports each person's units answer.
MY_FORMS = {
    "municipal": {"kaluga_district"},
    "school": {"kaluga_school", "shared"},
    "other_school": {"tomsk_school", "shared"},
}
# «Новая кампания»: the forms a campaign may be run with.
CAMPAIGN_FORMS = {
    "admin": KALUGA | TOMSK | {"shared"},
    "region": KALUGA | {"shared"},
    "other_region": TOMSK | {"shared"},
}
REGISTRIES = {person: "registry" in shown for person, shown in START_PAGE.items()}


def _title(key: str) -> str:
    return REGISTRY_TITLE if key == "registry" else OWNED_FORMS[key][1]


@pytest.fixture
def territories(
    app: Flask, tree: dict[str, OrgUnit], people: dict[str, User], make_user
) -> dict[str, User]:
    """The forms of OWNED_FORMS and Tomsk's registry published, and a school of the
    second region beside the people of both."""
    import copy

    from collector.models import Role
    from collector.publishing.services import publish
    from collector.schema import compile_document
    from tests.registries.fixtures import classes_document
    from tests.schema.cases import base

    for form_id, title, owner, seed in OWNED_FORMS.values():
        document = copy.deepcopy(base())
        document["id"], document["title"] = form_id, {"ru": title, "en": title}
        if form_id == "kaluga-district":
            document["respondents"] = {
                "unit_types": ["municipality"],
                "roles": ["municipal_coordinator"],
            }
        if seed is not None:
            document["source"]["seed"] = seed
        publish(db.session, compile_document(document), None, owner=tree[owner] if owner else None)
    publish(db.session, compile_document(classes_document()), None, owner=tree["other_region"])
    db.session.commit()
    other_school = make_user(Role.SCHOOL_RESPONDENT, tree["other_school"], username="tomsk-s")
    return {**people, "other_school": other_school}


def _offered(body: str, keys: set[str]) -> set[str]:
    from markupsafe import escape

    return {key for key in keys if str(escape(_title(key))) in body}


EVERY = set(OWNED_FORMS) | {"registry"}


@pytest.mark.parametrize("person", sorted(START_PAGE))
def test_each_person_is_offered_only_their_territorys_forms_systems_and_registries(
    client, territories: dict[str, User], person: str
) -> None:
    login_as(client, territories[person])
    home = client.get("/").get_data(as_text=True)
    assert _offered(home, EVERY - {"shared"}) == START_PAGE[person]
    assert {s for s in ("000", "001", "004") if f'data-system="{s}"' in home} == SYSTEMS[person]
    entry = client.get("/entry/").get_data(as_text=True)
    assert _offered(entry, EVERY) == MY_FORMS.get(person, set())
    new_campaign = client.get("/campaigns/new")
    if person in CAMPAIGN_FORMS:
        assert _offered(new_campaign.get_data(as_text=True), EVERY) == CAMPAIGN_FORMS[person]
    else:
        assert new_campaign.status_code == 403
    registries = client.get("/registries/").get_data(as_text=True)
    assert _offered(registries, {"registry"}) == ({"registry"} if REGISTRIES[person] else set())
    # Another territory's registry is not said to exist; its own is opened.
    records = client.get("/registries/test-classes/")
    assert records.status_code == (200 if REGISTRIES[person] else 404)


@pytest.mark.parametrize(
    ("person", "form_id", "unit"),
    [
        ("school", "tomsk-school", "school_a1"),
        ("other_school", "kaluga-school", "other_school"),
        ("admin", "tomsk-school", "school_a1"),
    ],
)
def test_another_territorys_form_is_not_opened_by_its_address(
    client, tree: dict[str, OrgUnit], territories: dict[str, User], person, form_id, unit
) -> None:
    login_as(client, territories[person])
    assert client.get(f"/entry/{form_id}/{tree[unit].id}").status_code == 404
    own = "kaluga-school" if tree[unit].path.startswith(tree["region"].path) else "tomsk-school"
    assert client.get(f"/entry/{own}/{tree[unit].id}").status_code == 200


def test_a_campaign_is_not_run_with_another_territorys_form(
    client, tree: dict[str, OrgUnit], territories: dict[str, User]
) -> None:
    from sqlalchemy import func, select

    from collector.models import Campaign, FormVersion

    tomsk = db.session.scalar(select(FormVersion).where(FormVersion.form_id == "tomsk-school"))
    assert tomsk is not None
    login_as(client, territories["admin"])
    page = client.post(
        "/campaigns/new",
        data={
            "title": "Томская форма в Калужской области",
            "form_version": tomsk.id,
            "owner": tree["region"].id,
            "academic_year": "2025",
            "late_policy": "refuse",
            "deadline_institutions": "2026-12-01T18:00",
        },
    )
    assert "Эта форма принадлежит другой территории." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


# The campaigns list (with each campaign's report) and the start page's campaigns: those
# run in the person's territory, by its owner or over its units.
CAMPAIGNS_SEEN = {
    "admin": {"kaluga", "tomsk"},
    "region": {"kaluga"},
    "municipal": {"kaluga"},
    "other_region": {"tomsk"},
}


@pytest.mark.parametrize("person", sorted(CAMPAIGNS_SEEN))
def test_each_reviewer_is_offered_only_their_territorys_campaigns_and_reports(
    client, tree: dict[str, OrgUnit], territories: dict[str, User], person: str
) -> None:
    from datetime import datetime

    from sqlalchemy import select

    from collector.campaigns.lifecycle import LatePolicy
    from collector.campaigns.services import NewCampaign, create_campaign
    from collector.models import FormVersion

    made = {}
    for key, form_id, owner, coordinator in (
        ("kaluga", "kaluga-school", "region", "region"),
        ("tomsk", "tomsk-school", "other_region", "other_region"),
    ):
        version = db.session.scalar(select(FormVersion).where(FormVersion.form_id == form_id))
        assert version is not None
        made[key] = create_campaign(
            db.session,
            territories[coordinator],
            NewCampaign(
                f"Кампания {key}",
                version,
                tree[owner],
                2025,
                None,
                LatePolicy.REFUSE,
                {"school": datetime(2026, 12, 1, 18, 0)},
            ),
        )
    db.session.commit()
    login_as(client, territories[person])
    listing = client.get("/campaigns/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    for key, campaign in made.items():
        seen = key in CAMPAIGNS_SEEN[person]
        assert (f"/reports/campaigns/{campaign.id}" in home) == seen, key
        assert (f"Кампания {key}" in listing) == seen, key
        assert (client.get(f"/reports/campaigns/{campaign.id}").status_code == 200) == seen
