"""The analysis of one indicator over a territory's units, worked out by hand."""

from __future__ import annotations

import pytest

from collector.analysis.compute import Reason, analyse, first_quartile

# Five units; unit 5 sent nothing this time. Two earlier campaigns, the older first.
NOW = {1: 100.0, 2: 40.0, 3: 60.0, 4: 55.0, 5: None}
EARLIER = [{1: 70.0, 2: 50.0, 3: 60.0}, {1: 75.0, 2: 45.0, 3: 65.0, 4: 50.0}]


def rows_by_unit(target: float | None = 50.0):
    result = analyse("share", 1, 63.75, target, [1, 2, 3, 4, 5], NOW, EARLIER)
    return result, {row.unit_id: row for row in result.rows}


def test_units_that_miss_and_why() -> None:
    result, rows = rows_by_unit()
    # Values known: 40, 55, 60, 100. Q1 at position (4 - 1) * 0.25 = 0.75 between the
    # first two: 40 + 0.75 * (55 - 40) = 51.25.
    assert result.quartile == pytest.approx(51.25)
    # Unit 2: 40 < 50 (target), 40 < 51.25 (Q1), 40 < 45 (last campaign).
    assert rows[2].reasons == (
        Reason.BELOW_TARGET,
        Reason.LOWEST_QUARTILE,
        Reason.WORSE_THAN_LAST,
    )
    # Unit 3: 60 meets 50 and is above Q1, but was 65 last time.
    assert rows[3].reasons == (Reason.WORSE_THAN_LAST,)
    # Unit 4: 55 ≥ 50, 55 ≥ 51.25, up from 50. Unit 1: up from 75. Unit 5: no value.
    assert rows[4].reasons == rows[1].reasons == rows[5].reasons == ()
    assert [row.unit_id for row in result.missing] == [2, 3]
    assert result.met is True  # 63.75 shown as 63.8 ≥ 50
    assert result.territory == 63.8


def test_series_over_every_campaign_and_the_change_since_the_last() -> None:
    _result, rows = rows_by_unit()
    assert rows[1].series == (70.0, 75.0, 100.0)
    assert rows[4].series == (None, 50.0, 55.0)  # unit 4 was not in the oldest campaign
    assert rows[5].series == (None, None, None)
    assert [rows[u].change for u in (1, 2, 3, 4, 5)] == [25.0, -5.0, -5.0, 5.0, None]


def test_a_change_far_beyond_the_others_is_unusual() -> None:
    _result, rows = rows_by_unit()
    # |changes| 25, 5, 5, 5: the median is 5, and 25 > 3 * 5; 5 is not.
    assert rows[1].unusual
    assert not any(rows[u].unusual for u in (2, 3, 4, 5))


def test_without_a_target_only_peers_and_last_year_count() -> None:
    result, rows = rows_by_unit(target=None)
    assert rows[2].reasons == (Reason.LOWEST_QUARTILE, Reason.WORSE_THAN_LAST)
    assert result.met is None


def test_the_value_is_judged_as_shown() -> None:
    # 49.96 shows as 50.0 at one decimal: it meets a target of 50.
    result = analyse("share", 1, None, 50.0, [1], {1: 49.96}, [])
    assert result.rows[0].value == 50.0 and result.rows[0].reasons == ()
    assert analyse("share", 1, None, 50.0, [1], {1: 49.94}, []).rows[0].reasons == (
        Reason.BELOW_TARGET,
    )


def test_no_quartile_among_fewer_than_four_units() -> None:
    assert first_quartile([1.0, 2.0, 3.0]) is None
    result = analyse("count", 0, None, None, [1, 2, 3], {1: 1.0, 2: 5.0, 3: 9.0}, [])
    assert result.quartile is None and result.missing == ()


def test_a_recommendation_is_proposed_to_the_units_that_miss_for_its_reasons() -> None:
    from collector.analysis.compute import proposed_to

    share, _rows = rows_by_unit()
    # A count over the same units: 3 < 10 (target) for unit 1; no earlier campaign.
    count = analyse("count", 0, None, 10.0, [1, 2, 3], {1: 3.0, 2: 12.0, 3: None}, [])
    results = {"share": share, "count": count}
    # Below target or lowest quartile: unit 2 by the share (both), unit 1 by the count.
    assert proposed_to(["share", "count"], ["below_target", "lowest_quartile"], results) == {
        2: [("share", (Reason.BELOW_TARGET, Reason.LOWEST_QUARTILE))],
        1: [("count", (Reason.BELOW_TARGET,))],
    }
    # Worse than last campaign only: units 2 and 3 by the share; the count has no past.
    assert proposed_to(["share", "count"], ["worse_than_last"], results) == {
        2: [("share", (Reason.WORSE_THAN_LAST,))],
        3: [("share", (Reason.WORSE_THAN_LAST,))],
    }
    assert proposed_to(["count"], ["worse_than_last"], results) == {}


def test_only_complete_values_are_compared_with_last_year() -> None:
    # Unit 2 counts only part of its schools now (or last year): its fall from 45 to 40
    # is not judged; unit 3's, complete in both, is.
    result = analyse("share", 1, None, None, [1, 2, 3, 4], NOW, EARLIER, complete={1, 3, 4})
    rows = {row.unit_id: row for row in result.rows}
    assert rows[2].change is None and Reason.WORSE_THAN_LAST not in rows[2].reasons
    assert rows[2].series == (50.0, 45.0, 40.0)  # the series is shown all the same
    assert rows[3].reasons == (Reason.WORSE_THAN_LAST,)
