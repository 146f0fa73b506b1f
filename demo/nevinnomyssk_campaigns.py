"""Nevinnomyssk's campaigns for the demo, as its plan sets them: the monitoring of
section 7 in April–May, the pupils' and parents' satisfaction surveys with it, and the
graduates' employment in September; answered so that the indicators read plausibly and
every submitted report keeps the form's rules."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.campaigns.services import assigned_units
from collector.models import Campaign, FormResponse, OrgUnit
from demo import nevinnomyssk
from demo.answers import UnitFacts
from demo.campaigns import (
    CITY_RETURN_COMMENTS,
    CITY_SPREAD,
    CampaignsResult,
    Preset,
    fill_responses,
    form_campaign,
    part_of,
    seed_contacts,
    unit_facts,
)
from demo.cities import seed_survey

MONITORING_FORM = "nevinnomyssk-2020-school-monitoring"
GRADUATES_FORM = "nevinnomyssk-2020-graduate-employment"
SURVEYS = (
    ("nevinnomyssk-2020-pupil-satisfaction", "Удовлетворённость обучающихся"),
    ("nevinnomyssk-2020-parent-satisfaction", "Удовлетворённость родителей"),
)
ORDER = "приказ № 306 о/д"
POSITIONS = ("заместитель директора по ВР", "педагог-психолог", "советник директора по воспитанию")
EVENTS = (
    ("Всероссийские открытые уроки «ПроеКТОриЯ»", "federal"),
    ("«Билет в будущее»: профессиональные пробы", "federal"),
    ("Городской конкурс «Профессии моего города»", "municipal"),
    ("Краевой форум «Найди свой путь к успеху!»", "regional"),
    ("Школьная неделя профориентации", "school"),
    ("Чемпионат «Профессионалы» (посещение)", "regional"),
)


def _split(rng: random.Random, total: int, shares: dict[str, float]) -> dict[str, dict[str, int]]:
    """A destination grid whose rows add up to `total` exactly: the largest row takes
    what the others leave, so that a small one (the idle, the others) stays small."""
    rows = sorted(shares, key=shares.__getitem__)
    counts: dict[str, int] = {}
    left = total
    for row in rows[:-1]:
        counts[row] = min(left, round(total * shares[row] * rng.uniform(0.8, 1.2)))
        left -= counts[row]
    counts[rows[-1]] = left
    return {row: {"count": counts[row]} for row in shares}


def _graduates(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    grade9, grade11 = facts.figure("graduates", (9,)), facts.figure("graduates", (11,))
    senior = facts.teaches(10, 11)
    found: dict[str, Any] = {"g9_total": grade9, "g11_total": grade11}
    if grade9:
        found["g9_destination"] = _split(
            rng,
            grade9,
            {"grade10_own": 0.45 if senior else 0.0, "grade10_other": 0.05 if senior else 0.4,
             "spo": 0.45, "work": 0.01, "idle": 0.01, "other": 0.03},
        )  # fmt: skip
        continuing = sum(
            found["g9_destination"][row]["count"] for row in ("grade10_own", "grade10_other", "spo")
        )
        found["g9_profile"] = part_of(rng, continuing, 0.3, 0.7)
    if grade11:
        found["g11_destination"] = _split(
            rng,
            grade11,
            {"vuz": 0.6, "spo": 0.22, "work": 0.06, "army": 0.05, "idle": 0.02, "other": 0.05},
        )
        studying = sum(found["g11_destination"][row]["count"] for row in ("vuz", "spo"))
        found["g11_profile"] = part_of(rng, studying, 0.4, 0.8)
    return found


def _monitoring(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    senior = facts.figure("pupils", (8, 11))
    flagship = facts.school_type in ("gymnasium", "lyceum")
    parts = {
        "agreements_poo": rng.randint(1, 2),
        "agreements_vuz": rng.randint(0, 1),
        "agreements_enterprise": rng.randint(1, 3),
    }
    return {
        # Nearly every school takes part in early career guidance; few are the city's
        # innovation sites; summer jobs for minors are arranged by about half of them.
        "events_held": rng.random() < 0.95,
        "innovation_site": rng.random() < (0.4 if flagship else 0.1),
        "employment_organised": rng.random() < 0.55,
        "reward_measures": rng.random() < 0.75,
        **parts,
        # Some agreements are with partners of another kind (a museum, a library).
        "agreements_total": sum(parts.values()) + rng.randint(0, 2),
        "trials_poo": part_of(rng, senior, 0.1, 0.3),
        "trials_vuz": part_of(rng, senior, 0.0, 0.05),
        "trials_enterprise": part_of(rng, senior, 0.02, 0.1),
        "minors_employed": part_of(rng, facts.figure("pupils", (8, 11)), 0.03, 0.1) or 1,
    }


def _events(rng: random.Random, school: UnitFacts, year: int) -> list[dict[str, Any]]:
    """A few events of the year, each with its participants out of the school's pupils,
    children with ОВЗ about as many among them as in the school, and winners (the form's
    rules hold for the totals)."""
    rows = []
    for name, level in rng.sample(EVENTS, rng.randint(2, 4)):
        participants = max(5, part_of(rng, school.figure("pupils"), 0.05, 0.4))
        ovz = min(participants, round(participants * school.ovz_rate * rng.uniform(0.5, 1.5)))
        winners = part_of(rng, participants, 0.0, 0.15)
        rows.append(
            {
                "event": name,
                "level": level,
                "date": date(year + 1, rng.randint(1, 4), rng.randint(1, 28)).isoformat(),
                "participants": participants,
                "ovz": ovz,
                "winners": winners,
                "ovz_winners": min(ovz, winners, rng.randint(0, 1)),
            }
        )
    return rows


PROGRAMMES = (
    "Программа профориентационной работы «Мой выбор»",
    "Программа сопровождения профессионального самоопределения обучающихся «Траектория»",
    "Программа профориентационной работы «Шаг в профессию»",
    "Программа «Профессиональное самоопределение обучающихся»",
)
INNOVATION_TOPICS = (
    "Сетевое взаимодействие школы и предприятий города в профориентации обучающихся",
    "Профильные психолого-педагогические классы как ресурс профессионального самоопределения",
    "Ранняя профориентация обучающихся начальных классов",
)


def _mend_monitoring(session: Session, campaign: Campaign, rng: random.Random) -> None:
    """What the synthesiser cannot preset, as a school would fill it: its programme (most
    schools have one, as the concept asks), the rare innovation site, the events table
    with participants out of the school's pupils, and the career events with their counts."""
    rows = list(
        session.execute(
            select(FormResponse, OrgUnit)
            .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
            .where(FormResponse.campaign_id == campaign.id)
            .order_by(OrgUnit.code)
        )
    )
    facts = unit_facts(session, [unit for _r, unit in rows], campaign.academic_year)
    year = campaign.academic_year
    for response, unit in rows:
        answers = dict(response.answers or {})
        if not answers:
            continue
        school = facts[unit.id]
        if "programme" in answers:
            programme = rng.choices(("separate", "module_only", "none"), (0.55, 0.35, 0.1))[0]
            answers["programme"] = programme
            for key in ("programme_name", "programme_approved", "programme_grades"):
                answers.pop(key, None)
            if programme == "separate":
                answers["programme_name"] = rng.choice(PROGRAMMES)
                # Approved at the start of a school year, after the concept of 2020.
                approved = date(rng.randint(max(2020, year - 3), year), 8, rng.randint(25, 31))
                answers["programme_approved"] = approved.isoformat()
                answers["programme_grades"] = [
                    stage
                    for stage, (first, last) in (
                        ("g1_7", (1, 7)),
                        ("g8_9", (8, 9)),
                        ("g10_11", (10, 11)),
                    )
                    if school.teaches(first, last)
                ]
        if answers.get("innovation_site"):
            answers["innovation_topic"] = rng.choice(INNOVATION_TOPICS)
            answers["innovation_order"] = (
                f"приказ управления образования от {rng.randint(1, 28):02d}.09.{year - 1} "
                f"№ {rng.randint(300, 600)} о/д, на {year - 1}–{year + 2} годы"
            )
        if answers.get("events_held"):
            answers["events"] = _events(rng, school, year)
        chosen = [c for c in answers.get("career_events") or [] if c != "none"]
        if "career_events" in answers:
            answers["career_events"] = chosen or ["none"]
            # A school holds a job fair or a festival once or twice a year, open days
            # more often.
            for option, key, most in (
                ("job_fair", "job_fairs", 2),
                ("open_day", "open_days", 6),
                ("forum", "forums", 3),
                ("festival", "festivals", 2),
            ):
                if option in chosen:
                    answers[key] = rng.randint(1, most)
                else:
                    answers.pop(key, None)
        response.answers = answers


def _local_contacts(session: Session, campaign: Campaign, rng: random.Random) -> None:
    """The responsible person is the school's contact person, reached at the school's
    number (in the city's code) and address."""
    for response, unit in session.execute(
        select(FormResponse, OrgUnit)
        .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
        .where(FormResponse.campaign_id == campaign.id)
        .order_by(OrgUnit.code)
    ):
        person = (response.answers or {}).get("responsible")
        if isinstance(person, dict) and unit.contact_name:
            response.answers = {
                **response.answers,
                "responsible": {
                    "full_name": unit.contact_name,
                    "position": rng.choice(POSITIONS),
                    "phone": unit.contact_phone,
                    "email": unit.contact_email,
                },
            }


def seed_nevinnomyssk(
    session: Session,
    year: int,
    rng: random.Random,
    keep_empty: frozenset[str],
    result: CampaignsResult,
) -> None:
    region = session.scalar(select(OrgUnit).where(OrgUnit.code == nevinnomyssk.REGION_CODE))
    city = session.scalar(select(OrgUnit).where(OrgUnit.code == nevinnomyssk.CITY_CODE))
    if region is None or city is None:
        return
    result.contacts_added += seed_contacts(session, region, rng, nevinnomyssk.PHONE_CODE)
    label = f"{year}/{year + 1}"
    zone = nevinnomyssk.TIMEZONE
    # The gymnasiums and lyceums report first; the others as the spread has it.
    flagships = frozenset(
        s.code for s in nevinnomyssk.demo_schools() if s.school_type in ("gymnasium", "lyceum")
    )

    def report(form_id: str, title: str, due: datetime, as_of: date, preset: Preset) -> None:
        campaign = form_campaign(
            session, form_id, title, city, year, {"school": due}, result, timezone=zone, as_of=as_of
        )
        if campaign is None:
            return
        result.responses_filled += fill_responses(
            session,
            campaign,
            assigned_units(session, campaign),
            rng,
            set(keep_empty),
            spread=CITY_SPREAD,
            comments=CITY_RETURN_COMMENTS,
            preset=preset,
            accepted=flagships,
        )
        if form_id == MONITORING_FORM:
            _mend_monitoring(session, campaign, rng)
        _local_contacts(session, campaign, rng)

    report(
        MONITORING_FORM,
        f"Муниципальный мониторинг профориентации, г. Невинномысск, {label} ({ORDER})",
        datetime(year + 1, 5, 29, 18, 0),
        date(year + 1, 4, 30),
        _monitoring,
    )
    for form_id, title in SURVEYS:
        campaign = form_campaign(
            session,
            form_id,
            f"{title} профориентационной работой, г. Невинномысск, {label} ({ORDER})",
            city,
            year,
            {"school": datetime(year + 1, 5, 20, 18, 0)},
            result,
            timezone=zone,
            as_of=date(year + 1, 4, 15),
        )
        if campaign is not None:
            result.survey_answers += seed_survey(session, campaign, rng)
    # September: where last year's graduates went (counted against this year's grades).
    report(
        GRADUATES_FORM,
        f"Мониторинг трудоустройства выпускников, г. Невинномысск, сентябрь {year} ({ORDER})",
        datetime(year, 9, 30, 18, 0),
        date(year, 9, 15),
        _graduates,
    )
