"""The Tomsk concept of 2016 in the demo, in the city of Tomsk: the registries it keeps
(professional trials, programmes, profile classes, schools founded by universities), their
records with a history (some edited, one archived per registry), the confirmation of the
profile classes in a campaign, and answered campaigns of its school and city reports.

Records are written through the registry services, so that revisions and the audit are as
a user's would be; the acting user is the unit's own staff where the demo has one, else
the administrator."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.campaigns.lifecycle import ResponseState
from collector.campaigns.services import assigned_units, report_key
from collector.demo import tomsk
from collector.demo.answers import synthesise
from collector.demo.campaigns import (
    CITY_RETURN_COMMENTS,
    CITY_SPREAD,
    CampaignsResult,
    demo_campaign,
    fill_responses,
    published_version,
)
from collector.entry.services import spec_of
from collector.models import (
    Campaign,
    FormResponse,
    OrgUnit,
    RegistryRecord,
    RoleAssignment,
    User,
)
from collector.models.base import utcnow
from collector.registries import services
from collector.schema.spec import FormSpec

SCHOOL_FORM = "tomsk-2016-school-report"
CITY_FORM = "tomsk-2016-city-report"
CLASSES_FORM = "tomsk-2016-classes-employers"

# Per registry: how many holders keep records and how many each, the names of records,
# and the organisations a record's text fields name (its base, customer, partner, founder).
TRIALS = (
    "Инженер-химик",
    "Оператор беспилотных авиационных систем",
    "Медицинская сестра",
    "Разработчик мобильных приложений",
    "Повар-кондитер",
    "Электромонтёр",
    "Лаборант химического анализа",
    "Веб-дизайнер",
    "Автомеханик",
    "Лесной инженер",
    "Геолог-нефтяник",
    "Педагог дополнительного образования",
)
PROGRAMMES = (
    "Робототехника",
    "Юный химик",
    "Основы программирования на Python",
    "Школа юного медика",
    "Мир профессий",
    "3D-моделирование и прототипирование",
    "Юный журналист",
    "Экономика и финансовая грамотность",
    "Инженерная графика",
    "Биотехнологии для школьников",
)
ORGANISATIONS = {
    "tomsk-2016-trials": (
        "ОГБПОУ «Томский политехнический техникум»",
        "ОГБПОУ «Томский техникум информационных технологий»",
        "ФГАОУ ВО НИ ТПУ",
        "ФГБОУ ВО СибГМУ Минздрава России",
        "АО «Томскнефтехим»",
        "ОГБПОУ «Томский аграрный колледж»",
    ),
    "tomsk-2016-programmes": (
        "МАОУ ДО «Планирование карьеры»",
        "МАОУ ДО «Дом детского творчества „Луч“»",
        "МАОУ ДО «Центр дополнительного образования „Факел“»",
        "ФГАОУ ВО НИ ТГУ",
        "ФГБОУ ВО ТУСУР",
    ),
    "tomsk-2016-classes-employers": (
        "АО «Томскнефтехим» (СИБУР)",
        "АО «Сибирский химический комбинат» (Росатом)",
        "ООО «Газпром трансгаз Томск»",
        "АО «НПФ „Микран“»",
        "ОГАУЗ «Томская областная клиническая больница»",
    ),
    "tomsk-2016-classes-contracts": (
        "ФГАОУ ВО НИ ТГУ",
        "ФГАОУ ВО НИ ТПУ",
        "ФГБОУ ВО ТУСУР",
        "ФГБОУ ВО СибГМУ Минздрава России",
        "ФГБОУ ВО ТГПУ",
        "ФГБОУ ВО ТГАСУ",
        "ОГБПОУ «Томский политехнический техникум»",
    ),
    "tomsk-2016-university-schools": ("ФГАОУ ВО НИ ТПУ", "ФГАОУ ВО НИ ТГУ"),
}
# form id: (schools keeping records, records per holder: low, high)
PLAN = {
    "tomsk-2016-trials": (0, (12, 12)),
    "tomsk-2016-programmes": (10, (1, 2)),
    "tomsk-2016-classes-employers": (12, (1, 2)),
    "tomsk-2016-classes-contracts": (15, (1, 2)),
    "tomsk-2016-university-schools": (2, (1, 1)),
}
LETTERS = "АБВГ"


def _keeper(session: Session, spec: FormSpec, unit: OrgUnit, admin: User) -> User:
    """The unit's own staff member who may keep its records, else the administrator."""
    for user in session.scalars(
        select(User).join(RoleAssignment).where(RoleAssignment.unit_id == unit.id)
    ):
        if services.may_keep(user, spec, unit):
            return user
    return admin


def _title(form_id: str, spec: FormSpec, answers: dict[str, Any], unit: OrgUnit, n: int) -> str:
    if form_id == "tomsk-2016-trials":
        return f"Профессиональная проба «{TRIALS[n % len(TRIALS)]}»"
    if form_id == "tomsk-2016-programmes":
        return f"«{PROGRAMMES[(n + unit.id) % len(PROGRAMMES)]}»"
    if form_id == "tomsk-2016-university-schools":
        return unit.name
    # A profile class: its grade and letter, and its profile where the passport has one.
    profile = next(
        (
            o.label.ru.lower()
            for f in spec.fields
            if f.type == "single_choice" and f.id in answers
            for o in f.options
            if o.value == answers[f.id] and "профил" in f.label.ru.lower()
        ),
        None,
    )
    name = f"{10 + n % 2} «{LETTERS[n % len(LETTERS)]}»"
    return f"{name}, {profile} профиль" if profile else name


def _passport(
    form_id: str, spec: FormSpec, unit: OrgUnit, n: int, rng: random.Random, as_of: date
) -> dict[str, Any]:
    assert spec.registry is not None
    preset: dict[str, Any] = {}
    organisations = ORGANISATIONS.get(form_id, ())
    fields = {f.id: f for f in spec.fields}
    for summary in spec.registry.summaries:
        if fields[summary.by].type == "text" and organisations:
            preset[summary.by] = rng.choice(organisations)
    answers = synthesise(spec, rng, as_of, scale=25, preset=preset)
    answers[spec.registry.record_title] = _title(form_id, spec, answers, unit, n)
    return answers


def _holders(
    session: Session, form_id: str, spec: FormSpec, city: OrgUnit, schools: int
) -> list[OrgUnit]:
    found: list[OrgUnit] = []
    if "school" in spec.unit_types and schools:
        candidates = list(
            session.scalars(
                select(OrgUnit)
                .where(OrgUnit.parent_id == city.id, OrgUnit.unit_type == "school")
                .order_by(OrgUnit.code)
            )
        )
        if "classes" in form_id:  # profile classes are senior grades: not a basic school
            candidates = [u for u in candidates if "ООШ" not in u.name]
        found += candidates[:: max(1, len(candidates) // schools)][:schools]
    if "municipality" in spec.unit_types:
        found.append(city)
    return found


def seed_registries(
    session: Session, city: OrgUnit, admin: User, rng: random.Random, as_of: date
) -> int:
    """The records of each registry not yet seeded; the number of records made."""
    made = 0
    for form_id, (schools, (low, high)) in PLAN.items():
        version = published_version(session, form_id)
        if version is None or version.kind != "registry":
            continue
        if session.scalar(select(RegistryRecord.id).where(RegistryRecord.form_id == form_id)):
            continue  # seeded before
        kept = services.Registry(version, spec_of(version))
        records: list[tuple[RegistryRecord, User]] = []
        for unit in _holders(session, form_id, kept.spec, city, schools):
            keeper = _keeper(session, kept.spec, unit, admin)
            for n in range(rng.randint(low, high) if unit.unit_type == "school" else high):
                answers = _passport(form_id, kept.spec, unit, n, rng, as_of)
                found = services.create_record(
                    session, keeper, kept, unit, answers, published=rng.random() < 0.9
                )
                if isinstance(found, RegistryRecord):
                    records.append((found, keeper))
        # A history: some records corrected since, the last one closed.
        numbers = [f.id for f in kept.spec.fields if f.type == "integer"]
        for found, keeper in records[1::4]:
            data = dict(found.data)
            counted = next((k for k in numbers if isinstance(data.get(k), int)), None)
            if counted is not None:  # a count corrected by one
                data[counted] += -1 if data[counted] > 0 else 1
            services.edit_record(session, keeper, kept, found, data, True, found.revision)
        if len(records) > 2:
            found, keeper = records[-1]
            services.set_archived(session, keeper, kept, found, True)
        made += len(records)
    session.flush()
    return made


def _confirmations(
    session: Session, campaign: Campaign, rng: random.Random, unconfirmed: float = 0.15
) -> int:
    """Most schools have confirmed their profile classes; a few have not yet."""
    spec = spec_of(campaign.form_version)
    opened = campaign.opened_at or utcnow()
    confirmed = 0
    for unit in assigned_units(session, campaign):
        moment = opened + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 9))
        state = ResponseState.NOT_STARTED
        answers: dict[str, Any] = {}
        if rng.random() >= unconfirmed:
            state = ResponseState.ACCEPTED if rng.random() < 0.7 else ResponseState.SUBMITTED
            answers = services.confirmation(
                services.unit_records(session, spec.id, unit.id), moment
            )
            confirmed += 1
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
        session.flush()
        if answers:
            event = record(
                session,
                None,
                "registry.confirm",
                response,
                records=[r["_record"] for r in answers["records"]],
                demo=True,
            )
            event.at = moment
    return confirmed


def seed_tomsk2016(
    session: Session, year: int, rng: random.Random, result: CampaignsResult
) -> None:
    city = session.scalar(select(OrgUnit).where(OrgUnit.code == tomsk.CITY_CODE))
    admin = session.scalar(
        select(User).join(RoleAssignment).where(RoleAssignment.role == "admin").order_by(User.id)
    )
    if city is None or admin is None:
        return
    label = f"{year}/{year + 1}"
    zone = tomsk.TIMEZONE
    result.registry_records += seed_registries(session, city, admin, rng, date(year, 10, 1))
    version = published_version(session, CLASSES_FORM)
    if version is not None:
        campaign = demo_campaign(
            session,
            f"Подтверждение реестра профильных классов по заказам работодателей, "
            f"г. Томск, на 1 октября {year} (концепция 2016)",
            version,
            city,
            year,
            {"school": datetime(year, 12, 15, 18, 0)},
            timezone=zone,
            as_of=date(year, 10, 1),
        )
        if campaign is not None:
            result.campaigns_created += 1
            result.responses_filled += _confirmations(session, campaign, rng)
    reports = (
        (SCHOOL_FORM, "Мониторинг профориентационной работы в школах г. Томска", "school"),
        (CITY_FORM, "Сведения департамента образования г. Томска", "municipality"),
    )
    for form_id, title, unit_type in reports:
        version = published_version(session, form_id)
        if version is None:
            continue
        campaign = demo_campaign(
            session,
            f"{title}, {label} (концепция 2016)",
            version,
            city,
            year,
            {unit_type: datetime(year + 1, 6, 20, 18, 0)},
            timezone=zone,
            as_of=date(year + 1, 5, 31),
        )
        if campaign is not None:
            result.campaigns_created += 1
            result.responses_filled += fill_responses(
                session,
                campaign,
                assigned_units(session, campaign),
                rng,
                set(),
                spread=CITY_SPREAD,
                comments=CITY_RETURN_COMMENTS,
                accepted=frozenset({tomsk.CITY_CODE}),
            )
