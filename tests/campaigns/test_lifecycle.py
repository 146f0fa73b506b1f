"""Response states and who may move them; deadlines in two time zones; late policies and
an extension for one unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collector.auth.permissions import Grant
from collector.campaigns.lifecycle import (
    CAMPAIGN_MOVES,
    CampaignState,
    LatePolicy,
    Move,
    MoveRefused,
    check_submission,
    deadline_utc,
    next_state,
    parent_path,
    shown_in,
)
from collector.models import ResponseState

S = ResponseState
REGION, MUNICIPALITY, SCHOOL = "/1/", "/1/5/", "/1/5/9/"
SCHOOL_STAFF = [Grant("school_respondent", SCHOOL)]
MUNICIPAL = [Grant("municipal_coordinator", MUNICIPALITY)]
REGIONAL = [Grant("regional_coordinator", REGION)]
OTHER_MUNICIPAL = [Grant("municipal_coordinator", "/1/6/")]


@pytest.mark.parametrize(
    ("state", "move", "grants", "comment", "expected"),
    [
        (S.NOT_STARTED, Move.SAVE, SCHOOL_STAFF, "", S.DRAFT),
        (S.DRAFT, Move.SUBMIT, SCHOOL_STAFF, "", S.SUBMITTED),
        (S.SUBMITTED, Move.RETURN, MUNICIPAL, "Исправьте п. 11.2", S.RETURNED),
        (S.RETURNED, Move.SAVE, SCHOOL_STAFF, "", S.RETURNED),
        (S.RETURNED, Move.SUBMIT, SCHOOL_STAFF, "", S.RESUBMITTED),
        (S.RESUBMITTED, Move.ACCEPT, MUNICIPAL, "", S.ACCEPTED),
        (S.SUBMITTED, Move.ACCEPT, REGIONAL, "", S.ACCEPTED),
        (S.ACCEPTED, Move.REOPEN, MUNICIPAL, "Ошибка в числе выпускников", S.RETURNED),
    ],
)
def test_allowed_moves(state, move, grants, comment, expected):
    assert next_state(state, move, grants, SCHOOL, comment) == expected


@pytest.mark.parametrize(
    ("state", "move", "grants", "comment"),
    [
        (S.SUBMITTED, Move.ACCEPT, SCHOOL_STAFF, ""),  # a school does not accept itself
        (S.SUBMITTED, Move.ACCEPT, OTHER_MUNICIPAL, ""),  # nor another municipality
        (S.SUBMITTED, Move.RETURN, MUNICIPAL, "  "),  # a return needs a comment
        (S.ACCEPTED, Move.REOPEN, MUNICIPAL, ""),  # so does reopening
        (S.ACCEPTED, Move.SAVE, SCHOOL_STAFF, ""),  # accepted is locked
        (S.SUBMITTED, Move.SAVE, SCHOOL_STAFF, ""),
        (S.DRAFT, Move.SUBMIT, MUNICIPAL, ""),  # reviewers do not submit for the school
        (S.NOT_STARTED, Move.ACCEPT, MUNICIPAL, ""),
    ],
)
def test_refused_moves(state, move, grants, comment):
    with pytest.raises(MoveRefused):
        next_state(state, move, grants, SCHOOL, comment)


def test_municipality_does_not_review_its_own_report_but_the_region_does():
    with pytest.raises(MoveRefused):
        next_state(S.SUBMITTED, Move.ACCEPT, MUNICIPAL, MUNICIPALITY)
    assert next_state(S.SUBMITTED, Move.ACCEPT, REGIONAL, MUNICIPALITY) == S.ACCEPTED


def test_parent_paths():
    assert parent_path(SCHOOL) == MUNICIPALITY
    assert parent_path(REGION) == ""


def test_campaign_states_only_move_forward_or_reopen():
    assert CAMPAIGN_MOVES[CampaignState.DRAFT] == {CampaignState.OPEN}
    assert CAMPAIGN_MOVES[CampaignState.ARCHIVED] == frozenset()


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Europe/Moscow", 20), ("Asia/Omsk", 17)],  # UTC+3 and UTC+6
)
def test_deadline_boundary_one_second_either_side(zone, utc_hour):
    # «до 30 мая» typed as 30 May 23:59:59 wall-clock time in the region.
    deadline = deadline_utc(datetime(2026, 5, 30, 23, 59, 59), zone)
    assert deadline == datetime(2026, 5, 30, utc_hour, 59, 59, tzinfo=UTC)
    assert shown_in(deadline, zone).hour == 23
    before, at, after = (deadline + timedelta(seconds=s) for s in (-1, 0, 1))
    for policy in LatePolicy:
        assert check_submission(before, deadline, policy) == (True, False)
        assert check_submission(at, deadline, policy).late is False
    assert check_submission(after, deadline, LatePolicy.REFUSE) == (False, True)
    assert check_submission(after, deadline, LatePolicy.FLAG) == (True, True)


def test_same_wall_clock_deadline_differs_by_three_hours_between_moscow_and_omsk():
    moscow = deadline_utc(datetime(2026, 4, 30, 18, 0), "Europe/Moscow")
    omsk = deadline_utc(datetime(2026, 4, 30, 18, 0), "Asia/Omsk")
    assert moscow - omsk == timedelta(hours=3)


def test_extension_for_one_unit():
    deadline = deadline_utc(datetime(2026, 5, 30, 23, 59, 59), "Europe/Moscow")
    extended = deadline + timedelta(days=3)
    late_for_others = deadline + timedelta(days=1)
    assert check_submission(late_for_others, deadline, LatePolicy.REFUSE).allowed is False
    assert check_submission(late_for_others, deadline, LatePolicy.REFUSE, extended) == (True, False)
    # An "extension" earlier than the deadline never shortens it.
    earlier = deadline - timedelta(days=1)
    assert check_submission(deadline, deadline, LatePolicy.REFUSE, earlier).allowed


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        deadline_utc(datetime(2026, 5, 30, tzinfo=UTC), "Europe/Moscow")
    with pytest.raises(ValueError):
        check_submission(datetime(2026, 5, 30), datetime(2026, 5, 30, tzinfo=UTC), LatePolicy.FLAG)
