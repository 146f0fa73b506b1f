"""A survey reported together with its companion (`respondents.reported_with`): pupils'
and parents' satisfaction, each in its own campaign, shown side by side and as one
figure at the unit the user looks at and each unit below it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from collector.campaigns.services import visible_campaigns
from collector.indicators.joint import JointValue
from collector.models import Campaign, OrgUnit, User
from collector.models.units import UnitLike, tree_key
from collector.reports.services import Report, child_level
from collector.schema.spec import IndicatorSpec


def companions(session: Session, user: User, campaign: Campaign, form_id: str) -> list[Campaign]:
    """The companion survey's campaigns of the same academic year the user sees, newest
    first (the first is the one shown unless the user picks another)."""
    return [
        c
        for c in visible_campaigns(session, user)  # newest first
        if c.form_version.form_id == form_id
        and c.academic_year == campaign.academic_year
        and c.state != "draft"
    ]


@dataclass(frozen=True)
class JointRow:
    unit: UnitLike
    values: dict[str, JointValue]


def joint_indicators(report: Report, other: Report, level: str) -> list[IndicatorSpec]:
    """The indicators both forms declare with the same id and unit, shown at `level`."""
    theirs = {i.id: i for i in other.spec.indicators}
    return [
        i
        for i in report.spec.indicators
        if i.id in theirs and i.unit == theirs[i.id].unit and (not i.levels or level in i.levels)
    ]


def joint_rows(
    report: Report, other: Report, root: OrgUnit, indicators: list[IndicatorSpec]
) -> list[JointRow]:
    """`root` first, then each unit one level below it that either survey has."""
    if not indicators:
        return []
    below: dict[int, UnitLike] = {}
    for side in (report, other):
        for found in side.values_at(indicators[0].id, child_level(root), root):
            unit = side.units.get(found.group)
            if unit is not None and unit.id != root.id:
                below[unit.id] = unit
    units = [root, *sorted(below.values(), key=tree_key)]
    return [
        JointRow(unit, {i.id: _joint(report, other, i.id, unit.id) for i in indicators})
        for unit in units
    ]


def _joint(report: Report, other: Report, indicator: str, group: int) -> JointValue:
    return JointValue(
        indicator, group, report.value(indicator, group), other.value(indicator, group)
    )
