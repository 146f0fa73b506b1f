"""The cities' running campaigns for the demo: Tomsk's school report and surveys,
Omsk's school and city reports, answered so that their indicators read plausibly."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from collector.campaigns.services import assigned_units
from collector.models import (
    Campaign,
    FormResponse,
    OrgUnit,
    ResponseState,
    SurveyLink,
)
from collector.models.base import utcnow
from collector.publishing.versions import spec_of
from collector.schema.spec import FormSpec
from demo import omsk, tomsk
from demo.answers import UnitFacts, figure_total, synthesise
from demo.campaigns import (
    ALL_ACCEPTED,
    CITY_RETURN_COMMENTS,
    CITY_SPREAD,
    OMSK_CITY_FORM,
    OMSK_SCHOOL_FORM,
    TOMSK_PARENT_FORM,
    TOMSK_SCHOOL_FORM,
    TOMSK_TEACHER_FORM,
    CampaignsResult,
    fill_responses,
    form_campaign,
    part_of,
    seed_contacts,
    unit_facts,
)
from demo.imported import seed_imports


def _city(
    session: Session,
    region_code: str,
    city_code: str,
    rng: random.Random,
    phone: str,
    result: CampaignsResult,
) -> OrgUnit | None:
    """The city unit, once its region's units have their contact persons."""
    region = session.scalar(select(OrgUnit).where(OrgUnit.code == region_code))
    if region is not None:
        result.contacts_added += seed_contacts(session, region, rng, phone)
    return session.scalar(select(OrgUnit).where(OrgUnit.code == city_code))


def _split(rng: random.Random, total: int, shares: dict[str, float]) -> dict[str, dict[str, int]]:
    """A grid of one count column whose rows share `total` about as given."""
    rows = list(shares)
    counts = {row: round(total * shares[row] * rng.uniform(0.8, 1.2)) for row in rows[:-1]}
    counts[rows[-1]] = max(0, total - sum(counts.values()))
    return {row: {"count": n} for row, n in counts.items()}


def _tomsk_school(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    """The grades it teaches, its classes and graduates: known from its figures."""
    senior = facts.figure("pupils", (10, 12))
    grade9, grade11 = facts.figure("graduates", (9,)), facts.figure("graduates", (11,))
    return {
        "has_basic": facts.teaches(5, 9),
        "has_senior": senior > 0,
        "senior_classes_count": -(-senior // 26),
        "profile_teachers": rng.randint(3, 12) if senior else 0,
        "managers_untrained": rng.choice((0, 0, 0, 1, 1, 2)),
        "in_depth_pupils": part_of(rng, senior, 0.3, 0.8),
        "grads_profile": part_of(rng, grade11, 0.4, 0.9),
        "grads_ege": part_of(rng, grade11, 0.9, 1.0),
        "target_agreements": rng.choice((0, 0, 1, 2, 3)) if grade11 else 0,
        # Last year's leavers, counted against this year's grades: close enough.
        "g9_destination": _split(
            rng,
            grade9,
            {"own10": 0.4, "other10": 0.1, "spo": 0.45, "other": 0.05}
            if senior
            else {"own10": 0.0, "other10": 0.45, "spo": 0.5, "other": 0.05},
        ),
        "g11_destination": _split(
            rng, grade11, {"university": 0.6, "spo": 0.25, "work": 0.08, "other": 0.07}
        ),
    }


def _omsk_school(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    """Every pupil of grade 9 (and 11) makes an individual project; a school has a few
    curricula per level."""
    return {
        "t3_projects_9_total": part_of(rng, facts.figure("pupils", (9,)), 0.85, 1.0),
        "t6_projects_11_total": part_of(rng, facts.figure("pupils", (11,)), 0.85, 1.0),
        "t9_g11_profile_total": part_of(rng, facts.figure("graduates", (11,)), 0.3, 0.8),
        "t3_curricula_5_9_total": rng.randint(5, 15) if facts.teaches(5, 9) else 0,
        "t6_curricula_10_11_total": rng.randint(2, 6) if facts.teaches(10, 11) else 0,
    }


def _omsk_city(facts: UnitFacts, rng: random.Random) -> dict[str, Any]:
    """The department's site has its career-guidance section with every link."""
    links = ["navigator_360", "bilet", "atlas", "centre", "worldskills", "abilympics"]
    return {
        "t1_site_section": True,
        "t1_site_url": "https://omsk-edu.example/proforientatsiya",
        "t1_site_links": links,
    }


def seed_tomsk(
    session: Session,
    year: int,
    rng: random.Random,
    keep_empty: frozenset[str],
    result: CampaignsResult,
) -> None:
    city = _city(session, tomsk.REGION_CODE, tomsk.CITY_CODE, rng, tomsk.PHONE_CODE, result)
    if city is None:
        return
    label = f"{year}/{year + 1}"
    zone = tomsk.TIMEZONE
    # «по итогам учебного года»: the school year's results, due in June.
    campaign = form_campaign(
        session,
        TOMSK_SCHOOL_FORM,
        f"Мониторинг предпрофильной подготовки и профильного обучения в школах "
        f"г. Томска, {label} (распоряжение № 1067)",
        city,
        year,
        {"school": datetime(year + 1, 6, 10, 18, 0)},
        result,
        timezone=zone,
        as_of=date(year + 1, 5, 31),
    )
    if campaign is not None:
        units = assigned_units(session, campaign)
        result.responses_filled += fill_responses(
            session,
            campaign,
            units,
            rng,
            set(keep_empty),
            spread=CITY_SPREAD,
            comments=CITY_RETURN_COMMENTS,
            preset=_tomsk_school,
        )
        result.imported_rows += seed_imports(session, campaign, units, rng, city)
    # The plan of the order: teachers' needs in July, the parents' poll in August.
    surveys = (
        (TOMSK_TEACHER_FORM, TEACHER_SURVEY, TEACHER_MONTH, TEACHER_MIN_RATE),
        (TOMSK_PARENT_FORM, "Опрос родителей о выборе предпрофиля и профиля обучения", 8, None),
    )
    for form_id, title, month, min_rate in surveys:
        campaign = tomsk_survey(session, form_id, title, city, year, month, min_rate, result)
        if campaign is not None:
            result.survey_answers += seed_survey(session, campaign, rng)


TEACHER_SURVEY = "Мониторинг профессиональных потребностей педагогических и руководящих работников"
TEACHER_MONTH = 7  # the plan's item 6.5: in July
TEACHER_MIN_RATE = 40.0


def tomsk_survey(
    session: Session,
    form_id: str,
    title: str,
    city: OrgUnit,
    year: int,
    month: int,
    min_rate: float | None,
    result: CampaignsResult,
) -> Campaign | None:
    """A Tomsk survey campaign of `year`, answered by the 25th of `month` (None: the form
    is not published, or the campaign is there already)."""
    return form_campaign(
        session,
        form_id,
        f"{title}, г. Томск, {year}/{year + 1} (распоряжение № 1067)",
        city,
        year,
        {"school": datetime(year + 1, month, 25, 18, 0)},
        result,
        timezone=tomsk.TIMEZONE,
        as_of=date(year + 1, month, 1),
        min_response_rate=min_rate,
    )


def seed_omsk(
    session: Session,
    year: int,
    rng: random.Random,
    keep_empty: frozenset[str],
    result: CampaignsResult,
) -> None:
    city = _city(session, omsk.REGION_CODE, omsk.CITY_CODE, rng, omsk.PHONE_CODE, result)
    if city is None:
        return
    label = f"{year}/{year + 1}"
    # «Мониторинг за год» after the school year ends: the schools first, the department
    # (which also uploads the admissions and employment tables) after them.
    reports = (
        (OMSK_SCHOOL_FORM, "отчёты школ", "school", 6, CITY_SPREAD, 30, _omsk_school),
        # The city answers for the whole city: its counts are thousands, not tens.
        (
            OMSK_CITY_FORM,
            "отчёт департамента образования",
            "municipality",
            7,
            ALL_ACCEPTED,
            2000,
            _omsk_city,
        ),
    )
    for form_id, what, unit_type, month, spread, scale, preset in reports:
        campaign = form_campaign(
            session,
            form_id,
            f"Показатели эффективности профориентации: {what}, г. Омск, {label} (приказ № 50)",
            city,
            year,
            {unit_type: datetime(year + 1, month, 10, 18, 0)},
            result,
            timezone=omsk.TIMEZONE,
            as_of=date(year + 1, 6, 30),
        )
        if campaign is None:
            continue
        units = assigned_units(session, campaign)
        result.responses_filled += fill_responses(
            session,
            campaign,
            units,
            rng,
            set(keep_empty),
            spread=spread,
            comments=CITY_RETURN_COMMENTS,
            scale=scale,
            preset=preset,
            # The adaptive schools and boarding schools have their own indicators: the
            # demo has them answered, so that those show values.
            accepted=frozenset(u.code for u in units if u.school_type in ("adaptive", "boarding")),
        )
        result.imported_rows += seed_imports(session, campaign, units, rng, city)


# --- Surveys ------------------------------------------------------------------------------


def seed_survey(session: Session, campaign: Campaign, rng: random.Random) -> int:
    """A link per school and anonymous answers through it: a share of the school's
    headcount (the form's `headcount`), each respondent's group drawn in proportion to
    the groups' headcounts; a few schools have not passed the link on yet."""
    spec = spec_of(campaign.form_version)
    units = assigned_units(session, campaign)
    session.add_all(
        # 192 random bits, as the campaign page makes them: a link is a key to answer.
        SurveyLink(campaign_id=campaign.id, unit_id=u.id, token=secrets.token_urlsafe(24))
        for u in units
    )
    facts = unit_facts(session, units, campaign.academic_year)
    opened = campaign.opened_at or utcnow()
    rows = []
    for unit in units:
        unit_facts_ = facts[unit.id]
        headcount = figure_total(spec.headcount, unit_facts_) if spec.headcount else None
        people = int(headcount) if headcount is not None else 20
        # Teachers answer a good part; parents, called by a link in a chat, far fewer.
        rate = rng.uniform(0.35, 0.85) if people < 60 else rng.uniform(0.02, 0.08)
        answered = 0 if rng.random() < 0.08 else round(people * rate)
        groups = _group_weights(spec, unit_facts_)
        for _ in range(answered):
            preset: dict[str, str] = {}
            # groups are empty unless the survey names its category field
            if groups and spec.category_field:
                preset[spec.category_field] = rng.choices(list(groups), list(groups.values()))[0]
            # Only the day is kept of an anonymous answer, as the survey page stores it.
            day = (opened + timedelta(days=rng.randint(0, 25))).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            rows.append(
                {
                    "form_version_id": campaign.form_version_id,
                    "form_id": spec.id,
                    "unit_id": unit.id,
                    "campaign_id": campaign.id,
                    "status": ResponseState.SUBMITTED.value,
                    "answers": synthesise(spec, rng, campaign.as_of, preset=preset),
                    "revision": 1,
                    "late": False,
                    "created_at": day,
                    "updated_at": day,
                    "submitted_at": day,
                }
            )
    if rows:
        session.execute(insert(FormResponse), rows)
    session.flush()
    return len(rows)


def _group_weights(spec: FormSpec, facts: UnitFacts) -> dict[str, float]:
    if not spec.category_field or not spec.category_headcount:
        return {}
    weights = {
        option: float(figure_total(node, facts) or 0)
        for option, node in spec.category_headcount.items()
    }
    return weights if sum(weights.values()) > 0 else {}


# --- Imported tables ----------------------------------------------------------------------
