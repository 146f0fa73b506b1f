"""The demo's Tomsk teacher-needs survey over two years (demo.cycle_tomsk): last year's
survey closed, the city's recommendations sent to the schools its analysis proposes them
to, a measure recorded for the schools the course recommendation went to, and its effect
at this year's survey, where more of their teachers have taken the courses."""

from __future__ import annotations

from sqlalchemy import func, select

from collector.analysis import measures
from collector.analysis import recommendations as recs
from collector.analysis.services import campaign_analysis
from collector.extensions import db
from collector.models import Campaign, FormResponse, Measure, OrgUnit, Recommendation, User
from demo.cycle_tomsk import AIMED, COURSES
from tests.test_demo_seed import TOMSK_SCHOOL_CODE, publish_forms, seed

TEACHER_FORM = "tomsk-2022-teacher-needs"


def test_the_demo_holds_two_years_of_the_teacher_survey(app):
    publish_forms(TEACHER_FORM)
    first = seed()
    coordinator = db.session.scalar(select(User).where(User.username == "tomsk"))
    last_year, this_year = db.session.scalars(select(Campaign).order_by(Campaign.academic_year))
    assert (last_year.state, this_year.state) == ("closed", "open")
    assert last_year.academic_year == this_year.academic_year - 1
    assert first.campaigns_created == 2
    answers = db.session.scalar(
        select(func.count()).where(FormResponse.campaign_id == last_year.id)
    )
    assert answers >= 200
    # Plan item 7.1: the recommendations went to the schools last year's analysis proposes.
    proposed = recs.proposals(campaign_analysis(db.session, coordinator, last_year))
    sent = list(db.session.scalars(select(Recommendation).order_by(Recommendation.id)))
    assert sent and {r.unit_id for r in sent} == {p.unit.id for p in proposed}
    assert all(r.campaign_id == last_year.id and r.sent_at is not None for r in sent)
    assert {r.status for r in sent} <= {"sent", "acknowledged"}
    demo_school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == TOMSK_SCHOOL_CODE))
    assert all(r.status == "sent" for r in sent if r.unit_id == demo_school.id)
    assert demo_school.id in {r.unit_id for r in sent}
    # The measure concerns the schools the course recommendation went to, aims at 5.5.
    measure = db.session.scalar(select(Measure))
    courses = [p.unit.id for p in proposed if COURSES in [r.id for r in p.recommendations]]
    assert sorted(measure.unit_ids) == sorted(courses) and measure.indicators == [AIMED]
    # Module 4: this year's survey is the measurement repeated; the schools concerned
    # gained more than the others.
    [effect] = measures.effects(db.session, coordinator, last_year, [measure])
    assert effect.next_campaign is not None and effect.next_campaign.id == this_year.id
    [row] = effect.rows
    assert row.concerned.total == len(courses) and 0 < row.concerned.covered <= len(courses)
    assert row.others.covered > 0
    assert row.difference is not None and row.difference > 0
    # This year's analysis compares the two years.
    now = campaign_analysis(db.session, coordinator, this_year)
    assert [c.id for c in now.waves] == [last_year.id, this_year.id]
    # Loaded again: nothing more.
    again = seed()
    assert again.campaigns_created == 0
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == len(sent)
