"""The indicator engine: a schema's indicator formulas evaluated over many responses at
each level of the tree, vectorised with pandas.

An indicator formula speaks of groups: `sum(x)` is the sum of x over the responses of a
municipality (or region, or school), `share(c)` the share of responses where c holds,
`figure("pupils", 10, 11)` the reference figure summed over the group's expected units.
Inside those calls an expression is evaluated per response (row). Each level is computed
from the rows themselves, never from the level below, so a ratio at a region is its summed
numerator over its summed denominator and no percentage is ever averaged.

Unknown is explicit: a group with no responses, a division by zero or only missing answers
gives no value (None), never 0 and never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.frame import LEVELS
from collector.schema.expressions import Binary, Call, Literal, Node, Reference, Unary
from collector.schema.spec import FormSpec, IndicatorSpec

GROUP_CALLS = frozenset({"sum", "count", "min", "max", "count_if", "share", "mean", "figure"})
Value = Any  # a pandas Series (per row or per group) or a plain scalar


class IndicatorError(ValueError):
    """A formula the engine cannot evaluate (the schema checker lets none through)."""


def has_group_call(node: Node) -> bool:
    if isinstance(node, Call):
        return node.name in GROUP_CALLS or any(has_group_call(a) for a in node.args)
    if isinstance(node, Unary):
        return has_group_call(node.operand)
    if isinstance(node, Binary):
        return has_group_call(node.left) or has_group_call(node.right)
    return False


def _scalar(value: Literal) -> Any:
    if isinstance(value.value, Decimal):
        return float(value.value)
    return value.value


def _as_bool(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.astype("boolean")
    return pd.Series(value, index=index, dtype="boolean")


def _as_number(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        if value.dtype == "boolean":
            return value.astype("Float64").astype("float64")
        return pd.to_numeric(value, errors="coerce").astype("float64")
    number = float(value) if isinstance(value, int | float) and value is not True else math.nan
    return pd.Series(number, index=index, dtype="float64")


def _unknown_mask(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.isna()
    return pd.Series(value is None, index=index)


def _with_unknown(result: pd.Series, *masks: pd.Series) -> pd.Series:
    result = result.astype("boolean")
    for mask in masks:
        result[mask.to_numpy()] = pd.NA
    return result


class _Evaluator:
    """Operators shared by row and group evaluation; subclasses resolve names and calls."""

    index: pd.Index

    def evaluate(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return _scalar(node)
        if isinstance(node, Reference):
            return self.reference(node)
        if isinstance(node, Unary):
            operand = self.evaluate(node.operand)
            if node.op == "not":
                return ~_as_bool(operand, self.index)
            return -_as_number(operand, self.index)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def reference(self, node: Reference) -> Value:
        raise NotImplementedError

    def call(self, node: Call) -> Value:
        raise NotImplementedError

    def binary(self, node: Binary) -> Value:
        left, right = self.evaluate(node.left), self.evaluate(node.right)
        index = self.index
        if node.op == "and":
            return _as_bool(left, index) & _as_bool(right, index)
        if node.op == "or":
            return _as_bool(left, index) | _as_bool(right, index)
        if node.op in ("+", "-", "*", "/"):
            a, b = _as_number(left, index), _as_number(right, index)
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            # x / 0 is no value, not infinity.
            return (a / b.where(b != 0)).astype("float64")
        unknown = (_unknown_mask(left, index), _unknown_mask(right, index))
        if node.op in ("<", "<=", ">", ">="):
            a, b = _as_number(left, index), _as_number(right, index)
            compared = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
            return _with_unknown(compared, *unknown)
        equal = self.equality(left, right)
        return _with_unknown(equal if node.op == "==" else ~equal, *unknown)

    def equality(self, left: Value, right: Value) -> pd.Series:
        index = self.index
        numeric = all(
            (isinstance(v, pd.Series) and v.dtype in ("float64", "Float64", "Int64"))
            or (isinstance(v, int | float) and not isinstance(v, bool))
            for v in (left, right)
        )
        if numeric:
            return (_as_number(left, index) == _as_number(right, index)).astype("boolean")
        a = left if isinstance(left, pd.Series) else pd.Series([left] * len(index), index=index)
        b = right if isinstance(right, pd.Series) else pd.Series([right] * len(index), index=index)
        return pd.Series(a.to_numpy(dtype=object) == b.to_numpy(dtype=object), index=index)


class RowEvaluator(_Evaluator):
    """An expression per response: one value per row of the answers table."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows
        self.index = rows.index

    def reference(self, node: Reference) -> Value:
        name = node.dotted
        if name in self.rows.columns:
            return self.rows[name]
        return pd.Series(None, index=self.index, dtype="object")

    def call(self, node: Call) -> Value:
        if node.name == "selected":
            chosen = self.evaluate(node.args[0])
            option = _scalar(node.args[1]) if isinstance(node.args[1], Literal) else None
            return pd.Series(
                [None if v is None else option in v for v in chosen], index=self.index
            ).astype("boolean")
        if node.name in ("sum", "count", "min", "max"):
            return self.within_row(node)
        raise IndicatorError(f"{node.name}() is counted over a group, not inside one answer")

    def within_row(self, node: Call) -> pd.Series:
        """sum/count/min/max of the call's arguments inside each row (a table column
        contributes all its cells)."""
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
        if isinstance(value, pd.Series) and value.dtype == object and _holds_lists(value):
            return value.map(lambda cells: _list_aggregate(name, cells)).astype("float64")
        if name == "count":
            return (~_unknown_mask(value, self.index)).astype("float64")
        return _as_number(value, self.index)


def _holds_lists(series: pd.Series) -> bool:
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


class GroupEvaluator(_Evaluator):
    """An indicator formula per group (school, municipality or region)."""

    def __init__(
        self,
        rows: pd.DataFrame,
        row_groups: pd.Series,
        groups: pd.Index,
        figure_source: Any = None,
    ) -> None:
        self.rows = rows
        self.row_groups = row_groups
        self.index = groups
        self.row_evaluator = RowEvaluator(rows)
        self.figure_source = figure_source

    def _grouped(self, values: pd.Series) -> Any:
        return values.groupby(self.row_groups.to_numpy(), dropna=True)

    def _per_group(self, values: pd.Series) -> pd.Series:
        return values.reindex(self.index).astype("float64")

    def reference(self, node: Reference) -> Value:
        # A bare name in a group formula counts as its sum (the same at school level).
        return self.call(Call("sum", (node,)))

    def call(self, node: Call) -> Value:
        rows = self.row_evaluator
        if node.name in ("sum", "count", "min", "max"):
            per_row = rows.within_row(node)
            grouped = self._grouped(per_row)
            if node.name == "sum":
                return self._per_group(grouped.sum(min_count=1))
            if node.name == "count":
                return self._per_group(grouped.sum())
            return self._per_group(grouped.min() if node.name == "min" else grouped.max())
        if node.name in ("count_if", "share"):
            condition = _as_bool(rows.evaluate(node.args[0]), self.rows.index)
            true = self._grouped(condition.fillna(False).astype("int64")).sum()
            if node.name == "count_if":
                return self._per_group(true)
            known = self._grouped(condition.notna().astype("int64")).sum()
            return self._per_group(true / known.where(known != 0) * 100)
        if node.name == "mean":
            values = _as_number(rows.evaluate(node.args[0]), self.rows.index)
            grouped = self._grouped(values)
            return self._per_group(grouped.sum(min_count=1) / grouped.count().replace(0, np.nan))
        if node.name == "figure":
            if self.figure_source is None:
                return pd.Series(np.nan, index=self.index)
            return self._per_group(self.figure_source(node))
        raise IndicatorError(f"{node.name}() needs a group function around it")


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator for one group at one level."""

    indicator: str
    level: str
    group: int
    value: float | None
    status: str  # "ok", "no_data" or "not_applicable"
    answered: int  # units of the group that answered
    expected: int  # units of the group asked
    excluded: int = 0  # units the indicator's not-applicable rule left out
    target: float | None = None
    met: bool | None = None

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

    @property
    def rate(self) -> float | None:
        if not self.headcount:
            return None
        return 100 * self.responses / self.headcount


@dataclass
class Computed:
    values: list[IndicatorValue] = field(default_factory=list)
    participation: list[Participation] = field(default_factory=list)

    def by(self, indicator: str, level: str) -> dict[int, IndicatorValue]:
        return {v.group: v for v in self.values if v.indicator == indicator and v.level == level}


def _target(indicator: IndicatorSpec, year: int | None) -> float | None:
    if year is None:
        return None
    target = indicator.targets.get(str(year))
    return None if target is None else float(target)


def _clean(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


class Engine:
    """Indicators of one form over one campaign's counted responses."""

    def __init__(
        self,
        spec: FormSpec,
        units: pd.DataFrame,
        answers: pd.DataFrame,
        figures: pd.DataFrame | None = None,
        year: int | None = None,
    ) -> None:
        self.spec = spec
        self.units = units  # index unit_id; a column per level
        self.answers = answers.reset_index(drop=True)
        self.figures = figures
        self.year = year

    def compute(
        self, indicators: Iterable[IndicatorSpec] | None = None, levels: Sequence[str] = LEVELS
    ) -> Computed:
        result = Computed()
        chosen = list(self.spec.indicators if indicators is None else indicators)
        for level in levels:
            if level not in self.units.columns:
                continue
            groups = pd.Index(self.units[level].dropna().unique(), dtype="int64").sort_values()
            if groups.empty:
                continue
            row_groups = self.answers["unit_id"].map(self.units[level]).astype("Int64")
            expected = self.units[level].dropna().astype("int64").value_counts()
            answered = (
                self.answers.assign(group=row_groups)
                .dropna(subset=["group"])
                .groupby("group")["unit_id"]
                .nunique()
            )
            for indicator in chosen:
                if indicator.levels and level not in indicator.levels:
                    continue
                result.values += self._indicator(
                    indicator, level, groups, row_groups, expected, answered
                )
            if self.spec.kind == "survey":
                result.participation += self._participation(level, groups, row_groups)
        return result

    def _figure_per_group(self, level: str) -> Any:
        def figure(node: Call) -> pd.Series:
            figures = self.figures
            if figures is None or figures.empty:
                return pd.Series(dtype="float64")
            name = _scalar(node.args[0]) if isinstance(node.args[0], Literal) else None
            grades = [int(_scalar(a)) for a in node.args[1:] if isinstance(a, Literal)]
            chosen = figures[figures["figure"] == name]
            if len(grades) == 1:
                chosen = chosen[chosen["grade"] == grades[0]]
            elif len(grades) == 2:
                chosen = chosen[(chosen["grade"] >= grades[0]) & (chosen["grade"] <= grades[1])]
            per_unit = chosen.groupby("unit_id")["value"].sum(min_count=1)
            # Over the group's expected units: a unit that did not answer still counts
            # in the population it belongs to.
            place = self.units[level].reindex(per_unit.index)
            return per_unit.groupby(place.to_numpy(), dropna=True).sum(min_count=1)

        return figure

    def _indicator(
        self,
        indicator: IndicatorSpec,
        level: str,
        groups: pd.Index,
        row_groups: pd.Series,
        expected: pd.Series,
        answered: pd.Series,
    ) -> list[IndicatorValue]:
        rows, rows_group = self.answers, row_groups
        excluded = pd.Series(0, index=groups)
        rule = indicator.not_applicable_if
        group_rule = None
        if rule is not None and not has_group_call(rule):
            # A per-unit rule (Tomsk 4.2.4: no pupils with ОВЗ, no indicator): those
            # units' rows are left out of this indicator and counted as excluded.
            out = RowEvaluator(rows).evaluate(rule)
            out = _as_bool(out, rows.index).fillna(False).to_numpy(dtype=bool)
            excluded = (
                rows.loc[out]
                .assign(group=row_groups[out])
                .dropna(subset=["group"])
                .groupby("group")["unit_id"]
                .nunique()
                .reindex(groups, fill_value=0)
            )
            rows, rows_group = rows.loc[~out], row_groups[~out]
        evaluator = GroupEvaluator(
            rows, rows_group, groups, figure_source=self._figure_per_group(level)
        )
        values = _as_number(evaluator.evaluate(indicator.formula), groups)
        if rule is not None and has_group_call(rule):
            group_rule = _as_bool(evaluator.evaluate(rule), groups).fillna(False)
        target = _target(indicator, self.year)
        found = []
        for group in groups:
            count = int(answered.get(group, 0))
            left_out = int(excluded.get(group, 0))
            value = _clean(values.get(group))
            if (group_rule is not None and bool(group_rule.get(group, False))) or (
                count and left_out == count
            ):
                status, value = "not_applicable", None
            elif value is None:
                status = "no_data"
            else:
                status = "ok"
            found.append(
                IndicatorValue(
                    indicator=indicator.id,
                    level=level,
                    group=int(group),
                    value=value,
                    status=status,
                    answered=count,
                    expected=int(expected.get(group, 0)),
                    excluded=left_out,
                    target=target,
                    met=None if value is None or target is None else value >= target,
                )
            )
        return found

    def _participation(
        self, level: str, groups: pd.Index, row_groups: pd.Series
    ) -> list[Participation]:
        responses = row_groups.dropna().value_counts()
        headcount = None
        if self.spec.headcount is not None:
            evaluator = GroupEvaluator(
                self.answers, row_groups, groups, figure_source=self._figure_per_group(level)
            )
            headcount = _as_number(evaluator.evaluate(self.spec.headcount), groups)
        return [
            Participation(
                level=level,
                group=int(group),
                responses=int(responses.get(group, 0)),
                headcount=None if headcount is None else _clean(headcount.get(group)),
            )
            for group in groups
        ]


def distribution(answers: pd.DataFrame, units: pd.DataFrame, level: str, path: str) -> pd.DataFrame:
    """Answers of one choice field counted per option and group: rows are groups,
    columns the option values (a multiple choice counts each ticked option)."""
    if path not in answers.columns:
        return pd.DataFrame()
    column = answers[path]
    groups = answers["unit_id"].map(units[level])
    frame = pd.DataFrame({"group": groups, "value": column}).dropna()
    if frame.empty:
        return pd.DataFrame()
    if _holds_lists(frame["value"]):
        frame = frame.explode("value").dropna()
    table = frame.groupby(["group", "value"]).size().unstack(fill_value=0)
    table.index = table.index.astype("int64")
    return table
