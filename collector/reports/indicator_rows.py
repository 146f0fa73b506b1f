"""The indicators sheet's rows of a campaign's report: a block per indicator and level,
each made from the engine's table (collector.indicators.results.IndicatorTable) as it
is read, never all kept. A national campaign has 380,000 of them (every indicator at
each of 42,000 groups): made up front they were some 80 MB beside the export.

Everything a row needs from the report and the user's language (the groups and their
order, the units' names, the translated notes) is taken when the blocks are made, so
that reading them needs neither the report nor a request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from collector.exporters.contract import IndicatorBlocks, IndicatorRow
from collector.indicators.frame import LEVELS
from collector.indicators.results import STATUSES, IndicatorTable
from collector.labels import coverage_notes, unit_type_label
from collector.models import OrgUnit
from collector.reports.services import Report

# What an IndicatorValue leaves out (excluded, figures_missing, missing), the key of
# its translated notes: a handful of distinct ones among 380,000 rows.
Omissions = tuple[int, int, tuple[str, ...]]


def level_names() -> dict[str, str]:
    return {
        "school": _("Organisation"),
        "municipality": unit_type_label("municipality"),
        "region": unit_type_label("region"),
    }


def status_text(status: str, smallest: int) -> str:
    if status == "not_applicable":
        return _("not applicable")
    if status == "small_group":
        return _("fewer than %(n)d answers: not shown", n=smallest)
    return _("no data")


@dataclass(frozen=True)
class _Indicator:
    """What every row of an indicator's block says alike (in the user's language)."""

    code: str
    title: str
    unit: str | None
    level: str
    source: str
    decimals: int | None


class IndicatorTableRows:
    """One indicator at one level within the export's subtree: its rows in the tree's
    order, made from the engine's table at each reading (the XLSX and a CSV may both
    read them); its length known before (the writer decides a sheet's layout by it)."""

    def __init__(
        self,
        table: IndicatorTable,
        positions: np.ndarray,
        names: Sequence[str],
        indicator: _Indicator,
        statuses: Mapping[str, str],
        notes: Mapping[Omissions, tuple[str, ...]],
    ) -> None:
        self.table = table
        self.positions = positions  # of the groups shown in the table's arrays
        self.names = names  # of those groups, in the same order
        self.indicator = indicator
        self.statuses = statuses
        self.notes = notes

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[IndicatorRow]:
        about, table, positions = self.indicator, self.table, self.positions
        notes = self.notes
        # What each status (by its position in STATUSES) says where there is no value.
        said = [self.statuses.get(status) or self.statuses["no_data"] for status in STATUSES]
        # A column at a time from the table's arrays: a row object per group only.
        for name, value, status, answered, expected, omitted in zip(
            self.names,
            table.values_of(positions),
            table.status[positions].tolist(),
            table.answered[positions].tolist(),
            table.expected[positions].tolist(),
            _omissions(table, positions),
            strict=True,
        ):
            yield IndicatorRow(
                code=about.code,
                title=about.title,
                unit=about.unit,
                level=about.level,
                group=name,
                value=value,
                status=said[status],
                answered=answered,
                expected=expected,
                target=table.target,
                met=table.met(value),
                source=about.source,
                notes=notes[omitted],
                decimals=about.decimals,
            )


def _omissions(table: IndicatorTable, positions: np.ndarray) -> Iterator[Omissions]:
    """What each group's value leaves out (IndicatorValue's excluded, figures_missing,
    missing), at `positions`."""
    missing = table.missing
    return zip(
        table.excluded[positions].tolist(),
        table.figures_missing[positions].tolist(),
        repeat(()) if missing is None else (missing[at] for at in positions.tolist()),
        strict=False,
    )


def indicator_rows(report: Report, root: OrgUnit, language: str) -> IndicatorBlocks:
    """Every indicator of the report at every level (the region first) for each group
    the user sees within `root`'s subtree, in the tree's order."""
    level_titles = level_names()
    # Each note translated once, not once per row (a row per school and indicator).
    statuses = {
        status: status_text(status, report.spec.min_group_size)
        for status in ("not_applicable", "small_group", "no_data")
    }
    tables = [
        (indicator, level, report.computed.tables.get((indicator.id, level)))
        for indicator in report.spec.indicators
        for level in reversed(LEVELS)
    ]
    wanted: set[int] = set()
    for _indicator, _level, table in tables:
        if table is not None:
            wanted.update(table.groups.tolist())
    # Every group shown, in the tree's order, with its name: read once for all blocks.
    ids, names = report.units.names_in_tree_order(root.path, wanted)
    shown = pd.Index(ids, dtype="int64")
    notes: dict[Omissions, tuple[str, ...]] = {}
    blocks = []
    for indicator, level, table in tables:
        if table is None:
            continue
        # Where each group shown sits in the table (-1: not in it), in the tree's order.
        found = pd.Index(table.groups).get_indexer(shown)
        kept = np.flatnonzero(found >= 0)
        if not len(kept):
            continue
        positions = found[kept].astype(np.int32)
        for omitted in set(_omissions(table, positions)):
            if omitted not in notes:
                notes[omitted] = tuple(coverage_notes(*omitted))
        about = _Indicator(
            indicator.id,
            indicator.title.get(language),
            indicator.unit,
            level_titles[level],
            ", ".join(
                part for part in (indicator.source.document, indicator.source.clause) if part
            ),
            indicator.written_decimals,
        )
        block_names = _names_at(names, kept)
        blocks.append(IndicatorTableRows(table, positions, block_names, about, statuses, notes))
    return IndicatorBlocks(blocks)


def _names_at(names: list[str], kept: np.ndarray) -> Sequence[str]:
    """The names at `kept` (all of them: the list itself, not a copy)."""
    if len(kept) == len(names):
        return names
    return [names[at] for at in kept.tolist()]
