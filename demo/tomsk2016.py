"""The Tomsk concept of 2016 in the demo, in the city of Tomsk: the registries it keeps
(professional trials, programmes, profile classes, schools founded by universities) with
the records of demo.tomsk2016_records and their history (some edited, a few
archived), the confirmation of the profile classes at employers' order in a campaign, and
answered campaigns of its school and city reports.

Records are written through the registry services, so that revisions and the audit are as
a user's would be: the city's records by the city's coordinator, a school's by its own
staff (the demo login of the school, else an account made for the school's contact
person, who can log in once an administrator sets a password). Their times are then set
back to the weeks before the campaigns opened, as if typed in over the autumn."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.campaigns.completeness import DONE
from collector.campaigns.services import assigned_units, report_key
from collector.entry.services import problems
from collector.models import (
    AuditEvent,
    Campaign,
    FormResponse,
    OrgUnit,
    RegistryRecord,
    RegistryRevision,
    ResponseState,
    Role,
    RoleAssignment,
    User,
)
from collector.models.base import utcnow
from collector.publishing.versions import spec_of
from collector.registries import services
from collector.schema.spec import FormSpec
from demo import tomsk
from demo.answers import UnitFacts, synthesise
from demo.campaigns import (
    ALL_ACCEPTED,
    CITY_RETURN_COMMENTS,
    CITY_SPREAD,
    CampaignsResult,
    asked_fields,
    fill_responses,
    form_campaign,
    part_of,
    published_version,
    unit_facts,
)
from demo.tomsk2016_records import CLASSES_EMPLOYERS, FORMS, DemoRecord, records

SCHOOL_FORM = "tomsk-2016-school-report"
CITY_FORM = "tomsk-2016-city-report"
CLASSES_FORM = CLASSES_EMPLOYERS
# Campaigns open four weeks before the demo is loaded (demo.campaigns); the
# records were typed in over the weeks before that.
OPENED_DAYS_AGO = 28
POSITIONS = ("заместитель директора по ВР", "педагог-психолог", "педагог-навигатор")


# --- Who keeps the records ----------------------------------------------------------------


class _Keepers:
    """The user who keeps a unit's records: its own staff member that the registry lets
    keep them, made for a school that has none (once, with one unguessable password
    for all: nobody logs in as them until an administrator sets one)."""

    def __init__(self, session: Session, admin: User, since: datetime) -> None:
        self.session, self.admin, self.since = session, admin, since
        self.made = 0
        self._hash: str | None = None
        self._found: dict[tuple[int, str], User] = {}

    def of(self, kept: services.Registry, unit: OrgUnit) -> User:
        key = (unit.id, kept.form_id)
        if key not in self._found:
            self._found[key] = self._find(kept, unit)
        return self._found[key]

    def _find(self, kept: services.Registry, unit: OrgUnit) -> User:
        spec = kept.spec
        staff = self.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.unit_id == unit.id)
            .order_by(User.id)
        )
        for user in staff:
            if services.may_keep(user, kept, unit):
                return user
        # A school's responsible person keeps its records where the registry lets one.
        respondent = Role.SCHOOL_RESPONDENT.value
        if unit.unit_type != "school" or unit.unit_type not in spec.unit_types:
            return self.admin
        if spec.roles and respondent not in spec.roles:
            return self.admin
        return self._make(unit)

    def _make(self, unit: OrgUnit) -> User:
        username = f"tomsk-{unit.code.rsplit('-', 1)[-1].lower()}"
        user = self.session.scalar(select(User).where(User.username == username))
        if user is not None:
            return user
        user = User(
            username=username,
            full_name=unit.contact_name or f"Ответственный: {unit.short_name or unit.name}",
            email=unit.contact_email,
            created_at=self.since,
        )
        if self._hash is None:
            user.set_password(secrets.token_urlsafe(24))
            self._hash = user.password_hash
        user.password_hash = self._hash
        user.roles.append(RoleAssignment(role=Role.SCHOOL_RESPONDENT.value, unit=unit))
        self.session.add(user)
        self.session.flush()
        event = record(self.session, None, "user.create", user, username=username, demo=True)
        event.at = self.since
        self.made += 1
        return user


# --- Records ------------------------------------------------------------------------------


def _fits(spec: FormSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the registry's passport still asks, of the kind it asks them."""
    fields = {f.id: f for f in spec.fields}
    kept = asked_fields(spec, dict(values))
    for key, value in values.items():
        found = fields.get(key)
        if found is None or key in kept:
            continue
        if found.type == "person" and isinstance(value, dict):
            kept[key] = value
        elif found.type == "date" and isinstance(value, str):
            kept[key] = value
        elif found.type in ("single_choice", "rating") and value in {
            o.value for o in found.options
        }:
            kept[key] = value
    return kept


def _passport(
    spec: FormSpec, values: Mapping[str, Any], rng: random.Random, as_of: date
) -> dict[str, Any]:
    """The demo's passport, with whatever else the registry requires drawn."""
    given = _fits(spec, values)
    required = {f.id for f in spec.fields if f.required}
    drawn = synthesise(spec, rng, as_of, scale=25, preset=given)
    return {k: v for k, v in drawn.items() if k in given or k in required}


def _dated(session: Session, moment: datetime, found: RegistryRecord, created: bool) -> None:
    """Set what a service call just wrote (the record's time, its new revision, the audit
    event) to `moment`."""
    for pending in session.new:
        if isinstance(pending, AuditEvent):
            pending.at = moment
        elif isinstance(pending, RegistryRevision):
            pending.changed_at = moment
    if created:
        found.created_at = moment
        for revision in found.revisions:
            revision.changed_at = moment
    found.updated_at = moment


def _keep(
    session: Session,
    kept: services.Registry,
    demo: DemoRecord,
    unit: OrgUnit,
    keeper: User,
    rng: random.Random,
    as_of: date,
    moment: datetime,
    until: datetime,
) -> RegistryRecord | None:
    """One record as its keeper entered it, corrected it and perhaps closed it."""
    session.flush()  # what is pending from here on is the service's
    found = services.create_record(
        session, keeper, kept, unit, _passport(kept.spec, demo.passport, rng, as_of), demo.published
    )
    if not isinstance(found, RegistryRecord):
        return None  # the form changed so that the demo's passport no longer fits
    _dated(session, moment, found, created=True)
    steps = len(demo.edits) + demo.archived
    step = max(timedelta(hours=2), (until - moment) / (steps + 1)) if steps else timedelta(0)
    for edit in demo.edits:
        moment += step
        session.flush()
        changed = _fits(kept.spec, edit)
        published = bool(edit.get("published", found.published))
        services.edit_record(
            session, keeper, kept, found, {**found.data, **changed}, published, found.revision
        )
        _dated(session, moment, found, created=False)
    if demo.archived:
        moment += step
        session.flush()
        services.set_archived(session, keeper, kept, found, True)
        _dated(session, moment, found, created=False)
    return found


def seed_registries(
    session: Session,
    city: OrgUnit,
    keepers: _Keepers,
    rng: random.Random,
    year: int,
    opened: datetime,
) -> int:
    """The records of each registry not yet seeded; the number of records made."""
    schools = {
        u.code: u
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.parent_id == city.id, OrgUnit.unit_type == "school")
        )
    }
    codes = {s.short_name: s.code for s in tomsk.demo_schools()}
    by_form: dict[str, list[DemoRecord]] = {}
    for demo in records(year):
        by_form.setdefault(demo.form_id, []).append(demo)
    made = 0
    for form_id in FORMS:
        version = published_version(session, form_id)
        if version is None or version.kind != "registry":
            continue
        if session.scalar(select(RegistryRecord.id).where(RegistryRecord.form_id == form_id)):
            continue  # seeded before
        kept = services.Registry(version, spec_of(version))
        entered = by_form.get(form_id, [])
        # Typed in over the two months before the campaigns opened, corrected until then.
        start = opened - timedelta(days=rng.randint(60, 75))
        span = (opened - timedelta(days=20) - start) / max(1, len(entered))
        for n, demo in enumerate(entered):
            unit = city if demo.holder is None else schools.get(codes[demo.holder])
            if unit is None:
                continue
            moment = start + span * n + timedelta(hours=rng.randint(1, 9))
            until = opened - timedelta(days=rng.randint(2, 6))
            keeper = keepers.of(kept, unit)
            as_of = date(year, 10, 1)
            made += _keep(session, kept, demo, unit, keeper, rng, as_of, moment, until) is not None
    session.flush()
    return made


# --- The confirmation of the profile classes ----------------------------------------------


def _confirmations(
    session: Session,
    campaign: Campaign,
    rng: random.Random,
    keep_empty: frozenset[str],
    unconfirmed: float = 0.15,
) -> int:
    """Most schools have confirmed their profile classes (with none, most of them), some
    of these confirmations accepted by the city; a few schools have not yet, nor has the
    demo school login."""
    spec = spec_of(campaign.form_version)
    opened = campaign.opened_at or utcnow()
    made: list[tuple[FormResponse, ResponseState, datetime, list[RegistryRecord]]] = []
    for unit in assigned_units(session, campaign):
        moment = opened + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 9))
        state = ResponseState.NOT_STARTED
        answers: dict[str, Any] = {}
        kept: list[RegistryRecord] = []
        if rng.random() >= unconfirmed and unit.code not in keep_empty:
            state = ResponseState.ACCEPTED if rng.random() < 0.7 else ResponseState.SUBMITTED
            kept = services.unit_records(session, spec.id, unit.id)
            answers = services.confirmation(kept, moment)
        response = FormResponse(
            form_version_id=campaign.form_version_id,
            form_id=spec.id,
            unit_id=unit.id,
            campaign_id=campaign.id,
            unit_report_key=report_key(campaign, unit.id),
            status=state.value,
            answers=answers,
            revision=1 if answers else 0,
            created_at=moment,
            updated_at=moment,
            submitted_at=moment if answers else None,
        )
        session.add(response)
        made.append((response, state, moment, kept))
    session.flush()
    for response, state, moment, kept in made:
        if state == ResponseState.NOT_STARTED:
            continue
        # As the confirmation page leaves it: confirmed and submitted at once, accepted
        # by the city a few days later.
        events = [
            record(
                session,
                None,
                "registry.confirm",
                response,
                records=[r.id for r in kept],
                revisions=[r.revision for r in kept],
                demo=True,
            ),
            record(
                session, None, "response.submit", response, before="draft", after="submitted",
                demo=True,
            ),
        ]  # fmt: skip
        for event in events:
            event.at = moment
        if state == ResponseState.ACCEPTED:
            accepted = record(
                session,
                None,
                "response.accept",
                response,
                before="submitted",
                after="accepted",
                demo=True,
            )
            accepted.at = moment + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
    return sum(state != ResponseState.NOT_STARTED for _r, state, _m, _k in made)


# --- The school and city reports ----------------------------------------------------------


def _school_report(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    """Coverage out of the school's pupils (the same pupil may learn at several bases),
    graduates and teachers as its figures have them."""
    pupils = facts.figure("pupils", (1, 11))
    senior = facts.figure("pupils", (8, 11))
    at_school = part_of(rng, pupils, 0.15, 0.4)
    udo = part_of(rng, pupils, 0.05, 0.2)
    spo = part_of(rng, senior, 0.02, 0.12)
    largest = max(at_school, udo, spo)
    grade9, grade11 = facts.figure("graduates", (9,)), facts.figure("graduates", (11,))
    teachers = facts.figure("teachers_total")
    selective = facts.school_type in ("gymnasium", "lyceum")
    return {
        "fgos_direction": rng.random() < 0.85,
        "support_programmes": rng.random() < 0.7,
        "innovation": rng.random() < (0.45 if selective else 0.15),
        "career_plan_act": rng.random() < 0.6,
        "covered_school": at_school,
        "covered_udo": udo,
        "covered_udo_agreement": part_of(rng, udo, 0.3, 0.8),
        "covered_spo": spo,
        "covered_spo_agreement": part_of(rng, spo, 0.4, 1.0),
        "covered_total": largest + round(0.7 * (at_school + udo + spo - largest)),
        "graduates_9": grade9,
        "admitted_by_plan_9": part_of(rng, grade9, 0.2, 0.45),
        "graduates_11": grade11,
        "admitted_by_plan_11": part_of(rng, grade11, 0.45, 0.8),
        "teachers_total": teachers,
        "teachers_trained": part_of(rng, teachers, 0.1, 0.35),
    }


# (service, grades first–last, form, hours a year per pupil)
SERVICES = (
    ("Профориентационная диагностика: анкетирование и тестирование интересов и склонностей",
     (8, 9), "blended", 2),
    ("Индивидуальная консультация педагога-психолога по выбору профиля и профессии",
     (8, 11), "in_person", 1),
    ("Курс внеурочной деятельности «Мир профессий»", (5, 7), "in_person", 34),
    ("Элективный курс «Твоя профессиональная карьера»", (9, 9), "in_person", 17),
    ("Экскурсии на предприятия и в организации города", (6, 11), "in_person", 6),
    ("Профессиональные пробы в муниципальном павильоне профессиональных проб", (8, 11),
     "in_person", 8),
    ("Встречи с представителями вузов и ССУЗов Томска, дни открытых дверей", (9, 11),
     "blended", 4),
    ("Профориентационные занятия проекта «Билет в будущее»", (6, 11), "blended", 10),
    ("Консультирование родителей по выбору профиля обучения", (8, 11), "blended", 2),
    ("Разработка индивидуального плана карьеры с классным руководителем", (9, 11),
     "in_person", 4),
)  # fmt: skip
INNOVATION = (
    "Муниципальная инновационная площадка «Сетевое взаимодействие школы, вузов и "
    "предприятий в профессиональном самоопределении обучающихся» (участник)",
    "Региональная инновационная площадка «Профильные классы по заказу работодателей "
    "как модель ранней профессиональной ориентации» (соисполнитель)",
    "Муниципальная инновационная площадка «Индивидуальный план карьеры обучающегося» "
    "(координатор сети школ)",
)
# (name, act, its date as years before the campaign's and day, years it runs, responsible,
#  has indicators)
CITY_PROGRAMMES = (
    ("Муниципальная программа «Развитие образования в Городе Томске», подпрограмма "
     "«Развитие дополнительного образования и профессиональная ориентация школьников»",
     "постановление администрации Города Томска № 1036", (3, 10, 14), 7,
     "департамент образования администрации Города Томска", True),
    ("Ведомственная целевая программа «Профессиональная ориентация и трудовая занятость "
     "несовершеннолетних граждан Города Томска»",
     "распоряжение администрации Города Томска № р1520", (1, 12, 20), 4,
     "департамент образования; управление молодёжной политики", True),
    ("Муниципальная программа «Молодёжь Города Томска», мероприятия по профессиональному "
     "самоопределению молодёжи", "постановление администрации Города Томска № 1125",
     (3, 10, 29), 7, "управление молодёжной политики администрации Города Томска", True),
    ("Комплекс мер по временному трудоустройству несовершеннолетних граждан в возрасте "
     "от 14 до 18 лет в свободное от учёбы время", "постановление администрации Города "
     "Томска № 389", (0, 4, 28), 3,
     "департамент образования; ОГКУ «Центр занятости населения города Томска»", False),
)  # fmt: skip


def _rows(spec: FormSpec, field_id: str, drawn: Any, rows: list[dict[str, Any]]) -> Any:
    """Table rows with the form's columns: the demo's values, the drawn ones for any
    other column the form requires; None when the form has no such table."""
    field = next((f for f in spec.fields if f.id == field_id and f.type == "table"), None)
    if field is None:
        return None
    template = drawn[0] if isinstance(drawn, list) and drawn else {}
    columns = {c.id for c in field.columns}
    required = {c.id for c in field.columns if c.required}
    wanted = [columns & (set(row) | required) for row in rows]
    return [
        {k: v for k, v in {**template, **row}.items() if k in keys}
        for row, keys in zip(rows, wanted, strict=True)
    ]


def _mend_school(
    spec: FormSpec, unit: OrgUnit, facts: UnitFacts, rng: random.Random, answers: dict[str, Any]
) -> None:
    """What a school writes itself: its contact person, the links to its site, its
    innovation projects and the services it guarantees to its grades."""
    host = f"https://{unit.code.lower()}.edu-demo.example"
    if "responsible" in answers:
        answers["responsible"] = {
            "full_name": unit.contact_name or answers["responsible"].get("full_name"),
            "position": rng.choice(POSITIONS),
            "phone": unit.contact_phone,
            "email": unit.contact_email,
        }
    if answers.get("fgos_direction"):
        answers["fgos_direction_url"] = f"{host}/sveden/education"
    if answers.get("support_programmes"):
        answers["support_programmes_url"] = f"{host}/proforientatsiya"
    if answers.get("innovation"):
        answers["innovation_projects"] = rng.choice(INNOVATION)
    if "services" in answers:
        last = max((g for g in range(1, 13) if facts.teaches(g)), default=11)
        rows = []
        for service, (first, final), form, hours in rng.sample(SERVICES, rng.randint(3, 6)):
            final = min(final, last)
            if first > final:
                continue
            grades = f"{first}–{final}" if first < final else str(first)
            rows.append(
                {"service": service, "grades": grades, "format": form, "free": True, "hours": hours}
            )
        found = _rows(spec, "services", answers["services"], rows)
        if found is not None:
            answers["services"] = found


def _mend_city(
    spec: FormSpec, unit: OrgUnit, year: int, rng: random.Random, answers: dict[str, Any]
) -> None:
    if "responsible" in answers:
        answers["responsible"] = {
            "full_name": "Ерёмина Светлана Викторовна",
            "position": "методист МАУ ИМЦ г. Томска, ответственный за мониторинг",
            "phone": unit.contact_phone,
            "email": unit.contact_email,
        }
    rows = []
    for n, (name, act, (back, month, day), years, responsible, indicators) in enumerate(
        CITY_PROGRAMMES
    ):
        begins = year - back
        rows.append(
            {
                "name": name,
                "act": act,
                "act_date": date(begins - 1 if month > 8 else begins, month, day).isoformat(),
                "period": f"{begins}–{begins + years - 1}",
                "responsible": responsible,
                "has_indicators": indicators,
                "site": f"https://imc.edu-demo.example/tomsk/programmy/{n + 1}",
            }
        )
    if "programmes" in answers:
        found = _rows(spec, "programmes", answers["programmes"], rows)
        if found is not None:
            answers["programmes"] = found


def _mend_reports(session: Session, campaign: Campaign, rng: random.Random) -> None:
    """The answers a unit writes in its own words; a report in keeps its checks (where a
    changed form would break them, the drawn answers stay)."""
    spec = spec_of(campaign.form_version)
    rows = list(
        session.execute(
            select(FormResponse, OrgUnit)
            .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
            .where(FormResponse.campaign_id == campaign.id)
            .order_by(OrgUnit.code)
        )
    )
    facts = unit_facts(session, [unit for _r, unit in rows], campaign.academic_year)
    for response, unit in rows:
        if not response.answers:
            continue
        answers = dict(response.answers)
        if unit.unit_type == "school":
            _mend_school(spec, unit, facts[unit.id], rng, answers)
        else:
            _mend_city(spec, unit, campaign.academic_year, rng, answers)
        if response.status in DONE and problems(spec, answers, for_submission=True):
            continue
        response.answers = answers


def seed_tomsk2016(
    session: Session,
    year: int,
    rng: random.Random,
    keep_empty: frozenset[str],
    result: CampaignsResult,
) -> None:
    city = session.scalar(select(OrgUnit).where(OrgUnit.code == tomsk.CITY_CODE))
    admin = session.scalar(
        select(User).join(RoleAssignment).where(RoleAssignment.role == "admin").order_by(User.id)
    )
    if city is None or admin is None:
        return
    label = f"{year}/{year + 1}"
    zone = tomsk.TIMEZONE
    opened = utcnow() - timedelta(days=OPENED_DAYS_AGO)
    # The schools' staff had their accounts before the school year began.
    keepers = _Keepers(session, admin, opened - timedelta(days=90))
    result.registry_records += seed_registries(session, city, keepers, rng, year, opened)
    result.staff_created += keepers.made
    campaign = form_campaign(
        session,
        CLASSES_FORM,
        f"Подтверждение реестра профильных классов по заказам работодателей, "
        f"г. Томск, на 1 октября {year} (концепция 2016)",
        city,
        year,
        {"school": datetime(year, 12, 15, 18, 0)},
        result,
        timezone=zone,
        as_of=date(year, 10, 1),
    )
    if campaign is not None:
        result.responses_filled += _confirmations(session, campaign, rng, keep_empty)
    reports = (
        (SCHOOL_FORM, "Мониторинг профориентационной работы в школах г. Томска", "school"),
        (CITY_FORM, "Сведения департамента образования г. Томска", "municipality"),
    )
    for form_id, title, unit_type in reports:
        campaign = form_campaign(
            session,
            form_id,
            f"{title}, {label} (концепция 2016)",
            city,
            year,
            {unit_type: datetime(year + 1, 6, 20, 18, 0)},
            result,
            timezone=zone,
            as_of=date(year + 1, 5, 31),
        )
        if campaign is None:
            continue
        result.responses_filled += fill_responses(
            session,
            campaign,
            assigned_units(session, campaign),
            rng,
            set(keep_empty),
            spread=CITY_SPREAD if unit_type == "school" else ALL_ACCEPTED,
            comments=CITY_RETURN_COMMENTS,
            preset=_school_report if unit_type == "school" else None,
        )
        _mend_reports(session, campaign, rng)
