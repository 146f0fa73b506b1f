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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.facts import UnitFacts
from collector.indicators.frame import LEVELS
from collector.indicators.groups import GroupEvaluator
from collector.indicators.known import Lacking, known_sum, lacking_figures
from collector.indicators.operators import (
    UNIT_AGGREGATES,
    as_bool,
    as_number,
    float_array,
    is_group_rule,
    sum_terms,
)
from collector.indicators.results import (
    NO_DATA,
    NOT_APPLICABLE,
    OK,
    SMALL_GROUP,
    STATUSES,
    Computed,
    IndicatorTable,
    IndicatorValue,
    Participation,
    ParticipationTable,
)
from collector.indicators.rows import RowEvaluator, holds_lists, with_hidden_values
from collector.schema.expressions import Call, Node, references
from collector.schema.spec import FormSpec, IndicatorSpec

_OK, _NO_DATA, _NOT_APPLICABLE, _SMALL_GROUP = (
    STATUSES.index(status) for status in (OK, NO_DATA, NOT_APPLICABLE, SMALL_GROUP)
)

# What callers import from the engine, wherever it is defined.
__all__ = [
    "Computed",
    "Engine",
    "GroupEvaluator",
    "IndicatorTable",
    "IndicatorValue",
    "Participation",
    "ParticipationTable",
    "RowEvaluator",
    "UnitFacts",
    "holds_lists",
]


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
    # Group evaluators by the indicator parts whose responses they keep (None: all).
    evaluators: dict[_RowParts | None, GroupEvaluator] = field(default_factory=dict, compare=False)

    @cached_property
    def group_ids(self) -> np.ndarray:
        """The groups' ids: one array that every table of the level shares (and a kept
        snapshot pickles once)."""
        ids: np.ndarray = self.groups.to_numpy(copy=True)
        ids.flags.writeable = False
        return ids

    @cached_property
    def no_units(self) -> np.ndarray:
        """Per group: none. One read-only array that every table without units left out
        shares: a national campaign's 40,000 schools times each indicator, twice, were
        a third of a kept snapshot."""
        zeros = np.zeros(len(self.groups), dtype="int64")
        zeros.flags.writeable = False
        return zeros

    def units_counted(self, unit_ids: np.ndarray | None) -> np.ndarray:
        """Per group: how many of these units it holds."""
        if unit_ids is None:
            return self.no_units
        codes = self.unit_codes.reindex(unit_ids).dropna().to_numpy(dtype="int64")
        return np.bincount(codes[codes >= 0], minlength=len(self.groups))


@dataclass(frozen=True, eq=False)  # cached per formula: compared and hashed as itself
class _RowParts:
    """What an indicator reads of the responses, whichever the level."""

    keep: np.ndarray | None  # per response: counted (None: all)
    out_units: np.ndarray | None  # units its per-unit not-applicable rule leaves out
    lacking_units: np.ndarray | None  # units left out for lack of a figure it reads
    # Per figure of a sum of figures it reads: the counted units that lack it (counted
    # over the sum's other figures).
    partial_units: tuple[tuple[str, np.ndarray], ...] = ()


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
        # A field hidden by a definitely false condition reads as its declared value.
        self.answers = with_hidden_values(spec, answers.reset_index(drop=True))
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
        self._lacking: dict[Node, Lacking] = {}
        self._parts: dict[tuple[Node, Node | None], _RowParts] = {}
        # Per response: the position of its unit among the expected units (-1: not
        # expected), looked up once; each level then takes its group codes from it.
        self._unit_of_row = units.index.get_indexer(self.answers["unit_id"].to_numpy())
        self._answering_units = (
            pd.unique(self.answers["unit_id"].to_numpy())
            if answered_units is None
            else np.asarray(answered_units, dtype="int64")
        )

    def _level(self, name: str) -> _Level | None:
        placed = self.units[name].notna().to_numpy()
        column = self.units[name][placed].astype("int64")
        if column.empty:
            return None
        groups = pd.Index(np.sort(column.unique()), dtype="int64")
        unit_codes = pd.Series(groups.get_indexer(column.to_numpy()), index=column.index)
        group_of_unit = np.full(len(self.units) + 1, -1, dtype="int64")  # last: no unit
        group_of_unit[:-1][placed] = unit_codes.to_numpy()
        row_codes = group_of_unit[self._unit_of_row]
        size = len(groups)
        answered_codes = unit_codes.reindex(self._answering_units).dropna().to_numpy(dtype="int64")
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
            condition = as_bool(units.evaluate(condition_node), units.index)
            meets = condition.fillna(False).to_numpy(dtype=bool)
        meets = meets[placed]
        meeting = np.bincount(codes[meets], minlength=size).astype("float64")
        if node.name == "count_units":
            return meeting
        x = float_array(as_number(units.evaluate(node.args[0]), units.index))[placed]
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
            out_mask, _known = self.rows.truths(rule)  # unknown: not left out
            keep = ~out_mask
            out_units = pd.unique(unit_ids[out_mask])
        found = self._lacking_figures(indicator.formula)
        lacking = found.rows
        if lacking is not None:
            # Omsk 3.2: a school that answered but has no pupil figures would add its
            # pupils who passed to the city's numerator while its pupils are in no
            # denominator. Such units are left out, as a not-applicable one is, and counted.
            counted = lacking if keep is None else lacking & keep
            keep = ~lacking if keep is None else keep & ~lacking
            lacking_units = pd.unique(unit_ids[counted])
        partial = tuple(
            (name, pd.unique(unit_ids[mask if keep is None else mask & keep]))
            for name, mask in found.partial
        )
        parts = _RowParts(keep, out_units, lacking_units, partial)
        self._parts[key] = parts
        return parts

    def _indicator(self, indicator: IndicatorSpec, level: _Level) -> IndicatorTable:
        parts = self._row_parts(indicator)
        rule = indicator.not_applicable_if
        excluded = level.units_counted(parts.out_units)
        figures_missing = level.units_counted(parts.lacking_units)
        # Per group: the figures of a sum some of its counted units lack.
        lacking_in = [(name, level.units_counted(units) > 0) for name, units in parts.partial_units]
        missing = _missing_per_group(lacking_in, len(level.groups)) if lacking_in else None
        assert indicator.formula is not None
        evaluator = self._group_evaluator(level, parts)
        values = float_array(as_number(evaluator.evaluate(indicator.formula), level.groups))
        values = np.where(np.isinf(values), np.nan, values)
        not_applicable = (level.answered > 0) & (excluded == level.answered)
        if rule is not None and is_group_rule(rule):
            flagged = as_bool(evaluator.evaluate(rule), level.groups).fillna(False)
            not_applicable |= flagged.to_numpy(dtype=bool)
        values = np.where(not_applicable, np.nan, values)
        unknown = np.where(np.isnan(values), _NO_DATA, _OK)
        status = np.where(not_applicable, _NOT_APPLICABLE, unknown)
        if self.spec.kind == "survey":
            # Small groups stay anonymous: no figure for fewer respondents than the form's
            # smallest group (a share of 2 parents tells what each of them answered). The
            # respondents are those who answered what the formula reads: 4 mathematics
            # teachers among 30 answers are still 4.
            read = [ref.dotted for ref in references(indicator.formula)]
            columns = tuple(sorted({c for c in read if c in self.answers.columns}))
            answering = evaluator.respondents(columns) if columns else level.responses
            too_few = (answering > 0) & (answering < self.spec.min_group_size)
            values = np.where(too_few, np.nan, values)
            status = np.where(too_few, _SMALL_GROUP, status)
        return IndicatorTable(
            indicator=indicator.id,
            level=level.name,
            groups=level.group_ids,
            value=values,
            status=status.astype(np.int8),
            answered=level.answered,
            expected=level.expected,
            excluded=excluded,
            figures_missing=figures_missing,
            target=_target(indicator, self.year),
            decimals=indicator.precision,
            missing=missing,
        )

    def _group_evaluator(self, level: _Level, parts: _RowParts) -> GroupEvaluator:
        """The level's evaluator over the responses an indicator keeps: one per level
        for all the indicators that keep every response, so a group term they share
        (`sum(total)` in a formula and its rule) is found once per level."""
        key = None if parts.keep is None else parts
        if key not in level.evaluators:
            level.evaluators[key] = GroupEvaluator(
                self.rows,
                level.row_codes,
                level.groups,
                parts.keep,
                self._figure_source(level),
                None if self.answered_units is None else level.answered,
            )
        return level.evaluators[key]

    def _lacking_figures(self, formula: Node) -> Lacking:
        """What the responses' units lack of the figures the formula reads, found once
        per formula (the same at every level). Figures inside count_units()/sum_units()
        are read over units by their own rule (a sum over the units whose figure is
        known), not per answering unit."""
        if formula not in self._lacking:
            self._lacking[formula] = lacking_figures(
                formula, self.rows.facts, self.answers["unit_id"]
            )
        return self._lacking[formula]

    def _participation(self, level: _Level) -> ParticipationTable:
        responses = level.responses
        if self.spec.headcount is None:
            return ParticipationTable(level.name, level.group_ids, responses, None)
        # The evaluator of the indicators that keep every response (a survey has
        # no answering units apart from its rows, so it is the same evaluator).
        evaluator = self._group_evaluator(level, _RowParts(None, None, None))
        groups = self._headcount_groups()
        if groups is None:
            headcount = float_array(
                as_number(evaluator.evaluate(self.spec.headcount), level.groups)
            )
            return ParticipationTable(level.name, level.group_ids, responses, headcount)
        # The headcount adds the respondent groups' headcounts: the rate is over the
        # groups whose headcount is known, their responses over their population, and
        # the others are named (Tomsk 2022: seven staff figures, three recorded).
        size = len(level.groups)
        chosen = self.answers[self.spec.category_field].to_numpy(dtype=object)
        counted_rows = level.row_codes >= 0
        heads = known_sum(
            [
                (value, float_array(as_number(evaluator.evaluate(node), level.groups)))
                for value, node in groups
            ],
            size,
        )
        counted = np.zeros(size, dtype="int64")
        for (value, _node), known in zip(groups, heads.known, strict=True):
            mine = counted_rows & (chosen == value)
            counted += np.where(known, np.bincount(level.row_codes[mine], minlength=size), 0)
        # Where every group's headcount is known, every response counts (one that
        # names no group too), as over the headcount's whole sum.
        return ParticipationTable(
            level.name,
            level.group_ids,
            responses,
            heads.total,
            np.where(heads.every_known, responses, counted),
            heads.missing,
        )

    def _headcount_groups(self) -> list[tuple[str, Node]] | None:
        """The respondent groups the survey's headcount adds, as (option value, its
        headcount), when every term of the headcount's sum is one group's headcount
        (and the answers name each response's group); else None."""
        spec = self.spec
        field = spec.category_field
        if spec.headcount is None or field is None or field not in self.answers.columns:
            return None
        by_node = {node: value for value, node in spec.category_headcount.items()}
        terms = sum_terms(spec.headcount)
        if len(terms) < 2 or any(term not in by_node for term in terms):
            return None
        return [(by_node[term], term) for term in terms]


def _missing_per_group(
    lacking_in: list[tuple[str, np.ndarray]], size: int
) -> tuple[tuple[str, ...], ...]:
    """Per group, the figures some of its counted units lack, in the order named; built
    from the groups that lack any (a national level has forty thousand groups, and a
    Python loop over every group and figure cost half the engine's time)."""
    found: list[tuple[str, ...]] = [()] * size
    for name, where in lacking_in:
        for position in np.flatnonzero(where).tolist():
            found[position] = (*found[position], name)
    return tuple(found)
