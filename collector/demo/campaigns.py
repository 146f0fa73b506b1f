"""The demo's running monitoring: contact persons for the demo units, and the Kaluga
order № 1829 campaigns (school reports, municipal reports) opened with a realistic
spread of progress, so that completeness, review and reminders have something to show.
The demo school's own report is left not started for the demo login to fill in.

Idempotent: a campaign that exists under its title is left alone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.campaigns.lifecycle import CampaignState, LatePolicy, ResponseState, deadline_utc
from collector.campaigns.services import assigned_units, report_key
from collector.demo import kaluga
from collector.demo.answers import synthesise
from collector.entry.services import latest_versions, spec_of
from collector.models import Campaign, CampaignDeadline, FormResponse, FormVersion, OrgUnit
from collector.models.base import utcnow
from collector.models.units import subtree_clause

SCHOOL_FORM = "kaluga-1829-school"
MUNICIPALITY_FORM = "kaluga-1829-municipality"

FIRST_NAMES = ("Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Андрей", "Сергей")
PATRONYMICS_F = ("Викторовна", "Сергеевна", "Ивановна", "Николаевна", "Петровна")
PATRONYMICS_M = ("Викторович", "Сергеевич", "Иванович", "Николаевич", "Петрович")
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Новиков", "Морозов", "Волков")

# Shares of the school reports in each state when the demo is loaded.
SPREAD = (
    (ResponseState.ACCEPTED, 0.35),
    (ResponseState.SUBMITTED, 0.15),
    (ResponseState.RESUBMITTED, 0.04),
    (ResponseState.RETURNED, 0.05),
    (ResponseState.DRAFT, 0.16),
    (ResponseState.NOT_STARTED, 0.25),
)
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


@dataclass
class CampaignsResult:
    campaigns_created: int = 0
    responses_filled: int = 0
    contacts_added: int = 0


def _person(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES)
    male = first in ("Андрей", "Сергей")
    surname = rng.choice(SURNAMES) + ("" if male else "а")
    patronymic = rng.choice(PATRONYMICS_M if male else PATRONYMICS_F)
    return f"{surname} {first} {patronymic}"


def seed_contacts(session: Session, region: OrgUnit, rng: random.Random) -> int:
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
            f"+7 4842 {rng.randint(50, 79)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
        added += 1
    return added


def _version(session: Session, form_id: str) -> FormVersion | None:
    return next((v for v in latest_versions(session) if v.form_id == form_id), None)


def _campaign(
    session: Session,
    title: str,
    version: FormVersion,
    region: OrgUnit,
    year: int,
    deadlines: dict[str, datetime],
) -> Campaign | None:
    if session.scalar(select(Campaign.id).where(Campaign.title == title)) is not None:
        return None
    campaign = Campaign(
        title=title,
        form_version=version,
        owner_unit=region,
        academic_year=year,
        as_of=date(year + 1, 4, 30),  # «по состоянию на 30 апреля»
        late_policy=LatePolicy.FLAG.value,
        timezone=kaluga.REGION_TIMEZONE,
        state=CampaignState.OPEN.value,
        # Opened some weeks ago: the reports below have a history since.
        opened_at=utcnow() - timedelta(days=28),
        unit_types=list(version.document["respondents"]["unit_types"]),
        answer_roles=list(version.document["respondents"].get("roles", [])),
        deadlines=[
            CampaignDeadline(unit_type=t, due_at=deadline_utc(local, kaluga.REGION_TIMEZONE))
            for t, local in deadlines.items()
        ],
    )
    session.add(campaign)
    session.flush()
    record(session, None, "campaign.create", campaign, title=title, demo=True)
    record(session, None, "campaign.open", campaign, before="draft", demo=True)
    return campaign


def _fill(
    session: Session,
    campaign: Campaign,
    units: list[OrgUnit],
    rng: random.Random,
    keep_empty: set[str],
) -> int:
    """One response per unit, in a state drawn from SPREAD, with plausible answers."""
    spec = spec_of(campaign.form_version)
    opened = campaign.opened_at or utcnow()
    filled = 0
    for unit in units:
        roll, state = rng.random(), ResponseState.NOT_STARTED
        for candidate, share in SPREAD:
            if roll < share:
                state = candidate
                break
            roll -= share
        if unit.code in keep_empty:
            state = ResponseState.NOT_STARTED
        started = state != ResponseState.NOT_STARTED
        answers = synthesise(spec, rng, as_of=campaign.as_of) if started else {}
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
            review_comment=rng.choice(RETURN_COMMENTS) if state == ResponseState.RETURNED else None,
        )
        session.add(response)
        session.flush()
        for step, (action, before, after) in enumerate(HISTORY[state]):
            comment = response.review_comment or rng.choice(RETURN_COMMENTS)
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
        filled += started
    return filled


def seed_campaigns(
    session: Session, year: int, rng: random.Random, demo_school_code: str
) -> CampaignsResult:
    """The running campaigns of the demo region, when their forms are published."""
    result = CampaignsResult()
    region = session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.REGION_CODE))
    if region is not None:
        result.contacts_added = seed_contacts(session, region, rng)
    school_version = _version(session, SCHOOL_FORM)
    municipal_version = _version(session, MUNICIPALITY_FORM)
    if region is None or school_version is None or municipal_version is None:
        return result
    label = f"{year}/{year + 1}"
    schools = _campaign(
        session,
        f"Мониторинг профориентационной работы в школах, {label} (приказ № 1829)",
        school_version,
        region,
        year,
        {"school": datetime(year + 1, 5, 15, 18, 0)},
    )
    if schools is not None:
        result.campaigns_created += 1
        result.responses_filled += _fill(
            session, schools, assigned_units(session, schools), rng, {demo_school_code}
        )
    municipalities = _campaign(
        session,
        f"Мониторинг профориентационной работы: отчёты муниципалитетов, {label} (приказ № 1829)",
        municipal_version,
        region,
        year,
        {"municipality": datetime(year + 1, 5, 30, 18, 0)},
    )
    if municipalities is not None:
        result.campaigns_created += 1
        result.responses_filled += _fill(
            session,
            municipalities,
            assigned_units(session, municipalities),
            rng,
            {kaluga.KALUGA.code},
        )
    return result
