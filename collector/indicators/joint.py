"""Two surveys of the two sides of one population reported together (Nevinnomyssk 2020:
«уровень удовлетворенности детей и родителей»): pupils' and parents' polls declare the
same indicators, and the joint figure of an indicator for a group is the mean of the two
surveys' values.

The mean, not the pooled answers: each side weighs the same, so a school where parents
answered twice as eagerly as pupils is not reported mostly by its parents.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.indicators.engine import IndicatorValue


@dataclass(frozen=True)
class JointValue:
    """One indicator for one group in both surveys."""

    indicator: str
    group: int
    own: IndicatorValue | None
    other: IndicatorValue | None

    @property
    def value(self) -> float | None:
        """The mean of the two values; none unless both surveys have one here (a side
        with no answers, or too few to show, leaves the joint figure out rather than
        letting the other side stand for both)."""
        sides = (self.own, self.other)
        values = [side.value for side in sides if side is not None and side.value is not None]
        if len(values) < len(sides):
            return None
        return sum(values) / len(values)

    @property
    def status(self) -> str:
        """Why there is no joint value: the first side's reason that has one."""
        if self.value is not None:
            return "ok"
        for side in (self.own, self.other):
            if side is None:
                return "no_data"
            if side.value is None:
                return side.status
        return "no_data"
