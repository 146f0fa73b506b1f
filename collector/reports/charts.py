"""The data of the report's charts, in the shape collector/static/charts.js draws:
{"kind", "title", "labels", "series": [{"label", "values", "color"}], "target", "unit",
"horizontal", "height", "label_lines", "note"}.

Where the bars go is decided here, once for every chart (`fitted`): past
HORIZONTAL_PAST categories the bars lie down with each name beside its bar, and the
chart grows by room enough for the name's lines per category, so 67 schools read as 67
names one under another instead of overlapping."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from collector.campaigns.completeness import STATUSES, Completeness
from collector.formats import with_unit
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

# Categories up to which bars stand (names under them); past it they lie down.
HORIZONTAL_PAST = 8
# Past this many categories a name beside its bar takes at most two lines, else three.
MANY_CATEGORIES = 20
# Chart.js draws tick labels at 12 px with a line height of 1.2.
LABEL_LINE_PX = 15
# Room between two categories' names, and per bar of a category shown side by side.
CATEGORY_GAP_PX = 8
BAR_PX = 12
# Title, legend (two lines of it) and the value axis.
CHROME_PX = 130


def _name(unit: Any) -> str:
    return str(unit.short_name or unit.name)


def category_px(label_lines: int, bars: int) -> int:
    """The height one category of a horizontal chart takes: its name's lines or its
    bars, whichever is taller, and a gap."""
    return max(label_lines * LABEL_LINE_PX, bars * BAR_PX) + CATEGORY_GAP_PX


def fitted(chart: dict[str, Any], *, bars_per_category: int = 1) -> dict[str, Any]:
    """`chart` laid out for its number of categories: horizontal past HORIZONTAL_PAST
    (or when it asks for it), and then as tall as its names need (`height` in px, which
    charts.js gives the chart's box when the box is lower)."""
    count = len(chart["labels"])
    horizontal = bool(chart.get("horizontal")) or count > HORIZONTAL_PAST
    laid = {**chart, "horizontal": horizontal}
    if horizontal:
        lines = 2 if count > MANY_CATEGORIES else 3
        laid["label_lines"] = lines
        laid["height"] = count * category_px(lines, bars_per_category) + CHROME_PX
    return laid


def completeness_chart(summary: Completeness) -> dict[str, Any]:
    return fitted(
        {
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
        }
    )


def _label(name: str, value: IndicatorValue, uneven: bool) -> str:
    """A unit's name, with how many of its organisations answered when coverage differs
    from unit to unit (a count over 3 schools of 12 is not one over 12 of 12)."""
    if not uneven:
        return name
    return _(
        "%(name)s (%(answered)d of %(expected)d)",
        name=name,
        answered=value.answered,
        expected=value.expected,
    )


def indicator_chart(
    indicator: IndicatorSpec, values: list[IndicatorValue], report: Any, language: str
) -> dict[str, Any]:
    """An indicator by the units below: a share is ranked, highest first (shares compare
    across units of any size); anything else (a count grows with the unit and with how
    many of it answered) stays in the tree's order, never ranked. Each name carries its
    coverage when coverage is uneven."""
    target = next((v.target for v in values if v.target is not None), None)
    uneven = any(v.answered < v.expected for v in values)
    ordered = values
    if indicator.is_share:
        # Units without a value last, in the tree's order (sorted() is stable).
        ordered = sorted(values, key=lambda v: (v.value is None, -(v.value or 0)))
    note = (
        None
        if indicator.is_share
        else _(
            "A count grows with the size of a unit and with how many of its organisations "
            "answered: compare shares, not counts."
        )
    )
    return fitted(
        {
            "kind": "bar_with_target",
            "title": indicator.title.get(language),
            "note": note,
            "labels": [_label(_name(report.units[v.group]), v, uneven) for v in ordered],
            "series": [
                {
                    "label": indicator.title.get(language),
                    "values": [None if v.value is None else round(v.value, 2) for v in ordered],
                }
            ],
            "target": target,
            "target_label": _(
                "Target for %(year)s: %(value)s",
                year=report.campaign.academic_year,
                value=with_unit(target, indicator.unit),
            )
            if target is not None
            else None,
            "unit": indicator.unit or "",
            "ranked": indicator.is_share,
        }
    )
