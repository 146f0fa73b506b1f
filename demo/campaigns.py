"""The demo's running monitoring: contact persons for the demo units; the Kaluga order
№ 1829 campaigns (school reports, municipal reports) opened with a realistic spread of
progress, so that completeness, review and reminders have something to show; and the
machinery the cities' campaigns share (demo.cities). A campaign is opened only
when its form is published (`flask schemas load` publishes every form of form_schemas/
that compiles), so a form still being written leaves the rest of the demo as it is. The
demo schools' own reports are left not started for the demo logins to fill in.

Answers come from demo.answers (any form, following each unit's figures) and
imported rows from the form's declared columns (demo.imported), so the demo
does not depend on the forms' exact fields. Idempotent: a campaign that exists under its
title is left alone."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.campaigns.lifecycle import CampaignState, LatePolicy, deadline_utc
from collector.campaigns.services import assigned_units, report_key
from collector.models import (
    Campaign,
    CampaignDeadline,
    FormResponse,
    FormVersion,
    OrgUnit,
    ReferenceFigure,
    ResponseState,
    RoleAssignment,
    User,
)
from collector.models.base import utcnow
from collector.models.units import subtree_clause
from collector.publishing.versions import latest_versions, spec_of
from collector.schema.spec import FormSpec
from demo import kaluga
from demo.answers import UnitFacts, synthesise

SCHOOL_FORM = "kaluga-1829-school"
MUNICIPALITY_FORM = "kaluga-1829-municipality"
TOMSK_SCHOOL_FORM = "tomsk-2022-school-report"
TOMSK_TEACHER_FORM = "tomsk-2022-teacher-needs"
TOMSK_PARENT_FORM = "tomsk-2022-parent-poll"
OMSK_SCHOOL_FORM = "omsk-2023-school-report"
OMSK_CITY_FORM = "omsk-2023-city-report"

FIRST_NAMES = ("Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Андрей", "Сергей")
PATRONYMICS_F = ("Викторовна", "Сергеевна", "Ивановна", "Николаевна", "Петровна")
PATRONYMICS_M = ("Викторович", "Сергеевич", "Иванович", "Николаевич", "Петрович")
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Новиков", "Морозов", "Волков")

Spread = tuple[tuple[ResponseState, float], ...]
# Shares of the school reports in each state when the demo is loaded.
SPREAD: Spread = (
    (ResponseState.ACCEPTED, 0.35),
    (ResponseState.SUBMITTED, 0.15),
    (ResponseState.RESUBMITTED, 0.04),
    (ResponseState.RETURNED, 0.05),
    (ResponseState.DRAFT, 0.16),
    (ResponseState.NOT_STARTED, 0.25),
)
# The cities' reports are further on: most are in, a few are drafts or missing.
CITY_SPREAD: Spread = (
    (ResponseState.ACCEPTED, 0.55),
    (ResponseState.SUBMITTED, 0.14),
    (ResponseState.RESUBMITTED, 0.03),
    (ResponseState.RETURNED, 0.05),
    (ResponseState.DRAFT, 0.11),
    (ResponseState.NOT_STARTED, 0.12),
)
ALL_ACCEPTED: Spread = ((ResponseState.ACCEPTED, 1.0),)
_SAVE = ("response.save", "not_started", "draft")
_SUBMIT = ("response.submit", "draft", "submitted")
_RETURN = ("response.return", "submitted", "returned")
# What happened to a report to bring it to each state (as the review pages record it).
HISTORY: dict[ResponseState, list[tuple[str, str, str]]] = {
    ResponseState.NOT_STARTED: [],
    ResponseState.DRAFT: [_SAVE],
    ResponseState.SUBMITTED: [_SAVE, _SUBMIT],
    ResponseState.RETURNED: [_SAVE, _SUBMIT, _RETURN],
    ResponseState.RESUBMITTED: [
        _SAVE,
        _SUBMIT,
        _RETURN,
        ("response.submit", "returned", "resubmitted"),
    ],
    ResponseState.ACCEPTED: [_SAVE, _SUBMIT, ("response.accept", "submitted", "accepted")],
}
RETURN_COMMENTS = (
    "Проверьте число обучающихся, охваченных профпробами: оно больше численности 6–11 классов.",
    "Не указаны места практики на предприятиях: уточните п. 11.6.",
    "Число публикаций в СМИ расходится с отчётом за прошлый год — подтвердите.",
)
CITY_RETURN_COMMENTS = (
    "Проверьте численность обучающихся 10–11 классов: она расходится со справочными данными.",
    "Число участников мероприятий больше, чем обучающихся этих классов, — уточните.",
    "Данные о выпускниках 9 классов расходятся с отчётом прошлого года — подтвердите.",
)


@dataclass
class CampaignsResult:
    campaigns_created: int = 0
    responses_filled: int = 0
    contacts_added: int = 0
    survey_answers: int = 0
    imported_rows: int = 0
    registry_records: int = 0
    staff_created: int = 0  # accounts made for the schools' staff who keep records


def _person(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES)
    male = first in ("Андрей", "Сергей")
    surname = rng.choice(SURNAMES) + ("" if male else "а")
    patronymic = rng.choice(PATRONYMICS_M if male else PATRONYMICS_F)
    return f"{surname} {first} {patronymic}"


def seed_contacts(
    session: Session, region: OrgUnit, rng: random.Random, phone_code: str = "4842"
) -> int:
    """A contact person, e-mail and phone for demo units that have none."""
    units = session.scalars(
        select(OrgUnit)
        .where(subtree_clause(region.path), OrgUnit.contact_name.is_(None))
        .order_by(OrgUnit.path)
    )
    added = 0
    for unit in units:
        if unit.unit_type not in ("school", "municipality"):
            continue
        unit.contact_name = _person(rng)
        unit.contact_email = f"{unit.code.lower()}@edu-demo.example"
        unit.contact_phone = (
            f"+7 {phone_code} {rng.randint(50, 79)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
        added += 1
    return added


def published_version(session: Session, form_id: str) -> FormVersion | None:
    return next((v for v in latest_versions(session) if v.form_id == form_id), None)


def demo_campaign(
    session: Session,
    title: str,
    version: FormVersion,
    owner: OrgUnit,
    year: int,
    deadlines: dict[str, datetime],
    *,
    timezone: str = kaluga.REGION_TIMEZONE,
    as_of: date | None = None,
    min_response_rate: float | None = None,
) -> Campaign | None:
    if session.scalar(select(Campaign.id).where(Campaign.title == title)) is not None:
        return None
    campaign = Campaign(
        title=title,
        form_version=version,
        owner_unit=owner,
        academic_year=year,
        as_of=as_of or date(year + 1, 4, 30),  # «по состоянию на 30 апреля»
        late_policy=LatePolicy.FLAG.value,
        timezone=timezone,
        state=CampaignState.OPEN.value,
        # Opened some weeks ago: the reports below have a history since.
        opened_at=utcnow() - timedelta(days=28),
        unit_types=list(version.document["respondents"]["unit_types"]),
        answer_roles=list(version.document["respondents"].get("roles", [])),
        min_response_rate=min_response_rate,
        deadlines=[
            CampaignDeadline(unit_type=t, due_at=deadline_utc(local, timezone))
            for t, local in deadlines.items()
        ],
    )
    session.add(campaign)
    session.flush()
    record(session, None, "campaign.create", campaign, title=title, demo=True)
    record(session, None, "campaign.open", campaign, before="draft", demo=True)
    return campaign


def form_campaign(
    session: Session,
    form_id: str,
    title: str,
    owner: OrgUnit,
    year: int,
    deadlines: dict[str, datetime],
    result: CampaignsResult,
    **options: Any,
) -> Campaign | None:
    """A demo campaign of a published form, counted in `result`; None when the form is
    not published or the campaign exists already (options: those of demo_campaign)."""
    version = published_version(session, form_id)
    if version is None:
        return None
    campaign = demo_campaign(session, title, version, owner, year, deadlines, **options)
    if campaign is not None:
        result.campaigns_created += 1
    return campaign


def unit_facts(session: Session, units: list[OrgUnit], year: int) -> dict[int, UnitFacts]:
    """What the answers follow: each unit's figures for the year and its school type."""
    figures: dict[int, dict[tuple[str, int], int]] = {u.id: {} for u in units}
    ids = list(figures)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(
                ReferenceFigure.unit_id,
                ReferenceFigure.figure,
                ReferenceFigure.grade,
                ReferenceFigure.value,
            ).where(
                ReferenceFigure.academic_year == year,
                ReferenceFigure.unit_id.in_(ids[start : start + 500]),
            )
        )
        for unit_id, figure, grade, value in rows:
            figures[unit_id][(figure, grade)] = value
    return {u.id: UnitFacts(figures[u.id], u.school_type) for u in units}


# Answers the demo knows from a unit's figures (see _presets): they replace drawn ones.
Preset = Callable[[UnitFacts, random.Random], dict[str, Any]]


def fill_responses(
    session: Session,
    campaign: Campaign,
    units: list[OrgUnit],
    rng: random.Random,
    keep_empty: set[str],
    *,
    spread: Spread = SPREAD,
    comments: tuple[str, ...] = RETURN_COMMENTS,
    scale: int = 30,
    preset: Preset | None = None,
    accepted: frozenset[str] = frozenset(),
) -> int:
    """One response per unit, in a state drawn from the spread (`accepted`: units whose
    report is in whatever the draw), with plausible answers that follow the unit's
    figures."""
    spec = spec_of(campaign.form_version)
    facts = unit_facts(session, units, campaign.academic_year)
    opened = campaign.opened_at or utcnow()
    filled = 0
    made: list[tuple[FormResponse, ResponseState, datetime]] = []
    for unit in units:
        roll, state = rng.random(), ResponseState.NOT_STARTED
        for candidate, share in spread:
            if roll < share:
                state = candidate
                break
            roll -= share
        if unit.code in accepted:
            state = ResponseState.ACCEPTED
        if unit.code in keep_empty:
            state = ResponseState.NOT_STARTED
        started = state != ResponseState.NOT_STARTED
        answers = (
            synthesise(
                spec,
                rng,
                campaign.as_of,
                scale=scale,
                unit=facts[unit.id],
                preset=asked_fields(spec, preset(facts[unit.id], rng)) if preset else None,
            )
            if started
            else {}
        )
        if state == ResponseState.DRAFT:
            # A draft is half done: the first sections only.
            first = {f.id for s in spec.sections[: len(spec.sections) // 2] for f in s.fields}
            answers = {k: v for k, v in answers.items() if k in first}
        moment = opened + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 12))
        response = FormResponse(
            form_version_id=campaign.form_version_id,
            form_id=spec.id,
            unit_id=unit.id,
            campaign_id=campaign.id,
            unit_report_key=report_key(campaign, unit.id),
            status=state.value,
            answers=answers,
            revision=1 if started else 0,
            created_at=moment,
            updated_at=moment,
            submitted_at=moment + timedelta(days=1)
            if state not in (ResponseState.NOT_STARTED, ResponseState.DRAFT)
            else None,
            review_comment=rng.choice(comments) if state == ResponseState.RETURNED else None,
        )
        session.add(response)
        made.append((response, state, moment))
        filled += started
    # One flush for the ids the history needs, not one per report.
    session.flush()
    for response, state, moment in made:
        for step, (action, before, after) in enumerate(HISTORY[state]):
            comment = response.review_comment or rng.choice(comments)
            event = record(
                session,
                None,
                action,
                response,
                before=before,
                after=after,
                comment=comment if action == "response.return" else None,
                demo=True,
            )
            # The history reads as days of work after the campaign opened.
            event.at = moment + timedelta(days=step, hours=rng.randint(1, 8))
    return filled


def seed_kaluga(
    session: Session,
    year: int,
    rng: random.Random,
    demo_school_code: str,
    result: CampaignsResult,
) -> None:
    region = session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.REGION_CODE))
    if region is not None:
        result.contacts_added += seed_contacts(session, region, rng)
    school_version = published_version(session, SCHOOL_FORM)
    municipal_version = published_version(session, MUNICIPALITY_FORM)
    if region is None or school_version is None or municipal_version is None:
        return
    label = f"{year}/{year + 1}"
    schools = demo_campaign(
        session,
        f"Мониторинг профориентационной работы в школах, {label} (приказ № 1829)",
        school_version,
        region,
        year,
        {"school": datetime(year + 1, 5, 15, 18, 0)},
    )
    if schools is not None:
        result.campaigns_created += 1
        result.responses_filled += fill_responses(
            session, schools, assigned_units(session, schools), rng, {demo_school_code}
        )
    municipalities = demo_campaign(
        session,
        f"Мониторинг профориентационной работы: отчёты муниципалитетов, {label} (приказ № 1829)",
        municipal_version,
        region,
        year,
        {"municipality": datetime(year + 1, 5, 30, 18, 0)},
    )
    if municipalities is not None:
        result.campaigns_created += 1
        result.responses_filled += fill_responses(
            session,
            municipalities,
            assigned_units(session, municipalities),
            rng,
            {kaluga.KALUGA.code},
        )


def city_coordinator(session: Session, city: OrgUnit) -> User | None:
    """Who uploads the city's tables: the first account coordinating the city."""
    return session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.unit_id == city.id, RoleAssignment.role == "regional_coordinator")
        .order_by(User.id)
    )


def part_of(rng: random.Random, whole: int, low: float, high: float) -> int:
    return min(whole, round(whole * rng.uniform(low, high)))


def asked_fields(spec: FormSpec, preset: dict[str, Any]) -> dict[str, Any]:
    """Only the preset answers the form still asks, of the kind it asks them: a form that
    changed keeps its drawn answers."""
    fields = {f.id: f for f in spec.fields}
    kept = {}
    for key, value in preset.items():
        field = fields.get(key)
        if field is None:
            continue
        if isinstance(value, bool):
            fits = field.type == "yes_no"
        elif isinstance(value, int):
            fits = field.type == "integer" and (field.max is None or value <= field.max)
            fits = fits and (field.min is None or value >= field.min)
        elif isinstance(value, str):
            fits = field.type in ("text", "long_text")
        elif isinstance(value, list):
            options = {o.value for o in field.options}
            fits = field.type == "multiple_choice" and set(value) <= options
        else:
            columns = {c.id for c in field.columns}
            fits = (
                field.type == "grid"
                and set(value) == {r.value for r in field.rows}
                and all(set(cells) == columns for cells in value.values())
            )
        if fits:
            kept[key] = value
    return kept
