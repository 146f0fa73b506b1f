"""The demo's year before: the Kaluga school monitoring of the previous academic year,
closed with every report accepted, and the cycle after it (issue 26) — the region's
recommendations to the municipalities its analysis found missing, sent (Kaluga city's
acknowledged), and a measure of п. 13 recorded on it. This year's running campaign is then
the next campaign of the form: the analysis compares the two years, and the measure's
effect is shown. Idempotent: nothing is made when the campaign exists under its title."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.analysis import measures, recommendations
from collector.audit import record
from collector.campaigns.lifecycle import CampaignState
from collector.campaigns.services import assigned_units
from collector.models import Campaign, FormResponse, OrgUnit, ResponseState, User
from collector.models.base import utcnow
from collector.publishing.versions import spec_of
from demo import kaluga
from demo.answers import synthesise
from demo.campaigns import (
    ALL_ACCEPTED,
    SCHOOL_FORM,
    CampaignsResult,
    demo_campaign,
    fill_responses,
    published_version,
    unit_facts,
)


def last_year_title(year: int) -> str:
    return f"Мониторинг профориентационной работы в школах, {year}/{year + 1} (приказ № 1829)"


def seed_kaluga_last_year(
    session: Session, year: int, rng: random.Random, result: CampaignsResult
) -> None:
    """The school campaign of `year` (the year before the demo's) and its cycle."""
    region = session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.REGION_CODE))
    version = published_version(session, SCHOOL_FORM)
    coordinator = session.scalar(select(User).where(User.username == "region"))
    if region is None or version is None or coordinator is None:
        return
    campaign = demo_campaign(
        session,
        last_year_title(year),
        version,
        region,
        year,
        {"school": datetime(year + 1, 5, 15, 18, 0)},
    )
    if campaign is None:
        return
    campaign.state = CampaignState.CLOSED.value
    campaign.opened_at = utcnow() - timedelta(days=400)
    campaign.created_at = utcnow() - timedelta(days=400)
    result.campaigns_created += 1
    result.responses_filled += fill_responses(
        session, campaign, assigned_units(session, campaign), rng, set(), spread=ALL_ACCEPTED
    )
    session.flush()
    # Kaluga п. 12–14: the recommendations to the heads of municipalities, by 15 August.
    drafts = recommendations.make_drafts(session, coordinator, campaign)
    for draft in drafts:
        recommendations.send(session, coordinator, draft)
    kaluga_city = session.scalar(select(OrgUnit).where(OrgUnit.code == kaluga.KALUGA.code))
    kaluga_city_id = kaluga_city.id if kaluga_city is not None else None
    following = session.scalar(
        select(Campaign).where(
            Campaign.form_version_id == version.id,
            Campaign.academic_year == year + 1,
            Campaign.id != campaign.id,
        )
    )
    reader = session.scalar(select(User).where(User.username == "kaluga"))
    for draft in drafts:
        if reader is not None and kaluga_city is not None and draft.unit_id == kaluga_city.id:
            recommendations.acknowledge(session, reader, draft)
    # A measure of п. 13 for the municipalities the training recommendation went to.
    trained = [d.unit_id for d in drafts if "rec_training" in d.proposed]
    if trained:
        measures.add_measure(
            session,
            coordinator,
            campaign,
            region.id,
            measures.MeasureInput(
                kind="training",
                title="Курсы повышения квалификации для педагогов, курирующих профориентацию",
                responsible_unit_id=region.id,
                starts_on=date(year + 1, 9, 1),
                ends_on=date(year + 1, 12, 20),
                unit_ids=trained,
                indicators=["teachers_trained_total"],
                act=f"приказ министерства образования и науки от 20.08.{year + 1} № 1204",
                status="done",
            ),
        )
        # This year's reports of those districts and as many others are all in and
        # accepted, so that the effect has units to compare (Kaluga city, where the
        # demo school's report waits for its login, is left as it is).
        others = [
            d.unit_id for d in drafts if d.unit_id not in trained and d.unit_id != kaluga_city_id
        ]
        chosen = [u for u in trained if u != kaluga_city_id] + others[: len(trained)]
        if following is not None:
            _complete_reports(session, following, chosen, rng)
    session.flush()


def _complete_reports(
    session: Session, campaign: Campaign, municipality_ids: list[int], rng: random.Random
) -> None:
    """Every school report of these municipalities in `campaign` filled in and accepted."""
    spec = spec_of(campaign.form_version)
    responses = list(
        session.scalars(
            select(FormResponse)
            .join(OrgUnit, FormResponse.unit_id == OrgUnit.id)
            .where(
                FormResponse.campaign_id == campaign.id,
                OrgUnit.parent_id.in_(municipality_ids),
            )
            .order_by(FormResponse.id)
        )
    )
    facts = unit_facts(session, [r.unit for r in responses], campaign.academic_year)
    done = {ResponseState.SUBMITTED.value, ResponseState.RESUBMITTED.value}
    for response in responses:
        if response.status == ResponseState.ACCEPTED.value:
            continue
        if response.status not in done:
            response.answers = synthesise(
                spec, rng, campaign.as_of, scale=30, unit=facts[response.unit_id]
            )
            response.revision += 1
            response.submitted_at = response.submitted_at or utcnow()
        response.status = ResponseState.ACCEPTED.value
        response.review_comment = None
        record(session, None, "response.accept", response, after="accepted", demo=True)
