"""The indicators sheet's rows of a campaign's report: a block per indicator and level,
each made from the engine's table (collector.indicators.results.IndicatorTable) as it
is read, never all kept. A national campaign has 380,000 of them (every indicator at
each of 42,000 groups): made up front they were some 80 MB beside the export.

Everything a row needs from the report and the user's language (the groups and their
order, the units' names, the translated notes) is taken when the blocks are made, so
that reading them needs neither the report nor a request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from collector.exporters.contract import IndicatorBlocks, IndicatorRow
from collector.indicators.frame import LEVELS
from collector.indicators.results import IndicatorTable
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
        indicator: _Indicator,
        names: Mapping[int, str],
        statuses: Mapping[str, str],
        notes: Mapping[Omissions, tuple[str, ...]],
    ) -> None:
        self.table = table
        self.positions = positions  # of the groups shown in the table's arrays
        self.indicator = indicator
        self.names = names
        self.statuses = statuses
        self.notes = notes

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[IndicatorRow]:
        indicator, names, statuses, notes = self.indicator, self.names, self.statuses, self.notes
        no_data = statuses["no_data"]
        for position in self.positions.tolist():
            value = self.table.row(position)
            yield IndicatorRow(
                code=indicator.code,
                title=indicator.title,
                unit=indicator.unit,
                level=indicator.level,
                group=names[value.group],
                value=value.value,
                status=statuses.get(value.status) or no_data,
                answered=value.answered,
                expected=value.expected,
                target=value.target,
                met=value.met,
                source=indicator.source,
                notes=notes[(value.excluded, value.figures_missing, value.missing)],
                decimals=indicator.decimals,
            )


def indicator_rows(report: Report, root: OrgUnit, language: str) -> IndicatorBlocks:
    """Every indicator of the report at every level (the region first) for each group
    the user sees within `root`'s subtree."""
    names = level_names()
    # Each note translated once, not once per row (a row per school and indicator).
    statuses = {
        status: status_text(status, report.spec.min_group_size)
        for status in ("not_applicable", "small_group", "no_data")
    }
    notes: dict[Omissions, tuple[str, ...]] = {}
    group_names: dict[int, str] = {}
    blocks = []
    for indicator in report.spec.indicators:
        source = ", ".join(
            part for part in (indicator.source.document, indicator.source.clause) if part
        )
        for level in reversed(LEVELS):
            found = report.values_at(indicator.id, level, root)  # in the tree's order
            if not found:
                continue
            table = report.computed.tables[(indicator.id, level)]
            for value in found:
                if value.group not in group_names:
                    group_names[value.group] = report.units[value.group].name
                omitted = (value.excluded, value.figures_missing, value.missing)
                if omitted not in notes:
                    notes[omitted] = tuple(coverage_notes(*omitted))
            groups = np.fromiter((value.group for value in found), np.int64, len(found))
            positions = pd.Index(table.groups).get_indexer(groups).astype(np.int32)
            about = _Indicator(
                indicator.id,
                indicator.title.get(language),
                indicator.unit,
                names[level],
                source,
                indicator.written_decimals,
            )
            blocks.append(IndicatorTableRows(table, positions, about, group_names, statuses, notes))
    return IndicatorBlocks(blocks)
