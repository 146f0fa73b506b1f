"""Indicator formulas per group: per-response terms counted by group codes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.known import figure_name, is_figure_sum, known_sum
from collector.indicators.operators import (
    Evaluator,
    IndicatorError,
    Value,
    as_number,
    float_array,
    sum_terms,
)
from collector.indicators.rows import RowEvaluator
from collector.schema.expressions import Binary, Call, Node, Reference


class GroupEvaluator(Evaluator):
    """An indicator formula per group (school, municipality or region): the per-response
    terms come from a shared RowEvaluator (computed once for all levels), and are summed
    per group with numpy's bincount over the level's group codes."""

    def __init__(
        self,
        rows: RowEvaluator,
        codes: np.ndarray,
        groups: pd.Index,
        keep: np.ndarray | None = None,
        figure_source: Any = None,
        answered: np.ndarray | None = None,
    ) -> None:
        self.rows = rows
        self.index = groups
        size = len(groups)
        self.size = size
        # Per response: its group, or one bin past the last for a response not counted
        # (no group at this level, or left out by `keep`), so a total is one bincount of
        # the shared per-response array (no copy of it).
        bins = np.where(codes >= 0, codes, size)
        self.bins = bins if keep is None else np.where(keep, bins, size)
        self.figure_source = figure_source
        self._cache: dict[Node, Value] = {}
        self._respondents: dict[tuple[str, ...], np.ndarray] = {}
        # Groups with no (kept) response have no value for any count of responses; where
        # the answering units are given, a group whose units answered with no rows (a
        # registry without records) counts 0.
        rows_per_group = np.bincount(self.bins, minlength=size + 1)[:size]
        if answered is not None:
            self.empty = answered == 0
        else:
            self.empty = rows_per_group == 0
        # Answered with no rows at all: a sum over nothing is 0 there.
        self.nothing = ~self.empty & (rows_per_group == 0)

    def evaluate(self, node: Node) -> Value:
        # A group term met again (in another indicator, in a rule) is not computed again.
        if node not in self._cache:
            self._cache[node] = super().evaluate(node)
        return self._cache[node]

    def respondents(self, columns: tuple[str, ...]) -> np.ndarray:
        """Per group: the counted responses that answered at least one of the columns
        (what a survey's smallest group is measured in)."""
        if columns not in self._respondents:
            self._respondents[columns] = self._total(self.rows.answered_any(columns))
        return self._respondents[columns]

    def _total(self, weights: np.ndarray) -> np.ndarray:
        """Per group: the sum of a per-response array (float64); a boolean one is
        counted where it holds, which needs no float copy of a million responses."""
        if weights.dtype == np.bool_:
            counts = np.bincount(self.bins[weights], minlength=self.size + 1)
            return counts[: self.size].astype("float64")
        totals: np.ndarray = np.bincount(self.bins, weights=weights, minlength=self.size + 1)
        return totals[: self.size]

    def _series(self, values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=self.index, dtype="float64")

    def binary(self, node: Binary) -> Value:
        if not is_figure_sum(node):
            return super().binary(node)
        # A sum of reference figures (Omsk 5.7: pupils with ОВЗ + disabled children) is
        # over the figures known: one never recorded does not lose the whole denominator
        # (the engine names it beside the value).
        terms = [
            (figure_name(t), float_array(as_number(self.evaluate(t), self.index)))
            for t in sum_terms(node)
            if isinstance(t, Call)
        ]
        return self._series(known_sum(terms, self.size).total)

    def reference(self, node: Reference) -> Value:
        # A bare name in a group formula counts as its sum (the same at school level).
        return self.call(Call("sum", (node,)))

    def call(self, node: Call) -> Value:
        rows = self.rows
        if node.name in ("sum", "mean"):
            term = Call("sum", node.args) if node.name == "sum" else node.args[0]
            known_part, known = rows.summands(term)
            total, count = self._total(known_part), self._total(known)
            with np.errstate(invalid="ignore", divide="ignore"):
                result = total if node.name == "sum" else total / count
            none = np.nan if node.name == "mean" else np.where(self.nothing, 0.0, np.nan)
            return self._series(np.where(count == 0, none, result))
        if node.name == "count":
            counted = self._total(rows.numbers(node))
            return self._series(np.where(self.empty, np.nan, counted))
        if node.name in ("count_if", "share"):
            holds, known = rows.truths(node.args[0])
            hits = self._total(holds)
            if node.name == "count_if":
                return self._series(np.where(self.empty, np.nan, hits))
            asked = self._total(known)
            with np.errstate(invalid="ignore", divide="ignore"):
                return self._series(np.where(asked == 0, np.nan, hits / asked * 100))
        if node.name in ("min", "max"):
            counted = self.bins < self.size
            per_row = pd.Series(rows.numbers(node))[counted]
            grouped = per_row.groupby(self.bins[counted])
            found = grouped.min() if node.name == "min" else grouped.max()
            return self._series(found.reindex(range(self.size)).to_numpy(dtype="float64"))
        if node.name in ("figure", "count_units", "sum_units"):
            # Over the group's expected units, answered or not.
            if self.figure_source is None:
                return pd.Series(np.nan, index=self.index)
            return self._series(self.figure_source(node))
        raise IndicatorError(f"{node.name}() needs a group function around it")
