"""Sums whose terms may be unknown: taken over the terms that are known, naming the rest.

A denominator that adds figures (a survey's headcount adding seven staff figures, Omsk
5.7 adding pupils with ОВЗ and disabled children) is not lost for one figure that was
never recorded: the sum is over the known terms and the others are named beside it. The
survey's response rate and an indicator's sum of figures share this one rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collector.indicators.facts import UnitFacts
from collector.indicators.operators import UNIT_AGGREGATES, sum_terms
from collector.schema.expressions import Binary, Call, Literal, Node, Unary


@dataclass(frozen=True)
class KnownSum:
    """Per group: the sum of the known terms (NaN where none is known), whether each term
    is known, and the names of the unknown ones."""

    total: np.ndarray
    known: tuple[np.ndarray, ...]  # per term, per group
    missing: tuple[tuple[str, ...], ...]  # per group

    @property
    def every_known(self) -> np.ndarray:
        return np.array([not names for names in self.missing], dtype=bool)


def known_sum(terms: Sequence[tuple[str, np.ndarray]], size: int) -> KnownSum:
    """The sum of named per-group terms (NaN: unknown) over the known ones."""
    total = np.zeros(size)
    known_any = np.zeros(size, dtype=bool)
    known_masks = []
    missing: list[list[str]] = [[] for _ in range(size)]
    for name, values in terms:
        known = ~np.isnan(values)
        total += np.where(known, values, 0.0)
        known_any |= known
        known_masks.append(known)
        for position in np.flatnonzero(~known):
            missing[position].append(name)
    return KnownSum(
        np.where(known_any, total, np.nan),
        tuple(known_masks),
        tuple(tuple(names) for names in missing),
    )


def is_figure_sum(node: Node) -> bool:
    """An addition of two or more reference figures (`figure("a") + figure("b")`)."""
    terms = sum_terms(node)
    return len(terms) > 1 and all(isinstance(t, Call) and t.name == "figure" for t in terms)


def figure_name(node: Call) -> str:
    """The figure a figure() call reads (its key, as the catalogue names it)."""
    first = node.args[0] if node.args else None
    return str(first.value) if isinstance(first, Literal) else ""


def figure_sums(node: Node) -> list[tuple[Call, ...]]:
    """The reference figures a formula reads per answering unit, as the sums they stand
    in: each addition of figures is one sum of its terms, a figure standing alone a sum
    of one. Figures inside count_units()/sum_units() are read over units by their own
    rule and are not listed."""
    if isinstance(node, Binary):
        if node.op == "+" and is_figure_sum(node):
            return [tuple(t for t in sum_terms(node) if isinstance(t, Call))]
        return figure_sums(node.left) + figure_sums(node.right)
    if isinstance(node, Unary):
        return figure_sums(node.operand)
    if isinstance(node, Call):
        if node.name in UNIT_AGGREGATES:
            return []
        if node.name == "figure":
            return [(node,)]
        return [found for arg in node.args for found in figure_sums(arg)]
    return []


@dataclass(frozen=True)
class Lacking:
    """Per response, what its unit lacks of the figures a formula reads."""

    # Every term of some sum the formula reads (its value would have no denominator):
    # the response is left out (None when the formula reads no figure).
    rows: np.ndarray | None
    # Per figure of a sum that is otherwise known: the responses whose unit lacks it
    # (counted over the sum's known terms, the figure named beside the value).
    partial: tuple[tuple[str, np.ndarray], ...] = ()


def lacking_figures(formula: Node, facts: UnitFacts, unit_ids: pd.Series) -> Lacking:
    """What the responses' units (`unit_ids`, one per response) lack of the formula's
    figures. A figure recorded for other grades only is 0 in the grades asked, not
    missing (UnitFacts.figure)."""
    sums = figure_sums(formula)
    if not sums:
        return Lacking(None)
    lacking = np.zeros(len(unit_ids), dtype=bool)
    partial: dict[str, np.ndarray] = {}
    for terms in sums:
        unknown = []
        for node in terms:
            known = facts.of(node)
            unknown.append(~unit_ids.isin(known.index[known.notna()]).to_numpy(dtype=bool))
        none_known = np.logical_and.reduce(unknown)
        lacking |= none_known
        if len(terms) > 1:
            for node, mask in zip(terms, unknown, strict=True):
                name = figure_name(node)
                some = mask & ~none_known
                partial[name] = partial[name] | some if name in partial else some
    # A unit left out for one sum is not named as partly counted in another.
    named = {name: mask & ~lacking for name, mask in partial.items()}
    return Lacking(lacking, tuple((name, mask) for name, mask in named.items() if mask.any()))
