"""The Tomsk teacher-needs survey's year before (order № 1067), and the cycle after it:
the survey of the previous academic year, closed with its answers; the city's targeted
recommendations to the schools its analysis finds missing (plan item 7.1), sent (the
demo school's among them, for its login to read and acknowledge); the measure recorded
(courses for the teachers of the schools the course recommendation went to); and this
year's survey — the measurement repeated (module 4, item 6.5) — where more teachers of
those schools have taken the courses, so that the measure's effect shows.

Deterministic (a seeded random), idempotent (nothing is made when the campaign exists
under its title), and as fast as one more year of the survey's answers."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.analysis import measures, recommendations
from collector.campaigns.lifecycle import CampaignState
from collector.models import Campaign, FormResponse, OrgUnit, User
from collector.models.base import utcnow
from demo import tomsk
from demo.campaigns import TOMSK_TEACHER_FORM, CampaignsResult, published_version
from demo.cities import TEACHER_MIN_RATE, TEACHER_MONTH, TEACHER_SURVEY, seed_survey, tomsk_survey

COURSES = "rec_thematic_courses"
AIMED = "ind_5_5_involved_trained"
# Of the teachers of the concerned schools who work with grades 10–11 and had not taken
# thematic courses, the share who have by this year's survey.
TRAINED_SINCE = 0.4


def seed_tomsk_last_year(
    session: Session,
    year: int,
    rng: random.Random,
    result: CampaignsResult,
    demo_school_code: str,
) -> None:
    """The teacher-needs survey of `year` (the year before the demo's) and its cycle."""
    city = session.scalar(select(OrgUnit).where(OrgUnit.code == tomsk.CITY_CODE))
    version = published_version(session, TOMSK_TEACHER_FORM)
    coordinator = session.scalar(select(User).where(User.username == "tomsk"))
    if city is None or version is None or coordinator is None:
        return
    campaign = tomsk_survey(
        session,
        TOMSK_TEACHER_FORM,
        TEACHER_SURVEY,
        city,
        year,
        TEACHER_MONTH,
        TEACHER_MIN_RATE,
        result,
    )
    if campaign is None:
        return
    campaign.state = CampaignState.CLOSED.value
    campaign.opened_at = campaign.created_at = utcnow() - timedelta(days=400)
    result.survey_answers += seed_survey(session, campaign, rng)
    # The demo school's teachers had not taken the courses: its login has a
    # recommendation to read and acknowledge.
    demo_school = session.scalar(select(OrgUnit.id).where(OrgUnit.code == demo_school_code))
    if demo_school is not None:
        _courses(session, campaign, [demo_school], taken=False, share=1.0, rng=rng)
    session.flush()
    # Plan item 7.1: the targeted recommendations to the schools, sent.
    drafts = recommendations.make_drafts(session, coordinator, campaign)
    for draft in drafts:
        recommendations.send(session, coordinator, draft)
    concerned = [d.unit_id for d in drafts if COURSES in d.proposed]
    if not concerned:
        return
    measures.add_measure(
        session,
        coordinator,
        campaign,
        city.id,
        measures.MeasureInput(
            kind="courses",
            title="Курсы повышения квалификации «Профориентация, предпрофильная подготовка "
            "и профильное обучение» для педагогов школ",
            responsible_unit_id=city.id,
            starts_on=date(year + 1, 9, 15),
            ends_on=date(year + 1, 12, 20),
            unit_ids=concerned,
            indicators=[AIMED],
            act=f"распоряжение департамента образования от 01.09.{year + 1} № 812",
            status="done",
        ),
    )
    following = session.scalar(
        select(Campaign).where(
            Campaign.form_version_id == version.id,
            Campaign.academic_year == year + 1,
            Campaign.id != campaign.id,
        )
    )
    if following is not None:
        # The measurement repeated: more of their teachers have taken the courses since.
        _courses(session, following, concerned, taken=True, share=TRAINED_SINCE, rng=rng)
    session.flush()


def _courses(
    session: Session,
    campaign: Campaign,
    unit_ids: list[int],
    *,
    taken: bool,
    share: float,
    rng: random.Random,
) -> None:
    """The answers of these schools' upper-secondary teachers: of those who answered
    otherwise, `share` (drawn) answer that they have (or have not) taken the thematic
    courses — and, having taken them, that they are involved in career guidance."""
    answers = session.scalars(
        select(FormResponse)
        .where(FormResponse.campaign_id == campaign.id, FormResponse.unit_id.in_(unit_ids))
        .order_by(FormResponse.id)
    )
    for response in answers:
        given = dict(response.answers)
        if given.get("teaches_soo") is not True or given.get("thematic_courses") is taken:
            continue
        if rng.random() < share:
            given["thematic_courses"] = taken
            if taken:
                given["career_involved"] = True
            response.answers = given
