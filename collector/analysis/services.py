"""The analysis of a campaign for a territory, for the acting user: the campaign's report
and every earlier campaign of the same form the user sees, each indicator computed per
unit one level below the territory, and handed to the pure analysis (compute.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy.orm import Session

from collector.analysis.compute import IndicatorAnalysis, Reason, analyse
from collector.campaigns import completeness as tallies
from collector.campaigns import services as campaigns
from collector.indicators.engine import Computed, Engine
from collector.models import Campaign, OrgUnit, User
from collector.models.units import UnitLike, tree_key
from collector.reports.services import Basis, Report, campaign_report, child_level, level_of
from collector.schema.spec import FormSpec, IndicatorSpec


@dataclass(frozen=True)
class Analysis:
    campaign: Campaign
    root: OrgUnit
    level: str  # the level of the units analysed (one below the root)
    waves: list[Campaign]  # every campaign of the form, oldest first; the last is this one
    units: list[UnitLike]  # the units analysed, in the tree's order
    indicators: list[IndicatorSpec]
    results: dict[str, IndicatorAnalysis]
    basis: Basis
    spec: FormSpec

    def misses_of(self, unit_id: int) -> list[tuple[IndicatorSpec, tuple[Reason, ...]]]:
        """The indicators a unit misses, with why."""
        return self._misses.get(unit_id, [])

    @property
    def missing_units(self) -> list[UnitLike]:
        return [u for u in self.units if u.id in self._misses]

    @cached_property
    def _misses(self) -> dict[int, list[tuple[IndicatorSpec, tuple[Reason, ...]]]]:
        found: dict[int, list[tuple[IndicatorSpec, tuple[Reason, ...]]]] = {}
        for indicator in self.indicators:
            for row in self.results[indicator.id].rows:
                if row.misses:
                    found.setdefault(row.unit_id, []).append((indicator, row.reasons))
        return found


def analysis_root(session: Session, user: User, campaign: Campaign, unit_id: int | None) -> OrgUnit:
    """The territory analysed: the unit asked for when the user may see it, else the
    campaign's owner (or the one unit below it the user reviews)."""
    chosen = campaigns.view_root(session, user, campaign, unit_id)
    return chosen or tallies.default_root(
        session, campaign, campaigns.review_scopes(user, campaign)
    )


def earlier_campaigns(session: Session, user: User, campaign: Campaign) -> list[Campaign]:
    """The earlier campaigns of the same form that the user sees, oldest first."""
    form_id = campaign.form_version.form_id
    found = [
        c
        for c in campaigns.visible_campaigns(session, user)
        if c.form_version.form_id == form_id
        and c.id != campaign.id
        and (c.academic_year, c.created_at) < (campaign.academic_year, campaign.created_at)
    ]
    return sorted(found, key=lambda c: (c.academic_year, c.created_at, c.id))


def per_unit(report: Report, level: str) -> Computed:
    """Every computed indicator at `level`, whatever levels it is declared for: a school's
    own sum or share is what its analysis compares (Kaluga's indicators are declared for
    the municipality and the region, and the schools are what a municipality analyses)."""

    def compute() -> Computed:
        indicators = [replace(i, levels=()) for i in report.spec.computed_indicators]
        engine = Engine(
            report.spec,
            report.unit_frame,
            report.answers,
            report.figures,
            year=report.campaign.academic_year,
        )
        return engine.compute(indicators, levels=(level,))

    return report.remember(("analysis", level), compute)


def _values(computed: Computed, indicator: str, level: str) -> dict[int, float | None]:
    return {group: value.value for group, value in computed.by(indicator, level).items()}


def complete_groups(computed: Computed, indicator: str, level: str) -> set[int]:
    """The groups whose value counts every unit they hold."""
    return {
        group
        for group, value in computed.by(indicator, level).items()
        if value.expected and value.answered == value.expected
    }


def campaign_analysis(
    session: Session,
    user: User,
    campaign: Campaign,
    unit_id: int | None = None,
    basis: Basis = Basis.ACCEPTED,
) -> Analysis:
    """The analysis of `campaign` for the territory `unit_id` (see analysis_root)."""
    root = analysis_root(session, user, campaign, unit_id)
    report = campaign_report(session, user, campaign, basis)
    level = child_level(root)
    now = per_unit(report, level)
    waves = earlier_campaigns(session, user, campaign)
    before = [per_unit(campaign_report(session, user, c, basis), level) for c in waves]
    # The units of the level below the root that this campaign asked and the user sees.
    groups = {
        int(g)
        for table in now.tables.values()
        for g in table.groups
        if report.visible(int(g)) and report.units[int(g)].path.startswith(root.path)
    }
    units: list[UnitLike] = sorted(
        (report.units[g] for g in groups if report.units[g].id != root.id), key=tree_key
    )
    ids = [u.id for u in units]
    root_level = level_of(root)
    indicators = list(report.spec.computed_indicators)
    results = {}
    for indicator in indicators:
        own = report.value(indicator.id, root.id)
        target = own.target if own is not None else _target_of(now, indicator.id, level)
        results[indicator.id] = analyse(
            indicator.id,
            indicator.precision,
            own.value if own is not None and own.level == root_level else None,
            target,
            ids,
            _values(now, indicator.id, level),
            [_values(c, indicator.id, level) for c in before],
            complete_groups(now, indicator.id, level)
            & (complete_groups(before[-1], indicator.id, level) if before else set()),
        )
    return Analysis(
        campaign, root, level, [*waves, campaign], units, indicators, results, basis, report.spec
    )


def _target_of(computed: Computed, indicator: str, level: str) -> float | None:
    table = computed.tables.get((indicator, level))
    return None if table is None else table.target
