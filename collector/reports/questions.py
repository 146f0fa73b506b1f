"""Per question of a survey: the answers at the unit shown, and broken down by respondent
group or by the units one level below, as counts and shares per option (the small-group
rule hides a row's counts), with a stacked-bar chart for scales."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from collector.indicators.coded import CodedColumn, as_categorical
from collector.indicators.questions import ROWS_AT_ONCE, AnswerCounts, answer_counts
from collector.models import OrgUnit
from collector.models.units import tree_key
from collector.reports import charts
from collector.reports.services import Report, child_level, level_of
from collector.schema.kinds import kind_of
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind

# Rating points from "not at all" to "fully": a diverging scale, colour-blind safe.
RATING_COLOURS = ("#D55E00", "#E69F00", "#BDBDBD", "#56B4E9", "#0072B2")


class Breakdown(enum.StrEnum):
    GROUP = "group"  # by respondent group (a teacher's subject, a child's grade)
    UNIT = "unit"  # by the units one level below


def breakdowns(report: Report, root: OrgUnit) -> list[Breakdown]:
    """The breakdowns the unit shown has: groups when the form names them, units when
    there are units below."""
    found = []
    if report.spec.category_field is not None:
        found.append(Breakdown.GROUP)
    if level_of(root) != "school":
        found.append(Breakdown.UNIT)
    return found


@dataclass
class QuestionTable:
    field: FieldSpec
    options: list[tuple[str, str]]  # (value as counted, label)
    total: AnswerCounts
    rows: list[tuple[str, AnswerCounts]]  # (label of the group or unit, its counts)

    @property
    def stacked(self) -> bool:
        """A scale or a single choice: each row's shares add up to 100."""
        return kind_of(self.field.type).value_kind != ValueKind.CHOICES

    def chart(self, min_group: int) -> dict[str, Any]:
        """Shares per option, one bar for the total and one per row shown: stacked for a
        scale, side by side for a multiple choice."""
        shown = [("total", _("All"), self.total)] + [
            (label, label, counts) for label, counts in self.rows if not counts.hidden
        ]
        graded = kind_of(self.field.type).graded
        colours = RATING_COLOURS if graded and len(self.options) == 5 else ()
        chart = {
            "kind": "stacked_bar" if self.stacked else "distribution",
            "title": "",
            "labels": [label for _key, label, _counts in shown],
            "series": [
                {
                    "label": label,
                    "values": [
                        None if (share := c.share(value)) is None else round(share, 1)
                        for _key, _label, c in shown
                    ],
                    **({"color": colours[n]} if colours else {}),
                }
                for n, (value, label) in enumerate(self.options)
            ],
            "unit": "%",
            "horizontal": True,
        }
        # Side by side, each option is a bar of its own in every row.
        return charts.fitted(chart, bars_per_category=1 if self.stacked else len(self.options))


def _options(field: FieldSpec, language: str) -> list[tuple[str, str]]:
    if kind_of(field.type).value_kind == ValueKind.BOOL:
        return [("True", _("Yes")), ("False", _("No"))]
    return [(o.value, o.label.get(language)) for o in field.options]


def _places(report: Report) -> np.ndarray | None:
    """Each answer's unit as its row in the unit frame (-1: none): the units are few and
    the answers many, so the units are looked up once each."""
    index = report.unit_frame.index
    units = report.answer_column("unit_id")
    if units is None:
        return None
    if isinstance(units, CodedColumn):
        each: np.ndarray = index.get_indexer(np.asarray(units.values)).astype(np.int32)
        return each[units.codes] if len(each) else np.zeros(0, dtype=np.int32)
    found: np.ndarray = index.get_indexer(units.to_numpy()).astype(np.int32)
    return found


def _in_root(report: Report, root: OrgUnit, places: np.ndarray) -> np.ndarray:
    """Which answers (by their units' places in the unit frame) are counted under `root`."""
    # Per unit first (few), then per answer as one byte each.
    per_unit = report.unit_frame[level_of(root)].to_numpy() == root.id
    inside: np.ndarray = per_unit[places] & (places >= 0) if len(per_unit) else places >= 0
    return inside


def kept_question_tables(
    report: Report, root: OrgUnit, by: Breakdown | None, language: str
) -> tuple[list[QuestionTable], dict[Any, str]]:
    """`question_tables`, computed once per data stamp and kept beside the snapshot: the
    report page and the export ask for the same tables."""
    return report.remember(
        ("question_tables", root.id, by, language),
        lambda: question_tables(report, root, by, language),
    )


def question_tables(
    report: Report, root: OrgUnit, by: Breakdown | None, language: str
) -> tuple[list[QuestionTable], dict[Any, str]]:
    """Every choice question answered under `root`, and the breakdown's rows (a group's
    value or a unit's id) with their labels, in order. The answers are read a question
    at a time, and those outside `root` are left out by their keys, not copied out: a
    national survey's answers are never all in memory at once."""
    counted = [f for f in report.spec.fields if kind_of(f.type).counted_by_option]
    if not counted or not report.answer_count or not report.visible(root.id):
        return [], {}
    places = _places(report)
    if places is None:
        return [], {}
    inside = _in_root(report, root, places)
    if not inside.any():
        return [], {}
    minimum = report.spec.min_group_size
    keys, labels = _keys(report, root, places, inside, by, language)
    del places  # only the keys are needed from here on
    order = {key: n for n, key in enumerate(labels)}
    total_key = pd.Series(pd.Categorical.from_codes(inside.astype("int8") - 1, ["total"]))
    tables = []
    for field in counted:
        column = report.answer_column(field.id)
        if column is None:
            continue
        answers = {field.id: column}
        # A multiple choice shown to everyone: ticking nothing is an answer too (stored
        # as no answer), so its shares are of all respondents; one shown only after
        # some answers is counted among those who ticked something.
        several = kind_of(field.type).value_kind == ValueKind.CHOICES
        everyone = several and _always_asked(report, field)
        (total,) = answer_counts(answers, field.id, total_key, 0, everyone_asked=everyone) or [
            AnswerCounts("total", 0)
        ]
        if not total.respondents:
            continue
        if total.respondents < minimum:
            total = AnswerCounts("total", total.respondents, hidden=True)
        # The group question itself is not broken down by group (each row would be 100 %).
        by_itself = by == Breakdown.GROUP and field.id == report.spec.category_field
        rows = (
            answer_counts(answers, field.id, keys, minimum, everyone_asked=everyone)
            if keys is not None and not by_itself
            else []
        )
        rows.sort(key=lambda c: order.get(c.key, len(order)))
        tables.append(
            QuestionTable(
                field,
                _options(field, language),
                total,
                [(labels[c.key], c) for c in rows if c.key in labels],
            )
        )
    return tables, labels


def _always_asked(report: Report, field: FieldSpec) -> bool:
    section = next(s for s in report.spec.sections if field in s.fields)
    return field.visible_if is None and section.visible_if is None


def _keys(
    report: Report,
    root: OrgUnit,
    places: np.ndarray,
    inside: np.ndarray,
    by: Breakdown | None,
    language: str,
) -> tuple[pd.Series | None, dict[Any, str]]:
    """Each answer's row of the breakdown (none outside `root`), and the rows' labels in
    display order. The rows are given as codes into their few keys, so that counting
    them hashes the keys, not every answer."""
    category = report.spec.category_field
    groups = report.answer_column(category) if by == Breakdown.GROUP and category else None
    if category is not None and groups is not None:
        field = report.spec.field(category)
        found = as_categorical(groups)
        codes = found.codes.copy()
        codes[~inside] = -1
        keys = pd.Series(pd.Categorical.from_codes(codes, categories=found.categories))
        return keys, {o.value: o.label.get(language) for o in field.options}
    if by == Breakdown.UNIT and level_of(root) != "school":
        below = report.unit_frame[child_level(root)].to_numpy()
        # The units answered from, as a mask over the unit frame's rows, then their units
        # below `root`: looked up per unit, not per answer.
        answered = np.zeros(len(below), dtype=bool)
        for start in range(0, len(places), ROWS_AT_ONCE):  # a block's copy, not a million's
            rows = slice(start, start + ROWS_AT_ONCE)
            answered[places[rows][inside[rows]]] = True
        present = below[answered]
        ids = pd.unique(present[~pd.isna(present)])
        units = sorted((report.units[int(k)] for k in ids if report.visible(int(k))), key=tree_key)
        shown = pd.Index([u.id for u in units])
        # Each unit frame row's code among the units shown (-1: none), then each answer's,
        # in the smallest type that holds them (a million answers: 2 MB, not 8).
        smallest = np.int16 if len(shown) < np.iinfo(np.int16).max else np.int32
        unit_codes = shown.get_indexer(below).astype(smallest)
        codes = unit_codes[places]
        codes[~inside] = -1
        keys = pd.Series(pd.Categorical.from_codes(codes, categories=shown))
        return keys, {u.id: u.short_name or u.name for u in units}
    return None, {}
