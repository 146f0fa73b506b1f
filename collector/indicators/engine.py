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
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.frame import LEVELS
from collector.schema.expressions import (
    Binary,
    Call,
    Literal,
    Node,
    Reference,
    Unary,
    calls_of,
    references,
)
from collector.schema.spec import FormSpec, IndicatorSpec

# Functions over a group's expected units (answered or not), not over its responses.
UNIT_AGGREGATES = frozenset({"count_units", "sum_units"})
GROUP_CALLS = frozenset(
    {"sum", "count", "min", "max", "count_if", "share", "mean", "figure"} | UNIT_AGGREGATES
)
# What is known of a unit apart from its answers (per response: of the response's unit).
UNIT_FUNCTIONS = frozenset({"figure", "teaches", "school_type"})
Value = Any  # a pandas Series (per row or per group) or a plain scalar


class IndicatorError(ValueError):
    """A formula the engine cannot evaluate (the schema checker lets none through)."""


def has_group_call(node: Node, calls: frozenset[str] = GROUP_CALLS) -> bool:
    if isinstance(node, Call):
        return node.name in calls or any(has_group_call(a, calls) for a in node.args)
    if isinstance(node, Unary):
        return has_group_call(node.operand, calls)
    if isinstance(node, Binary):
        return has_group_call(node.left, calls) or has_group_call(node.right, calls)
    return False


def is_group_rule(rule: Node) -> bool:
    """A not-applicable rule speaks of the whole group when it aggregates answers or
    units (`sum(graduates) = 0`); one reading only the unit itself — its answers, its
    figures (`figure("pupils_ovz", 10, 12) = 0`), its type — is a rule per unit."""
    return has_group_call(rule, GROUP_CALLS - {"figure"})


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


def _day_number(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(date.fromisoformat(value).toordinal())
        except ValueError:
            return math.nan
    return math.nan


def _day_numbers(texts: pd.Series) -> pd.Series:
    """Each text as its day number. A column holds few distinct dates, so each distinct
    text is parsed once (by date.fromisoformat, the row evaluator's parser) and the
    numbers are spread back over the rows by their codes."""
    try:
        codes, distinct = pd.factorize(texts.to_numpy(dtype=object))
    except TypeError:
        # Unhashable cells are lists (a multiple choice, a table column): never dates.
        return pd.Series(math.nan, index=texts.index, dtype="float64")
    numbers = np.fromiter((_day_number(text) for text in distinct), "float64", len(distinct))
    # factorize codes a missing text -1: the appended NaN is its number.
    days = np.append(numbers, math.nan)[codes]
    return pd.Series(days, index=texts.index, dtype="float64")


def _as_ordered(value: Value, index: pd.Index) -> pd.Series:
    """A side of <, <=, >, >=: a number, or a date (stored as ISO text) as its day number;
    a text that is no date is unknown, as in collector.schema.evaluate."""
    if isinstance(value, pd.Series):
        if value.dtype == object or isinstance(value.dtype, pd.StringDtype):
            return _day_numbers(value)
        return _as_number(value, index)
    if isinstance(value, str):
        return pd.Series(_day_number(value), index=index, dtype="float64")
    return _as_number(value, index)


def _unknown_mask(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.isna()
    return pd.Series(value is None, index=index)


def _with_unknown(result: pd.Series, *masks: pd.Series) -> pd.Series:
    result = result.astype("boolean")
    for mask in masks:
        result[mask.to_numpy()] = pd.NA
    return result


def _objects(value: Value, size: int) -> np.ndarray:
    """A side of an equality as an array of Python values, a scalar repeated."""
    if isinstance(value, pd.Series):
        array: np.ndarray = value.to_numpy(dtype=object)
        return array
    repeated = np.empty(size, dtype=object)
    repeated.fill(value)
    return repeated


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
        if node.op in ("<", "<=", ">", ">="):
            a, b = _as_ordered(left, index), _as_ordered(right, index)
            compared = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
            return _with_unknown(compared, a.isna(), b.isna())
        unknown = self.missing(node.left, left) | self.missing(node.right, right)
        equal = self.equality(left, right, unknown)
        result = equal if node.op == "==" else ~equal
        return pd.Series(pd.arrays.BooleanArray(result, unknown), index=index)

    def missing(self, node: Node, value: Value) -> np.ndarray:
        """Where the node's value is unknown (None, NaN, pandas' NA)."""
        mask: np.ndarray = _unknown_mask(value, self.index).to_numpy(dtype=bool)
        return mask

    def equality(self, left: Value, right: Value, unknown: np.ndarray) -> np.ndarray:
        """Where the two sides are equal; False where either is `unknown`."""
        index = self.index
        numeric = all(
            (isinstance(v, pd.Series) and v.dtype in ("float64", "Float64", "Int64"))
            or (isinstance(v, int | float) and not isinstance(v, bool))
            for v in (left, right)
        )
        if numeric:
            equal: np.ndarray = (_as_number(left, index) == _as_number(right, index)).to_numpy()
        else:
            a, b = _objects(left, len(index)), _objects(right, len(index))
            # The unknown cells are set aside before comparing (pandas' NA == x is NA,
            # not True or False).
            equal = _set_aside(a, unknown) == _set_aside(b, unknown)
        known_equal: np.ndarray = equal & ~unknown
        return known_equal


def _set_aside(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """A copy (the values may be the frame's own) with None where `missing`."""
    kept = values.copy()
    kept[missing] = None
    return kept


def _grades(node: Call, start: int) -> list[int]:
    return [int(_scalar(a)) for a in node.args[start:] if isinstance(a, Literal)]


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
            name = _scalar(node.args[0]) if isinstance(node.args[0], Literal) else None
            return self.figure(str(name), _grades(node, 1))
        if node.name == "teaches":
            # A unit teaches grades a–b this year when it has pupils in them.
            grades = _grades(node, 0)
            pupils = self.figure("pupils", [grades[0], grades[-1]])
            return (pupils > 0).astype("boolean")
        types = self.school_types
        if types is None:
            return pd.Series(dtype="boolean")
        wanted = {_scalar(a) for a in node.args if isinstance(a, Literal)}
        # A unit with no recorded type is none of the named types.
        return types.map(lambda t: t in wanted).astype("boolean")


class RowEvaluator(_Evaluator):
    """An expression per response: one value per row of the answers table."""

    def __init__(self, rows: pd.DataFrame, facts: UnitFacts | None = None) -> None:
        self.rows = rows
        self.index = rows.index
        self.facts = facts or UnitFacts()
        self._cache: dict[Node, Value] = {}
        self._answered: dict[str, np.ndarray] = {}

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
            option = _scalar(node.args[1]) if isinstance(node.args[1], Literal) else None
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
            self._cache[key] = _float_array(_as_number(value, self.index))
        numbers: np.ndarray = self._cache[key]
        return numbers

    def summands(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """Per response, what a group's sum or mean adds up: the term's value (0 where
        unknown) and whether it is known (1.0 or 0.0)."""
        key = Call("summands", (node,))
        if key not in self._cache:
            values = self.numbers(node)
            known = ~np.isnan(values)
            self._cache[key] = (np.where(known, values, 0.0), known.astype("float64"))
        summands: tuple[np.ndarray, np.ndarray] = self._cache[key]
        return summands

    def truths(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """Per response, what count_if() and share() count: whether the condition holds
        and whether it is known (each 1.0 or 0.0)."""
        key = Call("truths", (node,))
        if key not in self._cache:
            condition = _as_bool(self.evaluate(node), self.index).array
            assert isinstance(condition, pd.arrays.BooleanArray)
            known = ~condition.isna()
            holds = condition.to_numpy(dtype=bool, na_value=False)
            self._cache[key] = (holds.astype("float64"), known.astype("float64"))
        truths: tuple[np.ndarray, np.ndarray] = self._cache[key]
        return truths

    def answered_any(self, columns: Sequence[str]) -> np.ndarray:
        """Per response: whether it answered at least one of the columns (each column's
        answers are looked at once, whichever formulas read it)."""
        answered = np.zeros(len(self.index), dtype=bool)
        for column in columns:
            if column not in self._answered:
                self._answered[column] = self.rows[column].notna().to_numpy(dtype=bool)
            answered |= self._answered[column]
        return answered

    def selected(self, choice: Node, option: Any) -> pd.Series:
        """Per response: whether the multiple choice holds the option (unknown where
        it was not answered)."""
        rows, codes, options = self._ticks(choice)
        ticked = np.zeros(len(self.index), dtype=bool)
        wanted = np.flatnonzero(options == option)
        if wanted.size:
            ticked[rows[codes == wanted[0]]] = True
        unanswered = pd.isna(_objects(self.evaluate(choice), len(self.index)))
        return pd.Series(pd.arrays.BooleanArray(ticked, unanswered), index=self.index)

    def _ticks(self, choice: Node) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every option ticked in a multiple choice, one entry per tick: the response's
        position, the option's code and the distinct options. Found once per field, so
        each selected(field, option) after the first is a comparison of codes."""
        key = Call("ticks", (choice,))
        if key not in self._cache:
            lists = pd.Series(_objects(self.evaluate(choice), len(self.index))).explode()
            codes, options = pd.factorize(lists.to_numpy(dtype=object))
            self._cache[key] = (lists.index.to_numpy(), codes, np.asarray(options, dtype=object))
        ticks: tuple[np.ndarray, np.ndarray, np.ndarray] = self._cache[key]
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
            return (~_unknown_mask(value, self.index)).astype("float64")
        return _as_number(value, self.index)


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


class GroupEvaluator(_Evaluator):
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
        valid = codes >= 0
        if keep is not None:
            valid = valid & keep
        self.valid = valid
        self.codes = codes[valid]
        # Per response: its group, or one bin past the last for a response not counted,
        # so a total is one bincount of the shared per-response array (no copy of it).
        self.bins = np.where(valid, codes, size)
        self.figure_source = figure_source
        # Groups with no (kept) response have no value for any count of responses; where
        # the answering units are given, a group whose units answered with no rows (a
        # registry without records) counts 0.
        rows_per_group = np.bincount(self.codes, minlength=size)
        if answered is not None:
            self.empty = answered == 0
        else:
            self.empty = rows_per_group == 0
        # Answered with no rows at all: a sum over nothing is 0 there.
        self.nothing = ~self.empty & (rows_per_group == 0)

    def _total(self, weights: np.ndarray) -> np.ndarray:
        totals: np.ndarray = np.bincount(self.bins, weights=weights, minlength=self.size + 1)
        return totals[: self.size]

    def _series(self, values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=self.index, dtype="float64")

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
            per_row = pd.Series(rows.numbers(node))[self.valid]
            grouped = per_row.groupby(self.codes)
            found = grouped.min() if node.name == "min" else grouped.max()
            return self._series(found.reindex(range(self.size)).to_numpy(dtype="float64"))
        if node.name in ("figure", "count_units", "sum_units"):
            # Over the group's expected units, answered or not.
            if self.figure_source is None:
                return pd.Series(np.nan, index=self.index)
            return self._series(self.figure_source(node))
        raise IndicatorError(f"{node.name}() needs a group function around it")


def _float_array(values: Value) -> np.ndarray:
    if isinstance(values, pd.Series):
        array: np.ndarray = values.to_numpy(dtype="float64", na_value=np.nan)
        return array
    return np.asarray(values, dtype="float64")


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


NOT_APPLICABLE, NO_DATA, OK = "not_applicable", "no_data", "ok"
SMALL_GROUP = "small_group"


@dataclass(frozen=True)
class IndicatorTable:
    """One indicator at one level, for every group, as arrays (objects are made only for
    what a page or a sheet asks for)."""

    indicator: str
    level: str
    groups: np.ndarray
    value: np.ndarray  # NaN: no value
    status: np.ndarray
    answered: np.ndarray
    expected: np.ndarray
    excluded: np.ndarray
    figures_missing: np.ndarray
    target: float | None

    def row(self, position: int) -> IndicatorValue:
        value = _clean(self.value[position])
        return IndicatorValue(
            indicator=self.indicator,
            level=self.level,
            group=int(self.groups[position]),
            value=value,
            status=str(self.status[position]),
            answered=int(self.answered[position]),
            expected=int(self.expected[position]),
            excluded=int(self.excluded[position]),
            figures_missing=int(self.figures_missing[position]),
            target=self.target,
            met=None if value is None or self.target is None else value >= self.target,
        )


@dataclass(frozen=True)
class ParticipationTable:
    level: str
    groups: np.ndarray
    responses: np.ndarray
    headcount: np.ndarray | None

    def row(self, position: int) -> Participation:
        return Participation(
            level=self.level,
            group=int(self.groups[position]),
            responses=int(self.responses[position]),
            headcount=None if self.headcount is None else _clean(self.headcount[position]),
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


def _target(indicator: IndicatorSpec, year: int | None) -> float | None:
    """The target in force in the campaign's academic year: that year's, else the latest
    one before it (a document's targets run to its horizon — Tomsk «к 2025-2026 учебному
    году», Omsk 2022–2025 — and the last one is still the level to hold after it)."""
    if year is None:
        return None
    earlier = [int(y) for y in indicator.targets if int(y) <= year]
    if not earlier:
        return None
    return float(indicator.targets[str(max(earlier))])


def _clean(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


@dataclass(frozen=True)
class _Level:
    """One level's groups and where each response and unit falls among them."""

    name: str
    groups: pd.Index
    row_codes: np.ndarray  # per response: position of its group, -1 for none
    expected: np.ndarray  # per group: units asked
    answered: np.ndarray  # per group: units that answered
    responses: np.ndarray  # per group: responses counted
    unit_codes: pd.Series  # unit id -> position of its group (-1: none)

    def units_counted(self, unit_ids: np.ndarray | None) -> np.ndarray:
        """Per group: how many of these units it holds."""
        if unit_ids is None:
            return np.zeros(len(self.groups), dtype="int64")
        codes = self.unit_codes.reindex(unit_ids).dropna().to_numpy(dtype="int64")
        return np.bincount(codes[codes >= 0], minlength=len(self.groups))

    def rows_counted(self, chosen: np.ndarray | None) -> np.ndarray:
        """Per group: how many of the chosen responses (all when None) it holds."""
        if chosen is None:
            return self.responses
        valid = (self.row_codes >= 0) & chosen
        return np.bincount(self.row_codes[valid], minlength=len(self.groups))


@dataclass(frozen=True)
class _RowParts:
    """What an indicator reads of the responses, whichever the level."""

    keep: np.ndarray | None  # per response: counted (None: all)
    out_units: np.ndarray | None  # units its per-unit not-applicable rule leaves out
    lacking_units: np.ndarray | None  # units left out for lack of a figure it reads
    respondents: np.ndarray | None  # surveys, per response: answered what it reads


class Engine:
    """Indicators of one form over one campaign's counted responses."""

    def __init__(
        self,
        spec: FormSpec,
        units: pd.DataFrame,
        answers: pd.DataFrame,
        figures: pd.DataFrame | None = None,
        year: int | None = None,
        answered_units: Sequence[int] | None = None,
    ) -> None:
        self.spec = spec
        # The units that answered, where the rows alone do not tell (a registry's unit
        # that confirmed having no records); by default, the units that have rows.
        self.answered_units = answered_units
        self.units = units  # index unit_id; a column per level (and "school_type")
        self.answers = answers.reset_index(drop=True)
        self.year = year
        school_types = units["school_type"] if "school_type" in units.columns else None
        facts = UnitFacts(figures, school_types)
        # Per-response terms, evaluated once and shared by every level and indicator.
        self.rows = RowEvaluator(self.answers, facts)
        # The same per expected unit, for count_units() and sum_units().
        self.unit_rows = RowEvaluator(pd.DataFrame({"unit_id": units.index.to_numpy()}), facts)
        self._figures: dict[tuple[str, Call], np.ndarray] = {}
        # Per formula: which responses' units lack a figure it reads (the same at every
        # level, so found once).
        self._lacking: dict[Node, np.ndarray | None] = {}
        self._parts: dict[tuple[Node, Node | None], _RowParts] = {}

    def _level(self, name: str) -> _Level | None:
        column = self.units[name].dropna().astype("int64")
        if column.empty:
            return None
        groups = pd.Index(np.sort(column.unique()), dtype="int64")
        unit_codes = pd.Series(groups.get_indexer(column.to_numpy()), index=column.index)
        row_codes = self.answers["unit_id"].map(unit_codes).fillna(-1).to_numpy(dtype="int64")
        size = len(groups)
        answered_units = (
            pd.unique(self.answers["unit_id"])
            if self.answered_units is None
            else np.asarray(self.answered_units, dtype="int64")
        )
        answered_codes = unit_codes.reindex(answered_units).dropna().to_numpy(dtype="int64")
        return _Level(
            name=name,
            groups=groups,
            row_codes=row_codes,
            expected=np.bincount(unit_codes.to_numpy(), minlength=size),
            answered=np.bincount(answered_codes[answered_codes >= 0], minlength=size),
            responses=np.bincount(row_codes[row_codes >= 0], minlength=size),
            unit_codes=unit_codes,
        )

    def compute(
        self, indicators: Iterable[IndicatorSpec] | None = None, levels: Sequence[str] = LEVELS
    ) -> Computed:
        result = Computed()
        chosen = [
            i for i in (self.spec.indicators if indicators is None else indicators) if i.computed
        ]
        for name in levels:
            if name not in self.units.columns:
                continue
            level = self._level(name)
            if level is None:
                continue
            for indicator in chosen:
                if indicator.levels and name not in indicator.levels:
                    continue
                result.tables[(indicator.id, name)] = self._indicator(indicator, level)
            if self.spec.kind == "survey":
                result.participation_tables[name] = self._participation(level)
        return result

    def _figure_source(self, level: _Level) -> Any:
        def figure(node: Call) -> np.ndarray:
            key = (level.name, node)
            if key not in self._figures:
                self._figures[key] = self._figure(node, level)
            return self._figures[key]

        return figure

    def _figure(self, node: Call, level: _Level) -> np.ndarray:
        if node.name in UNIT_AGGREGATES:
            return self._over_units(node, level)
        size = len(level.groups)
        per_unit = self.rows.facts.of(node)
        # Over the group's expected units: a unit that did not answer still counts in the
        # population it belongs to.
        codes = level.unit_codes.reindex(per_unit.index.to_numpy()).to_numpy()
        present = ~np.isnan(codes.astype("float64"))
        codes = codes[present].astype("int64")
        values = per_unit.to_numpy(dtype="float64")[present]
        total = np.bincount(codes, weights=values, minlength=size)
        seen = np.bincount(codes, minlength=size)
        return np.where(seen == 0, np.nan, total)

    def _over_units(self, node: Call, level: _Level) -> np.ndarray:
        """count_units(condition) / sum_units(x, condition) over each group's expected
        units. No unit meeting the condition counts and sums to 0; the sum is over the
        units whose x is known, and no value when none of them has one."""
        size = len(level.groups)
        units = self.unit_rows
        codes = level.unit_codes.reindex(units.rows["unit_id"].to_numpy()).to_numpy()
        placed = ~np.isnan(codes.astype("float64"))
        codes = codes[placed].astype("int64")
        condition_node = node.args[-1] if node.args else None
        if condition_node is None:
            meets = np.ones(len(units.index), dtype=bool)
        else:
            condition = _as_bool(units.evaluate(condition_node), units.index)
            meets = condition.fillna(False).to_numpy(dtype=bool)
        meets = meets[placed]
        meeting = np.bincount(codes[meets], minlength=size).astype("float64")
        if node.name == "count_units":
            return meeting
        x = _float_array(_as_number(units.evaluate(node.args[0]), units.index))[placed]
        known = meets & ~np.isnan(x)
        total = np.bincount(codes[known], weights=x[known], minlength=size)
        seen = np.bincount(codes[known], minlength=size)
        return np.where(meeting == 0, 0.0, np.where(seen == 0, np.nan, total))

    def _row_parts(self, indicator: IndicatorSpec) -> _RowParts:
        """Which responses an indicator counts and why not the others: the same at every
        level, so found once per indicator and then counted per level's groups."""
        assert indicator.formula is not None  # compute() passes only computed indicators
        key = (indicator.formula, indicator.not_applicable_if)
        if key in self._parts:
            return self._parts[key]
        unit_ids = self.answers["unit_id"].to_numpy()
        keep = None
        out_units = lacking_units = None
        rule = indicator.not_applicable_if
        if rule is not None and not is_group_rule(rule):
            # A per-unit rule (Tomsk 4.2.4: no pupils with ОВЗ, no indicator): those
            # units' responses are left out of this indicator and counted as excluded.
            holds, _known = self.rows.truths(rule)  # unknown: not left out
            out_mask = holds.astype(bool)
            keep = ~out_mask
            out_units = pd.unique(unit_ids[out_mask])
        lacking = self._lacking_figures(indicator.formula)
        if lacking is not None:
            # Omsk 3.2: a school that answered but has no pupil figures would add its
            # pupils who passed to the city's numerator while its pupils are in no
            # denominator. Such units are left out, as a not-applicable one is, and counted.
            counted = lacking if keep is None else lacking & keep
            keep = ~lacking if keep is None else keep & ~lacking
            lacking_units = pd.unique(unit_ids[counted])
        respondents = None
        if self.spec.kind == "survey":
            respondents = self._respondents(indicator.formula, keep)
        parts = _RowParts(keep, out_units, lacking_units, respondents)
        self._parts[key] = parts
        return parts

    def _indicator(self, indicator: IndicatorSpec, level: _Level) -> IndicatorTable:
        parts = self._row_parts(indicator)
        keep = parts.keep
        rule = indicator.not_applicable_if
        excluded = level.units_counted(parts.out_units)
        figures_missing = level.units_counted(parts.lacking_units)
        assert indicator.formula is not None
        evaluator = GroupEvaluator(
            self.rows,
            level.row_codes,
            level.groups,
            keep,
            self._figure_source(level),
            None if self.answered_units is None else level.answered,
        )
        values = _float_array(_as_number(evaluator.evaluate(indicator.formula), level.groups))
        values = np.where(np.isinf(values), np.nan, values)
        not_applicable = (level.answered > 0) & (excluded == level.answered)
        if rule is not None and is_group_rule(rule):
            flagged = _as_bool(evaluator.evaluate(rule), level.groups).fillna(False)
            not_applicable |= flagged.to_numpy(dtype=bool)
        values = np.where(not_applicable, np.nan, values)
        status = np.where(not_applicable, NOT_APPLICABLE, np.where(np.isnan(values), NO_DATA, OK))
        if self.spec.kind == "survey":
            # Small groups stay anonymous: no figure for fewer respondents than the form's
            # smallest group (a share of 2 parents tells what each of them answered). The
            # respondents are those who answered what the formula reads: 4 mathematics
            # teachers among 30 answers are still 4.
            answering = level.rows_counted(parts.respondents)
            too_few = (answering > 0) & (answering < self.spec.min_group_size)
            values = np.where(too_few, np.nan, values)
            status = np.where(too_few, SMALL_GROUP, status)
        return IndicatorTable(
            indicator=indicator.id,
            level=level.name,
            groups=level.groups.to_numpy(),
            value=values,
            status=status,
            answered=level.answered,
            expected=level.expected,
            excluded=excluded,
            figures_missing=figures_missing,
            target=_target(indicator, self.year),
        )

    def _lacking_figures(self, formula: Node) -> np.ndarray | None:
        """Per response: whether its unit lacks a reference figure the formula reads
        (None when the formula reads none). A figure recorded for other grades only is
        0 in the grades asked, not missing (UnitFacts.figure). Figures inside
        count_units()/sum_units() are read over units by their own rule (a sum over the
        units whose figure is known), not per answering unit."""
        if formula not in self._lacking:
            self._lacking[formula] = self._find_lacking(formula)
        return self._lacking[formula]

    def _find_lacking(self, formula: Node) -> np.ndarray | None:
        figure_calls = calls_of(formula, "figure", skipping=frozenset(UNIT_AGGREGATES))
        if not figure_calls:
            return None
        unit_ids = self.answers["unit_id"]
        lacking = np.zeros(len(self.answers), dtype=bool)
        for node in figure_calls:
            known = self.rows.facts.of(node)
            lacking |= ~unit_ids.isin(known.index[known.notna()]).to_numpy(dtype=bool)
        return lacking

    def _respondents(self, formula: Node, keep: np.ndarray | None) -> np.ndarray | None:
        """Per response: whether it answered at least one field the formula reads, among
        those the indicator counts (None: the formula reads no field; every response is
        a respondent, left out or not)."""
        columns = [ref.dotted for ref in references(formula) if ref.dotted in self.answers.columns]
        if not columns:
            return None
        answered = self.rows.answered_any(columns)
        return answered if keep is None else answered & keep

    def _participation(self, level: _Level) -> ParticipationTable:
        responses = level.responses
        headcount = None
        if self.spec.headcount is not None:
            evaluator = GroupEvaluator(
                self.rows, level.row_codes, level.groups, None, self._figure_source(level)
            )
            headcount = _float_array(
                _as_number(evaluator.evaluate(self.spec.headcount), level.groups)
            )
        return ParticipationTable(level.name, level.groups.to_numpy(), responses, headcount)
