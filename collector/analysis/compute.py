"""The analysis of one indicator over the units of a territory: pure computation over
values already computed by the indicator engine (no database, no Flask).

A unit misses an indicator for any of three reasons, each judged on the value as shown
(at the indicator's precision), higher being better as the engine judges targets:
- below the target in force;
- in the lowest quartile of its peers: below the first quartile of the values of the
  territory's units that have one (linear interpolation between the sorted values, as
  numpy's default and Excel's QUARTILE.INC), judged only among four units or more;
- worse than at the last campaign of the same form (the one just before), where both
  values count every unit the unit holds (its schools' reports all in).

A unit's series runs over every campaign of the form, oldest first, this one last. A
change since the last campaign is flagged as unusual when it is more than three times the
median absolute change of the units that have both values (and that median is not 0),
among four such units or more: a swing the rest of the territory does not show.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from collector.indicators.results import at_precision

LEAST_PEERS = 4  # units with a value before a quartile or a usual change means anything
UNUSUAL_FACTOR = 3.0


class Reason(enum.StrEnum):
    BELOW_TARGET = "below_target"
    LOWEST_QUARTILE = "lowest_quartile"
    WORSE_THAN_LAST = "worse_than_last"


@dataclass(frozen=True)
class UnitRow:
    """One unit's value of one indicator, its series and why it misses (if it does)."""

    unit_id: int
    value: float | None  # as shown
    series: tuple[float | None, ...]  # per campaign, oldest first; the last is `value`
    change: float | None  # since the last campaign
    reasons: tuple[Reason, ...]
    unusual: bool

    @property
    def misses(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class IndicatorAnalysis:
    indicator: str
    territory: float | None  # the territory's own value, as shown
    target: float | None
    quartile: float | None  # the first quartile of the units' values (None: too few)
    rows: tuple[UnitRow, ...]

    @property
    def met(self) -> bool | None:
        if self.territory is None or self.target is None:
            return None
        return self.territory >= self.target

    @property
    def missing(self) -> tuple[UnitRow, ...]:
        return tuple(row for row in self.rows if row.misses)


def shown(value: float | None, decimals: int) -> float | None:
    return None if value is None else at_precision(value, decimals)


def first_quartile(values: Sequence[float]) -> float | None:
    """Q1 by linear interpolation, or None among fewer than LEAST_PEERS values."""
    if len(values) < LEAST_PEERS:
        return None
    return float(np.percentile(np.asarray(values, dtype="float64"), 25))


def usual_change(changes: Sequence[float]) -> float | None:
    """The median absolute change, or None among fewer than LEAST_PEERS changes."""
    if len(changes) < LEAST_PEERS:
        return None
    return float(statistics.median(abs(c) for c in changes))


def analyse(
    indicator: str,
    decimals: int,
    territory: float | None,
    target: float | None,
    unit_ids: Sequence[int],
    now: Mapping[int, float | None],
    earlier: Sequence[Mapping[int, float | None]],
    complete: Collection[int] | None = None,
) -> IndicatorAnalysis:
    """One indicator over `unit_ids`: their values now, and at each earlier campaign of the
    form (oldest first; a unit absent from a campaign has no value there). With
    `complete`, the units whose values now and at the last campaign both count every unit
    they hold: only theirs are compared with the last campaign (a district with a third of
    its schools' reports in would otherwise fall behind its full count of last year)."""
    values = {u: shown(now.get(u), decimals) for u in unit_ids}
    series = {u: (*(shown(wave.get(u), decimals) for wave in earlier), values[u]) for u in unit_ids}
    known = [v for v in values.values() if v is not None]
    quartile = first_quartile(known)
    changes: dict[int, float | None] = {}
    for u in unit_ids:
        then = series[u][-2] if len(series[u]) > 1 else None
        value = values[u]
        comparable = complete is None or u in complete
        changes[u] = (
            None
            if value is None or then is None or not comparable
            else at_precision(value - then, decimals)
        )
    usual = usual_change([c for c in changes.values() if c is not None])
    rows = []
    for u in unit_ids:
        value, change = values[u], changes[u]
        reasons = []
        if value is not None and target is not None and value < target:
            reasons.append(Reason.BELOW_TARGET)
        if value is not None and quartile is not None and value < quartile:
            reasons.append(Reason.LOWEST_QUARTILE)
        if change is not None and change < 0:
            reasons.append(Reason.WORSE_THAN_LAST)
        unusual = bool(
            change is not None and usual and abs(change) > UNUSUAL_FACTOR * usual  # usual > 0
        )
        rows.append(UnitRow(u, value, series[u], change, tuple(reasons), unusual))
    return IndicatorAnalysis(indicator, shown(territory, decimals), target, quartile, tuple(rows))


def proposed_to(
    indicators: Sequence[str], when: Sequence[str], results: Mapping[str, IndicatorAnalysis]
) -> dict[int, list[tuple[str, tuple[Reason, ...]]]]:
    """The units a recommendation is proposed to: each unit that misses one of its
    `indicators` for one of the reasons `when` names, with those misses (indicator, the
    reasons among `when`), in the order of the units' rows and of `indicators`."""
    wanted = {Reason(w) for w in when}
    found: dict[int, list[tuple[str, tuple[Reason, ...]]]] = {}
    for indicator in indicators:
        result = results.get(indicator)
        if result is None:
            continue
        for row in result.rows:
            reasons = tuple(r for r in row.reasons if r in wanted)
            if reasons:
                found.setdefault(row.unit_id, []).append((indicator, reasons))
    return found
