"""The data of the report's charts, in the shape collector/static/charts.js draws:
{"kind", "title", "labels", "series": [{"label", "values", "color"}], "target", "unit"}."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from collector.campaigns.completeness import STATUSES, Completeness
from collector.indicators.engine import IndicatorValue
from collector.labels import status_label
from collector.schema.spec import IndicatorSpec

STATUS_COLOURS = {
    "not_started": "#adb5bd",
    "draft": "#6c757d",
    "submitted": "#0d6efd",
    "returned": "#ffc107",
    "resubmitted": "#0dcaf0",
    "accepted": "#198754",
}


def _name(unit: Any) -> str:
    return str(unit.short_name or unit.name)


def completeness_chart(summary: Completeness) -> dict[str, Any]:
    return {
        "kind": "stacked_bar",
        "title": _("Reports by state"),
        "labels": [_name(t.unit) for t in summary.rows],
        "series": [
            {
                "label": status_label(status),
                "values": [t.counts[status] for t in summary.rows],
                "color": STATUS_COLOURS[status],
            }
            for status in STATUSES
        ],
        "horizontal": len(summary.rows) > 8,
    }


def indicator_chart(
    indicator: IndicatorSpec, values: list[IndicatorValue], report: Any, language: str
) -> dict[str, Any]:
    target = next((v.target for v in values if v.target is not None), None)
    return {
        "kind": "bar_with_target",
        "title": indicator.title.get(language),
        "labels": [_name(report.units[v.group]) for v in values],
        "series": [
            {
                "label": indicator.title.get(language),
                "values": [None if v.value is None else round(v.value, 2) for v in values],
            }
        ],
        "target": target,
        "target_label": _("Target for %(year)s", year=report.campaign.academic_year),
        "unit": indicator.unit or "",
        "horizontal": len(values) > 8,
    }
