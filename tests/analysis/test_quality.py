"""The data-quality computation, worked out by hand (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from collector.analysis.quality import Far, Timeliness, UnitData, fences, quality, timeliness

DUE = datetime(2026, 5, 15, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
NOW = datetime(2026, 5, 20, 15, 0, tzinfo=UTC)


def unit(unit_id: int, trained: float | None, last: float | None, **more: object) -> UnitData:
    """A report handed in an hour before the deadline, all four questions answered."""
    made = UnitData(
        unit_id=unit_id,
        due_at=DUE,
        handed=True,
        submitted_at=DUE - timedelta(hours=1),
        asked=4,
        answered=4,
        values={} if trained is None else {"trained": trained},
        last={} if last is None else {"trained": last},
    )
    return replace(made, **more)


def test_timeliness_against_the_deadline() -> None:
    # A minute early, at the very moment, 26 h 30 min after.
    assert timeliness(DUE, True, DUE - timedelta(minutes=1), NOW) == (Timeliness.ON_TIME, None)
    assert timeliness(DUE, True, DUE, NOW) == (Timeliness.ON_TIME, None)
    late = datetime(2026, 5, 16, 17, 30, tzinfo=UTC)
    assert timeliness(DUE, True, late, NOW) == (Timeliness.LATE, timedelta(hours=26, minutes=30))
    # Not handed in: five days past the deadline now; no deadline: waiting.
    assert timeliness(DUE, False, None, NOW) == (Timeliness.OVERDUE, timedelta(days=5))
    assert timeliness(None, False, None, NOW) == (Timeliness.WAITING, None)
    assert timeliness(NOW + timedelta(days=1), False, None, NOW) == (Timeliness.WAITING, None)
    assert timeliness(DUE, True, None, NOW) == (Timeliness.UNKNOWN, None)


def test_tukey_fences_by_hand() -> None:
    # Sorted 10, 12, 14, 16, 100: Q1 at position 4 · 0.25 = 1 → 12, Q3 at 3 → 16;
    # IQR 4, fences 12 − 6 = 6 and 16 + 6 = 22.
    found = fences([100, 14, 10, 16, 12])
    assert found is not None
    assert (found.q1, found.q3, found.low, found.high) == (12, 16, 6, 22)
    # 4, 10, 30, 45: Q1 at 0.75 → 4 + 0.75 · 6 = 8.5; Q3 at 2.25 → 30 + 0.25 · 15 = 33.75.
    found = fences([30, 10, 45, 4])
    assert found is not None
    assert (found.q1, found.q3) == (8.5, 33.75)
    assert found.low == pytest.approx(8.5 - 1.5 * 25.25)
    # Three values are too few; all alike spread nothing.
    assert fences([1, 2, 300]) is None
    assert fences([5, 5, 5, 5, 9]) is None


def test_far_from_peers_and_from_last_year() -> None:
    units = [
        unit(1, 10, 4),  # 10 > 2 · 4: far from its last year
        unit(2, 12, 12, submitted_at=datetime(2026, 5, 16, 17, 30, tzinfo=UTC)),
        unit(3, 14, 30),  # 14 < 30 / 2
        unit(4, 16, 0),  # last year 0: not judged
        unit(5, 100, 60),  # above 22: far from peers; 100 ≤ 120: not from its last year
        unit(6, None, 10, handed=False, submitted_at=None, asked=8, answered=6),
    ]
    rows, judged = quality(units, ["trained"], NOW)
    assert judged["trained"].high == 22
    by = {row.unit_id: row for row in rows}
    assert [(f.why, f.last) for f in by[1].far] == [(Far.LAST_YEAR, 4)]
    assert by[2].far == () and by[2].timeliness == Timeliness.LATE
    assert by[2].late_by == timedelta(hours=26, minutes=30)
    assert [(f.why, f.value) for f in by[3].far] == [(Far.LAST_YEAR, 14)]
    assert by[4].far == ()
    assert [(f.why, f.low, f.high) for f in by[5].far] == [(Far.PEERS, 6, 22)]
    # Unit 6 sent nothing: overdue by five days, 6 of 8 questions answered.
    assert by[6].timeliness == Timeliness.OVERDUE and by[6].late_by == timedelta(days=5)
    assert by[6].completeness == 0.75 and by[6].far == ()
    assert by[4].flagged is False and by[6].flagged is True


def test_confirmed_warnings_and_nothing_asked() -> None:
    rows, judged = quality(
        [unit(1, None, None, confirmed=("ratio_warning",), asked=0, answered=0)], ["trained"], NOW
    )
    assert judged == {}
    assert rows[0].completeness is None
    assert rows[0].confirmed == ("ratio_warning",) and rows[0].flagged is True
