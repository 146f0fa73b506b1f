"""What the engine computes: per indicator and level, arrays over the groups, and
the objects a page or a sheet asks for."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator for one group at one level."""

    indicator: str
    level: str
    group: int
    value: float | None
    status: str  # "ok", "no_data", "not_applicable" or "small_group"
    answered: int  # units of the group that answered
    expected: int  # units of the group asked
    excluded: int = 0  # units the indicator's not-applicable rule left out
    # Units that answered but lack a reference figure the formula reads: left out of the
    # value (their numerator without their denominator would skew it), counted here.
    figures_missing: int = 0
    # Figures of a summed denominator that some counted units lack: the value is over
    # the figures known (Omsk 5.7 over pupils with ОВЗ where disabled children are not
    # recorded), and these are named beside it (catalogue keys).
    missing: tuple[str, ...] = ()
    target: float | None = None
    met: bool | None = None
    # The precision the value is shown and judged at (IndicatorSpec.precision).
    decimals: int = 2

    @property
    def shown(self) -> float | None:
        """The value at its precision: what a page shows and the target is judged on
        (the workbook keeps `value`, exact)."""
        return None if self.value is None else at_precision(self.value, self.decimals)

    @property
    def coverage(self) -> float | None:
        return 100 * self.answered / self.expected if self.expected else None


@dataclass(frozen=True)
class Participation:
    """A survey's responses in one group against its population («репрезентативность»)."""

    level: str
    group: int
    responses: int
    headcount: float | None
    # Where the headcount adds the respondent groups' headcounts and some are not known:
    # the responses of the groups whose headcount is known (the rate's numerator, over
    # their headcount), and the groups left out (option values of the category field).
    counted: int | None = None
    missing: tuple[str, ...] = ()

    @property
    def rate(self) -> float | None:
        if not self.headcount:
            return None
        counted = self.responses if self.counted is None else self.counted
        return 100 * counted / self.headcount


NOT_APPLICABLE, NO_DATA, OK = "not_applicable", "no_data", "ok"
SMALL_GROUP = "small_group"
# A table keeps each group's status as its position here, one byte: a national
# campaign's tables have 380,000 groups, kept and pickled with the snapshot.
STATUSES = (OK, NO_DATA, NOT_APPLICABLE, SMALL_GROUP)


@dataclass(frozen=True)
class IndicatorTable:
    """One indicator at one level, for every group, as arrays (objects are made only for
    what a page or a sheet asks for)."""

    indicator: str
    level: str
    groups: np.ndarray
    value: np.ndarray  # NaN: no value
    status: np.ndarray  # per group: its status's position in STATUSES
    answered: np.ndarray
    expected: np.ndarray
    excluded: np.ndarray
    figures_missing: np.ndarray
    target: float | None
    decimals: int = 2
    missing: tuple[tuple[str, ...], ...] | None = None  # per group (None: nothing missing)

    def row(self, position: int) -> IndicatorValue:
        value = clean_number(self.value[position])
        return IndicatorValue(
            indicator=self.indicator,
            level=self.level,
            group=int(self.groups[position]),
            value=value,
            status=STATUSES[self.status[position]],
            answered=int(self.answered[position]),
            expected=int(self.expected[position]),
            excluded=int(self.excluded[position]),
            figures_missing=int(self.figures_missing[position]),
            missing=() if self.missing is None else self.missing[position],
            target=self.target,
            met=self.met(value),
            decimals=self.decimals,
        )

    def met(self, value: float | None) -> bool | None:
        """Whether `value` (one of this table's) meets the target: judged at the
        precision shown, so 14.96 shows as 15.0 and meets a target of 15."""
        if value is None or self.target is None:
            return None
        return at_precision(value, self.decimals) >= self.target

    def values_of(self, positions: np.ndarray) -> list[float | None]:
        """The values at `positions` as `row` gives them (None: no value), a block at a
        time for a long sheet."""
        found = self.value[positions].astype("float64")
        listed: list[float | None] = found.tolist()
        for at in np.flatnonzero(~np.isfinite(found)).tolist():
            listed[at] = None
        return listed


@dataclass(frozen=True)
class ParticipationTable:
    level: str
    groups: np.ndarray
    responses: np.ndarray
    headcount: np.ndarray | None
    # Per group: responses of the groups whose headcount is known, and those missing.
    counted: np.ndarray | None = None
    missing: tuple[tuple[str, ...], ...] | None = None

    def row(self, position: int) -> Participation:
        return Participation(
            level=self.level,
            group=int(self.groups[position]),
            responses=int(self.responses[position]),
            headcount=None if self.headcount is None else clean_number(self.headcount[position]),
            counted=None if self.counted is None else int(self.counted[position]),
            missing=() if self.missing is None else self.missing[position],
        )


@dataclass
class Computed:
    tables: dict[tuple[str, str], IndicatorTable] = field(default_factory=dict)
    participation_tables: dict[str, ParticipationTable] = field(default_factory=dict)

    def by(self, indicator: str, level: str) -> dict[int, IndicatorValue]:
        table = self.tables.get((indicator, level))
        if table is None:
            return {}
        return {int(g): table.row(i) for i, g in enumerate(table.groups)}

    def value(self, indicator: str, level: str, group: int) -> IndicatorValue | None:
        table = self.tables.get((indicator, level))
        if table is None:
            return None
        found = np.flatnonzero(table.groups == group)
        return table.row(int(found[0])) if found.size else None

    @property
    def values(self) -> list[IndicatorValue]:
        return [t.row(i) for t in self.tables.values() for i in range(len(t.groups))]

    @property
    def participation(self) -> list[Participation]:
        return [t.row(i) for t in self.participation_tables.values() for i in range(len(t.groups))]


# Values rounded by at_precision: below it, 12 significant digits and the decimals fit
# Decimal's 28-digit precision.
ROUNDED_BELOW = 1e15


def at_precision(value: float, decimals: int) -> float:
    """The value rounded to `decimals` places, halves away from zero, as a reader rounds
    a printed figure: from its decimal text at 12 significant digits, past float64's
    noise (29 / 200 * 100 is 14.499999999999998 in float64 and 14.5 on paper: 15).
    A value past 12 significant digits' reach (or not finite) has no such noise to round
    away, and is kept as it is (quantized, it would pass Decimal's precision)."""
    if not abs(value) < ROUNDED_BELOW:
        return value
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(f"{value:.12g}").quantize(step, rounding=ROUND_HALF_UP))


def clean_number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number
