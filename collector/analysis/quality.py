"""The quality of a campaign's data per reporting unit: pure computation (pandas; no
database, no Flask) over what the service reads.

For each unit's report:
- timeliness: handed in by its deadline (the unit's own, an extension counted), after it
  (by how long), not handed in while the deadline has passed (late by now), or not yet;
- completeness: the share of the questions shown to it (visibility conditions applied)
  that it answered;
- the warnings (soft rules) its respondents confirmed;
- values far from its peers: for each numeric question, a value outside Tukey's fences of
  the territory's reports that answered it — below Q1 − 1.5·IQR or above Q3 + 1.5·IQR,
  the quartiles by linear interpolation (as compute.first_quartile) — judged among four
  reports or more and only where the middle half of the values spreads (Q3 > Q1);
- values far from its own last year: more than twice last year's value, or less than half
  of it, where last year's value is above 0.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from collector.analysis.compute import LEAST_PEERS

FENCE = 1.5  # Tukey's
YEAR_FACTOR = 2.0


class Timeliness(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # not handed in, and the deadline has passed
    WAITING = "waiting"  # not handed in, the deadline still ahead (or none)
    UNKNOWN = "unknown"  # handed in, when not recorded


class Far(enum.StrEnum):
    PEERS = "peers"
    LAST_YEAR = "last_year"


@dataclass(frozen=True)
class UnitData:
    """What the service read of one unit's report."""

    unit_id: int
    due_at: datetime | None  # its effective deadline (UTC)
    handed: bool  # submitted, resubmitted or accepted
    submitted_at: datetime | None  # when handed in (None: not recorded)
    asked: int  # questions shown to it
    answered: int  # of those, answered
    confirmed: tuple[str, ...] = ()  # the soft rules its respondents confirmed
    values: Mapping[str, float] = field(default_factory=dict)  # numeric question -> value
    last: Mapping[str, float] = field(default_factory=dict)  # the same, last campaign


@dataclass(frozen=True)
class FarValue:
    question: str
    value: float
    why: Far
    low: float | None = None  # the fences (PEERS)
    high: float | None = None
    last: float | None = None  # last year's value (LAST_YEAR)


@dataclass(frozen=True)
class Fences:
    q1: float
    q3: float
    low: float
    high: float


@dataclass(frozen=True)
class QualityRow:
    unit_id: int
    timeliness: Timeliness
    late_by: timedelta | None  # LATE: submitted after; OVERDUE: now after the deadline
    completeness: float | None  # share answered, 0..1 (None: nothing asked)
    confirmed: tuple[str, ...]
    far: tuple[FarValue, ...]

    @property
    def flagged(self) -> bool:
        """Anything to look at: late, incomplete, confirmed warnings or far values."""
        return (
            self.timeliness in (Timeliness.LATE, Timeliness.OVERDUE)
            or (self.completeness is not None and self.completeness < 1)
            or bool(self.confirmed)
            or bool(self.far)
        )


def timeliness(
    due_at: datetime | None, handed: bool, submitted_at: datetime | None, now: datetime
) -> tuple[Timeliness, timedelta | None]:
    """Handed in by the deadline (a report handed in at the deadline's very moment is on
    time), after it and by how long, or not yet (overdue by how long, or waiting)."""
    if handed:
        if submitted_at is None:
            return Timeliness.UNKNOWN, None
        if due_at is not None and submitted_at > due_at:
            return Timeliness.LATE, submitted_at - due_at
        return Timeliness.ON_TIME, None
    if due_at is not None and now > due_at:
        return Timeliness.OVERDUE, now - due_at
    return Timeliness.WAITING, None


def fences(values: Sequence[float]) -> Fences | None:
    """Tukey's fences of `values`, or None among too few, where Q3 = Q1, or where the
    fences fall past float's range."""
    if len(values) < LEAST_PEERS:
        return None
    series = pd.Series(values, dtype="float64")
    q1, q3 = float(series.quantile(0.25)), float(series.quantile(0.75))
    if q3 <= q1:
        return None
    spread = q3 - q1
    judged = Fences(q1, q3, q1 - FENCE * spread, q3 + FENCE * spread)
    # Values near float's limits spread past it: no finite fence to judge them by.
    return judged if math.isfinite(judged.low) and math.isfinite(judged.high) else None


def far_from_last(value: float, last: float | None) -> bool:
    return last is not None and last > 0 and (value > YEAR_FACTOR * last or value < last / 2)


def peer_fences(units: Sequence[UnitData], questions: Sequence[str]) -> dict[str, Fences]:
    """Per numeric question, the fences of the units' values (where they can be judged)."""
    frame = pd.DataFrame(
        [{q: u.values.get(q) for q in questions} for u in units],
        columns=list(questions),
        dtype="float64",
    )
    found = {}
    for question in questions:
        column = frame[question].dropna().tolist() if question in frame else []
        judged = fences(column)
        if judged is not None:
            found[question] = judged
    return found


def quality(
    units: Sequence[UnitData], questions: Sequence[str], now: datetime
) -> tuple[list[QualityRow], dict[str, Fences]]:
    """A row per unit (in the given order), and the fences each numeric question (of
    `questions`, in the form's order) was judged by."""
    judged = peer_fences(units, questions)
    rows = []
    for unit in units:
        state, late_by = timeliness(unit.due_at, unit.handed, unit.submitted_at, now)
        far: list[FarValue] = []
        for question in questions:
            value = unit.values.get(question)
            if value is None:
                continue
            bounds = judged.get(question)
            if bounds is not None and not bounds.low <= value <= bounds.high:
                far.append(FarValue(question, value, Far.PEERS, bounds.low, bounds.high))
            last = unit.last.get(question)
            if far_from_last(value, last):
                far.append(FarValue(question, value, Far.LAST_YEAR, last=last))
        rows.append(
            QualityRow(
                unit.unit_id,
                state,
                late_by,
                unit.answered / unit.asked if unit.asked else None,
                unit.confirmed,
                tuple(far),
            )
        )
    return rows, judged
