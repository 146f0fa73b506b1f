"""Campaign services on the database: opening creates the expected responses, review
moves are checked and audited, deadlines and extensions apply per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from collector.campaigns.lifecycle import LatePolicy, Move, MoveRefused
from collector.campaigns.services import (
    CampaignError,
    close_campaign,
    extend_deadline,
    move_response,
    open_campaign,
    review_moves,
)
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db
from collector.models import AuditEvent, FormResponse
from tests.campaigns.factories import new_campaign

DEADLINE_LOCAL = datetime(2026, 5, 30, 23, 59, 59)  # «до 30 мая», Moscow wall-clock time
DEADLINE_UTC = datetime(2026, 5, 30, 20, 59, 59, tzinfo=UTC)


@pytest.fixture
def campaign(app, tree, people):
    return new_campaign(tree, people, deadline=DEADLINE_LOCAL)


def response_of(campaign, unit) -> FormResponse:
    return db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id, FormResponse.unit_id == unit.id
        )
    )


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_deadline_is_stored_in_utc(campaign):
    assert campaign.deadlines[0].due_at == DEADLINE_UTC


def test_opening_creates_one_expected_response_per_school_of_the_subtree(campaign, tree, people):
    made = open_campaign(db.session, people["region"], campaign)
    db.session.commit()
    assert made == 4  # the four schools of region 1, not the other region's
    codes = sorted(
        r.unit.code
        for r in db.session.scalars(
            select(FormResponse).where(FormResponse.campaign_id == campaign.id)
        )
    )
    assert codes == ["S-A1", "S-A2", "S-B1", "S-B2"]
    assert {r.status for r in db.session.scalars(select(FormResponse))} == {"not_started"}
    # Closing and opening again makes no duplicates.
    close_campaign(db.session, people["region"], campaign)
    assert open_campaign(db.session, people["region"], campaign) == 0


def test_only_coordinators_of_the_subtree_open_it(campaign, people):
    with pytest.raises((ActionForbidden, NotInScope)):
        open_campaign(db.session, people["municipal"], campaign)
    with pytest.raises((ActionForbidden, NotInScope)):
        open_campaign(db.session, people["other_region"], campaign)


def test_the_whole_review_round_is_audited(campaign, tree, people):
    open_campaign(db.session, people["region"], campaign)
    response = response_of(campaign, tree["school_a1"])
    on_time = DEADLINE_UTC - timedelta(days=1)
    school, municipal = people["school"], people["municipal"]
    move_response(db.session, school, response, Move.SAVE)
    move_response(db.session, school, response, Move.SUBMIT, now=on_time)
    with pytest.raises(MoveRefused):
        move_response(db.session, school, response, Move.ACCEPT)
    move_response(db.session, municipal, response, Move.RETURN, "Уточните число экскурсий")
    assert response.review_comment == "Уточните число экскурсий"
    move_response(db.session, school, response, Move.SUBMIT, now=on_time)
    move_response(db.session, municipal, response, Move.ACCEPT)
    assert response.status == "accepted" and response.late is False
    with pytest.raises(MoveRefused):
        move_response(db.session, school, response, Move.SAVE)  # locked
    move_response(db.session, municipal, response, Move.REOPEN, "Ошибка в п. 11.6")
    db.session.commit()
    trail = [
        (e.action, e.details["before"], e.details["after"])
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "form_response", AuditEvent.object_id == response.id)
            .order_by(AuditEvent.id)
        )
    ]
    assert trail == [
        ("response.save", "not_started", "draft"),
        ("response.submit", "draft", "submitted"),
        ("response.return", "submitted", "returned"),
        ("response.submit", "returned", "resubmitted"),
        ("response.accept", "resubmitted", "accepted"),
        ("response.reopen", "accepted", "returned"),
    ]


@pytest.mark.parametrize(
    ("policy", "allowed"), [(LatePolicy.REFUSE, False), (LatePolicy.FLAG, True)]
)
def test_late_submission_by_policy(campaign, tree, people, policy, allowed):
    campaign.late_policy = policy.value
    open_campaign(db.session, people["region"], campaign)
    response = response_of(campaign, tree["school_a1"])
    move_response(db.session, people["school"], response, Move.SAVE)
    late = DEADLINE_UTC + timedelta(seconds=1)
    if allowed:
        move_response(db.session, people["school"], response, Move.SUBMIT, now=late)
        assert response.status == "submitted" and response.late is True
    else:
        with pytest.raises(CampaignError):
            move_response(db.session, people["school"], response, Move.SUBMIT, now=late)
        assert response.status == "draft"


def test_extension_for_one_unit_is_audited(campaign, tree, people):
    open_campaign(db.session, people["region"], campaign)
    extend_deadline(
        db.session,
        people["region"],
        campaign,
        tree["school_a1"],
        datetime(2026, 6, 5, 18, 0),
        "Карантин в школе",
    )
    day_after = DEADLINE_UTC + timedelta(days=1)
    extended = response_of(campaign, tree["school_a1"])
    move_response(db.session, people["school"], extended, Move.SAVE)
    move_response(db.session, people["school"], extended, Move.SUBMIT, now=day_after)
    assert extended.status == "submitted" and extended.late is False
    [event] = audit("campaign.extend")
    assert event.details["reason"] == "Карантин в школе"
    assert event.details["after"] == "2026-06-05T15:00:00+00:00"
    with pytest.raises(CampaignError):
        extend_deadline(
            db.session,
            people["region"],
            campaign,
            tree["school_a2"],
            datetime(2026, 6, 5, 18, 0),
            " ",
        )


def test_a_report_returned_after_the_deadline_can_be_resubmitted_and_stays_on_time(
    campaign, tree, people
):
    open_campaign(db.session, people["region"], campaign)
    response = response_of(campaign, tree["school_a1"])
    school, municipal = people["school"], people["municipal"]
    move_response(db.session, school, response, Move.SAVE)
    move_response(db.session, school, response, Move.SUBMIT, now=DEADLINE_UTC - timedelta(hours=1))
    move_response(db.session, municipal, response, Move.RETURN, "Уточните п. 11.3")
    after = DEADLINE_UTC + timedelta(days=2)
    move_response(db.session, school, response, Move.SUBMIT, now=after)  # refuse policy
    assert response.status == "resubmitted" and response.late is False


def test_review_moves_follow_the_campaign_state(campaign, tree, people):
    open_campaign(db.session, people["region"], campaign)
    school, municipal = people["school"], people["municipal"]
    first, second = (
        response_of(campaign, tree["school_a1"]),
        response_of(campaign, tree["school_a2"]),
    )
    for response in (first, second):
        response.status = "submitted"
    close_campaign(db.session, people["region"], campaign)
    # Closed: a returned report could not be corrected, so it is not returned; accepting goes on.
    assert review_moves(municipal, first, campaign) == [Move.ACCEPT]
    with pytest.raises(CampaignError):
        move_response(db.session, municipal, first, Move.RETURN, "Исправьте")
    move_response(db.session, municipal, first, Move.ACCEPT)
    with pytest.raises(CampaignError):
        move_response(db.session, municipal, first, Move.REOPEN, "Ошибка")
    campaign.state = "archived"
    assert review_moves(municipal, second, campaign) == []
    with pytest.raises(CampaignError):
        move_response(db.session, municipal, second, Move.ACCEPT)
    assert review_moves(school, second, campaign) == []  # a school never reviews


def test_an_extension_is_checked_and_shows_in_the_reports_history(
    campaign, tree, people, make_unit
):
    region = people["region"]
    with pytest.raises(CampaignError):  # not open yet
        extend_deadline(db.session, region, campaign, tree["school_a1"], datetime(2026, 6, 5), "x")
    open_campaign(db.session, region, campaign)
    with pytest.raises(CampaignError):  # earlier than the campaign's own deadline
        extend_deadline(db.session, region, campaign, tree["school_a1"], datetime(2026, 5, 1), "x")
    with pytest.raises(CampaignError):  # a unit the campaign does not ask
        extend_deadline(db.session, region, campaign, tree["mun_a"], datetime(2026, 6, 5), "x")
    extend_deadline(
        db.session, region, campaign, tree["school_a1"], datetime(2026, 6, 5, 18, 0), "Карантин"
    )
    response = response_of(campaign, tree["school_a1"])
    [event] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "form_response", AuditEvent.object_id == response.id
        )
    )
    assert event.action == "response.extend" and event.details["comment"] == "Карантин"
