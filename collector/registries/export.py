"""A registry as a workbook: every record of the subtree with its passport, one sheet per
declared summary, and a description of what was exported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from collector.exporters.contract import Column, Table, Workbook
from collector.exporters.flatten import columns_for, row_for
from collector.indicators.summaries import Summary, summarise
from collector.models import RegistryRecord
from collector.models.base import utcnow
from collector.registries.services import Registry


def summary_tables(summaries: Sequence[Summary], language: str) -> list[Table]:
    tables = []
    for summary in summaries:
        columns = [
            Column(summary.by.label.get(language), width=50),
            Column(_("Records"), "integer"),
        ]
        if summary.spec.sum:
            columns.append(Column(_("Total"), "number"))
        rows = [
            [row.value, row.records, *([row.total] if summary.spec.sum else [])]
            for row in summary.rows
        ]
        tables.append(
            Table(
                name=summary.spec.title.get(language),
                title=summary.spec.title.get(language),
                columns=columns,
                rows=rows,
                row_count=len(rows),
            )
        )
    return tables


def build_registry_workbook(
    kept: Registry,
    records: Sequence[RegistryRecord],
    municipalities: dict[int, str],
    scope_name: str,
    indicator_labels: dict[str, str],
) -> Workbook:
    language = str(get_locale())
    spec = kept.spec
    flat = columns_for(spec.fields, language)
    rows: list[list[Any]] = [
        [
            r.unit.code,
            r.unit.name,
            municipalities.get(r.unit_id, ""),
            r.id,
            r.title,
            *row_for(flat, r.data),
            r.published,
            r.revision,
            r.updated_at.replace(tzinfo=None),
        ]
        for r in records
    ]
    table = Table(
        name=_("Records"),
        title=spec.title.get(language),
        columns=[
            Column(_("Code")),
            Column(_("Organisation"), width=40),
            Column(_("Municipality"), width=30),
            Column(_("Record no."), "integer"),
            Column(_("Name"), width=40),
            *(c.column for c in flat),
            Column(_("Published"), "bool"),
            Column(_("Revision"), "integer"),
            Column(_("Changed (UTC)"), "datetime"),
        ],
        rows=rows,
        row_count=len(rows),
    )
    summaries = summarise(spec, ((None, r.data) for r in records), language, (_("yes"), _("no")))
    return Workbook(
        title=spec.title.get(language),
        description=[
            (_("Registry"), f"{spec.title.get(language)} ({spec.id}, v{spec.version})"),
            (_("Source document"), spec.source.document or ""),
            (_("Clause"), spec.source.clause or ""),
            (_("Organisation"), scope_name),
            (_("Records"), len(records)),
            (_("Exported (UTC)"), utcnow().replace(tzinfo=None, microsecond=0)),
        ],
        indicators=[],
        indicator_labels=indicator_labels,
        sections=[table, *summary_tables(summaries, language)],
    )
