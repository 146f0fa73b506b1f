"""The demo's year before (demo.cycle): last year's Kaluga school campaign, closed, with
the region's recommendations sent to the municipalities its analysis proposes them to,
Kaluga city's acknowledged, and a measure whose effect this year's campaign shows."""

from __future__ import annotations

from sqlalchemy import select

from collector.analysis import measures
from collector.analysis import recommendations as recs
from collector.analysis.services import campaign_analysis
from collector.extensions import db
from collector.models import Campaign, Measure, OrgUnit, Recommendation, User
from demo import kaluga
from tests.test_demo_seed import KALUGA_FORMS, publish_forms, seed


def test_the_demo_holds_last_years_cycle(app):
    publish_forms(*KALUGA_FORMS)
    seed()
    region = db.session.scalar(select(User).where(User.username == "region"))
    last_year = db.session.scalar(select(Campaign).where(Campaign.state == "closed"))
    this_year = db.session.scalar(
        select(Campaign).where(
            Campaign.state == "open",
            Campaign.form_version_id == last_year.form_version_id,
        )
    )
    assert last_year.academic_year == this_year.academic_year - 1
    # The recommendations went to the municipalities last year's analysis proposes.
    proposed = recs.proposals(campaign_analysis(db.session, region, last_year))
    sent = list(db.session.scalars(select(Recommendation).order_by(Recommendation.id)))
    assert sent and {r.unit_id for r in sent} == {p.unit.id for p in proposed}
    assert all(r.campaign_id == last_year.id and r.sent_at is not None for r in sent)
    kaluga_city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.KALUGA.code))
    statuses = {r.unit_id: r.status for r in sent}
    assert all(
        status == ("acknowledged" if unit == kaluga_city.id else "sent")
        for unit, status in statuses.items()
    )
    # The measure concerns the municipalities proposed the training recommendation, and
    # this year's campaign is the next one that shows its effect.
    measure = db.session.scalar(select(Measure))
    trained = [p.unit.id for p in proposed if "rec_training" in [r.id for r in p.recommendations]]
    assert sorted(measure.unit_ids) == sorted(trained)
    [effect] = measures.effects(db.session, region, last_year, [measure])
    assert effect.next_campaign is not None and effect.next_campaign.id == this_year.id
    [row] = effect.rows
    assert row.indicator == "teachers_trained_total"
    assert row.concerned.total == len(trained)
    # This year's reports of the districts concerned (but Kaluga city) and as many others
    # are all accepted: the effect covers them, on both sides.
    expected_concerned = len([u for u in trained if u != kaluga_city.id])
    assert row.concerned.covered == expected_concerned > 0
    assert 0 < row.others.covered <= len(trained)
    assert row.concerned.change is not None and row.others.change is not None
    # The analysis of this year compares it with last year's.
    now = campaign_analysis(db.session, region, this_year)
    assert [c.id for c in now.waves] == [last_year.id, this_year.id]
