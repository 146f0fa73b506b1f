"""What is known of a unit apart from its answers: reference figures and school type."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from collector.indicators.operators import scalar
from collector.schema.expressions import Call, Literal, Node


def _grades(node: Call, start: int) -> list[int]:
    return [int(scalar(a)) for a in node.args[start:] if isinstance(a, Literal)]


class UnitFacts:
    """What is known of each unit apart from its answers: its reference figures of the
    campaign's year and its school type. Each fact is a Series indexed by unit id."""

    def __init__(
        self, figures: pd.DataFrame | None = None, school_types: pd.Series | None = None
    ) -> None:
        self.figures = figures
        self.school_types = school_types
        self._cache: dict[Node, pd.Series] = {}

    def figure(self, name: str, grades: Sequence[int]) -> pd.Series:
        """Per unit: the figure summed over the grades (all its rows when none given).
        A unit that records the figure for other grades only has 0 in these; a unit
        with no row of the figure at all is absent (unknown)."""
        figures = self.figures
        if figures is None or figures.empty:
            return pd.Series(dtype="float64")
        recorded = figures[figures["figure"] == name]
        chosen = recorded
        if len(grades) == 1:
            chosen = recorded[recorded["grade"] == grades[0]]
        elif len(grades) == 2:
            chosen = recorded[(recorded["grade"] >= grades[0]) & (recorded["grade"] <= grades[1])]
        totals = chosen.groupby("unit_id")["value"].sum()
        units = pd.unique(recorded["unit_id"])
        return totals.reindex(units, fill_value=0.0).astype("float64")

    def of(self, node: Call) -> pd.Series:
        """The unit function's value per unit id."""
        if node not in self._cache:
            self._cache[node] = self._of(node)
        return self._cache[node]

    def _of(self, node: Call) -> pd.Series:
        if node.name == "figure":
            name = scalar(node.args[0]) if isinstance(node.args[0], Literal) else None
            return self.figure(str(name), _grades(node, 1))
        if node.name == "teaches":
            # A unit teaches grades a–b this year when it has pupils in them.
            grades = _grades(node, 0)
            pupils = self.figure("pupils", [grades[0], grades[-1]])
            return (pupils > 0).astype("boolean")
        types = self.school_types
        if types is None:
            return pd.Series(dtype="boolean")
        wanted = [scalar(a) for a in node.args if isinstance(a, Literal)]
        # A unit with no recorded type is none of the named types.
        return types.isin(wanted).astype("boolean")
