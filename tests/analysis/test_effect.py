"""The effect table, worked by hand: the concerned units' change against the others'."""

from __future__ import annotations

import pytest

from collector.analysis.effect import effect

BEFORE = {1: 40.0, 2: 50.0, 3: 60.0, 4: 30.0, 5: 70.0, 6: None}
AFTER = {1: 55.0, 2: 60.0, 3: None, 4: 35.0, 5: 65.0, 6: 20.0}


def test_the_concerned_units_against_the_others() -> None:
    row = effect("share", 1, [1, 2, 3], [4, 5, 6], BEFORE, AFTER)
    # Concerned: 1 +15, 2 +10, 3 has no value now: (15 + 10) / 2 = 12.5, 2 of 3 covered.
    assert (row.concerned.change, row.concerned.covered, row.concerned.total) == (12.5, 2, 3)
    # Others: 4 +5, 5 −5, 6 had no value before: (5 − 5) / 2 = 0, 2 of 3 covered.
    assert (row.others.change, row.others.covered, row.others.total) == (0.0, 2, 3)
    assert row.difference == 12.5


def test_values_are_taken_as_shown() -> None:
    # 40.04 and 40.96 show as 40.0 and 41.0 at one decimal: a change of 1.0.
    row = effect("share", 1, [1], [2], {1: 40.04, 2: 10.0}, {1: 40.96, 2: 10.0})
    assert row.concerned.change == pytest.approx(1.0) and row.others.change == 0.0


def test_no_change_without_a_unit_in_both_campaigns() -> None:
    row = effect("count", 0, [6], [], BEFORE, AFTER)
    assert (row.concerned.change, row.concerned.covered) == (None, 0)
    assert (row.others.change, row.others.total) == (None, 0)
    assert row.difference is None


def test_only_complete_values_are_covered() -> None:
    # Unit 2's values count part of its schools: left out; the concerned change is unit 1's.
    row = effect("share", 1, [1, 2], [4, 5], BEFORE, AFTER, complete={1, 4, 5})
    assert (row.concerned.change, row.concerned.covered, row.concerned.total) == (15.0, 1, 2)
    assert row.others.change == 0.0 and row.difference == 15.0
