"""Expressions per response: one value per row of the answers table, each term
computed once per frame and shared by every level and indicator."""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.facts import UnitFacts
from collector.indicators.operators import (
    UNIT_FUNCTIONS,
    Evaluator,
    IndicatorError,
    Value,
    as_bool,
    as_number,
    float_array,
    objects,
    scalar,
    unknown_mask,
)
from collector.schema.evaluate import hidden_conditions
from collector.schema.expressions import Call, Literal, Node, Reference
from collector.schema.spec import FormSpec


class RowEvaluator(Evaluator):
    """An expression per response: one value per row of the answers table."""

    def __init__(self, rows: pd.DataFrame, facts: UnitFacts | None = None) -> None:
        self.rows = rows
        self.index = rows.index
        self.facts = facts or UnitFacts()
        self._cache: dict[Node, Value] = {}
        self._answered: dict[tuple[str, ...], np.ndarray] = {}

    def evaluate(self, node: Node) -> Value:
        # Nodes are frozen and hashable: a term met again (at another level, in another
        # indicator) is not computed again.
        if node not in self._cache:
            self._cache[node] = super().evaluate(node)
        return self._cache[node]

    def reference(self, node: Reference) -> Value:
        name = node.dotted
        if name in self.rows.columns:
            return self.rows[name]
        return pd.Series(None, index=self.index, dtype="object")

    def call(self, node: Call) -> Value:
        if node.name == "selected":
            option = scalar(node.args[1]) if isinstance(node.args[1], Literal) else None
            return self.selected(node.args[0], option)
        if node.name in ("sum", "count", "min", "max"):
            return self.within_row(node)
        if node.name in UNIT_FUNCTIONS:
            per_unit = self.facts.of(node)
            values = self.rows["unit_id"].map(per_unit)
            if node.name == "figure":
                return pd.to_numeric(values, errors="coerce").astype("float64")
            if node.name == "school_type":
                return values.fillna(False).astype("boolean")
            return values.astype("boolean")
        raise IndicatorError(f"{node.name}() is counted over a group, not inside one answer")

    def missing(self, node: Node, value: Value) -> np.ndarray:
        # Looked for once per term: a text column compared with several options
        # (`grade = "10" or grade = "11"`) is scanned for missing cells once.
        key = Call("missing", (node,))
        if key not in self._cache:
            self._cache[key] = super().missing(node, value)
        mask: np.ndarray = self._cache[key]
        return mask

    def numbers(self, node: Node) -> np.ndarray:
        """Per response: the term as float64 (NaN: unknown). A sum, count, min or max is
        the one inside each response (a table column's cells)."""
        key = Call("numbers", (node,))
        if key not in self._cache:
            if isinstance(node, Call) and node.name in ("sum", "count", "min", "max"):
                value = self.within_row(node)
            else:
                value = self.evaluate(node)
            self._cache[key] = float_array(as_number(value, self.index))
        numbers: np.ndarray = self._cache[key]
        return numbers

    def summands(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """Per response, what a group's sum or mean adds up: the term's value (0 where
        unknown) and whether it is known."""
        key = Call("summands", (node,))
        if key not in self._cache:
            values = self.numbers(node)
            known = ~np.isnan(values)
            self._cache[key] = (np.where(known, values, 0.0), known)
        summands: tuple[np.ndarray, np.ndarray] = self._cache[key]
        return summands

    def truths(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """Per response, what count_if() and share() count: whether the condition holds
        and whether it is known (boolean arrays: a group counts them without turning
        them into numbers first)."""
        key = Call("truths", (node,))
        if key not in self._cache:
            condition = as_bool(self.evaluate(node), self.index).array
            assert isinstance(condition, pd.arrays.BooleanArray)
            known = ~condition.isna()
            holds = condition.to_numpy(dtype=bool, na_value=False)
            self._cache[key] = (holds, known)
        truths: tuple[np.ndarray, np.ndarray] = self._cache[key]
        return truths

    def answered_any(self, columns: tuple[str, ...]) -> np.ndarray:
        """Per response: whether it answered at least one of the columns, found once per
        set of columns, whichever formulas read it."""
        if columns not in self._answered:
            answered = np.zeros(len(self.index), dtype=bool)
            for column in columns:
                reference = Reference(tuple(column.split(".")))
                answered |= ~self.missing(reference, self.evaluate(reference))
            self._answered[columns] = answered
        return self._answered[columns]

    def selected(self, choice: Node, option: Any) -> pd.Series:
        """Per response: whether the multiple choice holds the option (unknown where
        it was not answered)."""
        chosen = self.evaluate(choice)
        rows, options = self._ticks(choice)
        ticked = np.zeros(len(self.index), dtype=bool)
        ticked[rows[options == option]] = True
        unanswered = self.missing(choice, chosen)
        return pd.Series(pd.arrays.BooleanArray(ticked, unanswered), index=self.index)

    def _ticks(self, choice: Node) -> tuple[np.ndarray, np.ndarray]:
        """Every option ticked in a multiple choice, one entry per tick: the response's
        position and the option. Flattened once per field (by numpy over C iterators,
        not Series.explode, which re-infers a string column and costs twice as much),
        then each selected(field, option) is one comparison."""
        key = Call("ticks", (choice,))
        if key not in self._cache:
            chosen = self.evaluate(choice)
            answered = ~self.missing(choice, chosen)
            lists = objects(chosen, len(self.index))[answered]
            sizes = np.fromiter(map(len, lists), dtype="int64", count=len(lists))
            options = np.fromiter(chain.from_iterable(lists), dtype=object, count=sizes.sum())
            rows = np.repeat(np.flatnonzero(answered), sizes)
            self._cache[key] = (rows, options)
        ticks: tuple[np.ndarray, np.ndarray] = self._cache[key]
        return ticks

    def within_row(self, node: Call) -> pd.Series:
        """sum/count/min/max of the call's arguments inside each row (a table column
        contributes all its cells)."""
        key = Call(f"within:{node.name}", node.args)
        if key not in self._cache:
            self._cache[key] = self._within_row(node)
        result: pd.Series = self._cache[key]
        return result

    def _within_row(self, node: Call) -> pd.Series:
        if len(node.args) == 1:
            return self._row_part(node.name, self.evaluate(node.args[0]))
        parts = [self._row_part(node.name, self.evaluate(arg)) for arg in node.args]
        table = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=self.index)
        if node.name == "sum":
            return table.sum(axis=1, min_count=1)
        if node.name == "count":
            return table.sum(axis=1)
        if node.name == "min":
            return table.min(axis=1, skipna=True)
        return table.max(axis=1, skipna=True)

    def _row_part(self, name: str, value: Value) -> pd.Series:
        if isinstance(value, pd.Series) and value.dtype == object and holds_lists(value):
            return value.map(lambda cells: _list_aggregate(name, cells)).astype("float64")
        if name == "count":
            return (~unknown_mask(value, self.index)).astype("float64")
        return as_number(value, self.index)


def with_hidden_values(spec: FormSpec, answers: pd.DataFrame) -> pd.DataFrame:
    """The answers with each field's declared `hidden_value` where a condition hiding it
    is definitely false (a part of a zero total is 0), as collector.schema.evaluate's
    hidden_values reads one response: the conditions are evaluated over the answers as
    stored, per response. A copy where anything is filled; the frame itself otherwise."""
    conditions = {
        field_id: trees
        for field_id, trees in hidden_conditions(spec).items()
        if field_id in answers.columns
    }
    if not conditions or answers.empty:
        return answers
    rows = RowEvaluator(answers)
    filled = answers.copy()
    for field_id, trees in conditions.items():
        hidden = np.zeros(len(answers), dtype=bool)
        for tree in trees:
            condition = as_bool(rows.evaluate(tree), rows.index).array
            # Definitely false: unknown reads as true here, and hides nothing for sure.
            hidden |= ~condition.to_numpy(dtype=bool, na_value=True)
        value = spec.field(field_id).hidden_value
        assert value is not None
        filled[field_id] = filled[field_id].where(~hidden, float(value))
    return filled


def holds_lists(series: pd.Series) -> bool:
    sample = series.dropna()
    return not sample.empty and isinstance(sample.iloc[0], list)


def _list_aggregate(name: str, cells: Any) -> float:
    values = cells if isinstance(cells, list) else []
    answered = [v for v in values if v is not None and v != ""]
    if name == "count":
        return float(len(answered))
    numbers = [float(v) for v in answered if isinstance(v, int | float | str) and _numeric(v)]
    if not numbers:
        return math.nan
    if name == "sum":
        return float(sum(numbers))
    return float(min(numbers) if name == "min" else max(numbers))


def _numeric(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)
