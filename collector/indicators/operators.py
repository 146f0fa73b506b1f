"""What row and group evaluation share: the functions the grammar knows, values
turned into numbers, yes/no and dates, and the operators (and, or, arithmetic,
comparisons, equality) over whole columns. A missing side makes a comparison
unknown."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from collector.schema.expressions import Binary, Call, Literal, Node, Reference, Unary

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


def sum_terms(node: Node) -> tuple[Node, ...]:
    """The terms a chain of additions adds (`a + b + c`: a, b, c); a node that is no
    addition is its only term."""
    if isinstance(node, Binary) and node.op == "+":
        return sum_terms(node.left) + sum_terms(node.right)
    return (node,)


def is_group_rule(rule: Node) -> bool:
    """A not-applicable rule speaks of the whole group when it aggregates answers or
    units (`sum(graduates) = 0`); one reading only the unit itself — its answers, its
    figures (`figure("pupils_ovz", 10, 12) = 0`), its type — is a rule per unit."""
    return has_group_call(rule, GROUP_CALLS - {"figure"})


def scalar(value: Literal) -> Any:
    if isinstance(value.value, Decimal):
        return float(value.value)
    return value.value


def as_bool(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.astype("boolean")
    return pd.Series(value, index=index, dtype="boolean")


def as_number(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        if value.dtype == "float64":
            return value  # already numbers (NaN: unknown); values are never written to
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
        return as_number(value, index)
    if isinstance(value, str):
        return pd.Series(_day_number(value), index=index, dtype="float64")
    return as_number(value, index)


def unknown_mask(value: Value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.isna()
    return pd.Series(value is None, index=index)


def _with_unknown(result: pd.Series, *masks: pd.Series) -> pd.Series:
    result = result.astype("boolean")
    for mask in masks:
        result[mask.to_numpy()] = pd.NA
    return result


def objects(value: Value, size: int) -> np.ndarray:
    """A column as an array of Python values, a scalar repeated."""
    if isinstance(value, pd.Series):
        array: np.ndarray = value.to_numpy(dtype=object)
        return array
    repeated = np.empty(size, dtype=object)
    repeated.fill(value)
    return repeated


class Evaluator:
    """Operators shared by row and group evaluation; subclasses resolve names and calls."""

    index: pd.Index

    def evaluate(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return scalar(node)
        if isinstance(node, Reference):
            return self.reference(node)
        if isinstance(node, Unary):
            operand = self.evaluate(node.operand)
            if node.op == "not":
                return ~as_bool(operand, self.index)
            return -as_number(operand, self.index)
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
            return as_bool(left, index) & as_bool(right, index)
        if node.op == "or":
            return as_bool(left, index) | as_bool(right, index)
        if node.op in ("+", "-", "*", "/"):
            a, b = as_number(left, index), as_number(right, index)
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
        mask: np.ndarray = unknown_mask(value, self.index).to_numpy(dtype=bool)
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
            equal: np.ndarray = (as_number(left, index) == as_number(right, index)).to_numpy()
        else:
            a, b = _comparable(left, unknown), _comparable(right, unknown)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                equal = np.asarray(a == b, dtype=bool)  # numpy compares cell by cell
            else:
                equal = np.full(len(index), a == b, dtype=bool)
        known_equal: np.ndarray = equal & ~unknown
        return known_equal


def _comparable(value: Value, unknown: np.ndarray) -> Any:
    """A side of an equality as numpy compares it: a literal as itself, a column as its
    Python values with the unknown cells set aside (pandas' NA == x is NA, neither True
    nor False), in a copy: the values may be the frame's own."""
    if not isinstance(value, pd.Series):
        return value
    values = value.to_numpy(dtype=object)
    if unknown.any():
        values = values.copy()
        values[unknown] = None
    return values


def float_array(values: Value) -> np.ndarray:
    if isinstance(values, pd.Series):
        array: np.ndarray = values.to_numpy(dtype="float64", na_value=np.nan)
        return array
    return np.asarray(values, dtype="float64")
