"""The campaign report page as values: everything the page shows, built once for the
acting user from the choices the request made. What a survey shows below its indicators
(participation, groups, answers by question, texts, its companion) and what a campaign of
unit reports shows (completeness) are two builders, chosen once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import can
from collector.campaigns import completeness as tallies
from collector.campaigns import services as campaigns
from collector.campaigns.completeness import Completeness
from collector.campaigns.services import is_survey
from collector.indicators.engine import IndicatorValue
from collector.models import Campaign, Job, OrgUnit, User
from collector.models.units import UnitLike
from collector.reports import answer_sheets, charts
from collector.reports.jobs import start_computing, too_large_to_compute_now
from collector.reports.questions import Breakdown
from collector.reports.refused import RefusedValue
from collector.reports.services import (
    Basis,
    Report,
    campaign_report,
    child_level,
    data_stamp,
    latest_report,
    level_of,
)
from collector.reports.survey_part import (
    SurveyChoices,
    SurveyPart,
    row_unit,
    survey_on_page,
    survey_part,
)
from collector.reports.unit_pages import UnitPage, unit_page
from collector.schema.spec import FieldSpec, IndicatorSpec


@dataclass(frozen=True)
class PageChoices:
    """What the request asks of the page (the view parses the query string into this)."""

    unit_id: int | None = None
    basis: Basis = Basis.ACCEPTED
    indicator: str | None = None  # the one broken down by the units below
    by: str | None = None  # how a survey's answers by question are broken down
    compare_id: int | None = None  # an earlier wave
    together_id: int | None = None  # the companion survey's campaign
    search: str = ""  # in the answers in their own words
    language: str = "ru"
    units_page: int = 1  # which page of the units below the lists show (unit_pages)


@dataclass(frozen=True)
class Series:
    """Indicators with the document's own values for earlier years."""

    years: list[int]
    indicators: list[IndicatorSpec]


@dataclass(frozen=True)
class UnitValue:
    """An indicator's value at one unit (a row of the breakdown)."""

    unit: UnitLike
    value: IndicatorValue


@dataclass(frozen=True)
class Change:
    indicator: IndicatorSpec
    now: IndicatorValue | None
    then: IndicatorValue | None
    change: float | None


@dataclass(frozen=True)
class Dynamics:
    """Per indicator at the unit shown: this wave, an earlier one, the change, and both
    response rates (a change between two small samples means little)."""

    rows: list[Change]
    rate_now: float | None
    rate_then: float | None


@dataclass(frozen=True)
class RefusedUnder:
    """The refused values of units under the unit shown, and which the user may void."""

    total: int
    listed: list[RefusedValue]
    fields: dict[str, FieldSpec]
    voidable: set[int]


@dataclass(frozen=True)
class UnitReportPart:
    """What a campaign of unit reports shows beyond the indicators."""

    summary: Completeness

    @cached_property
    def completeness_chart(self) -> dict[str, Any] | None:
        # Drawn when shown: of the page of units shown, not of every unit below.
        return charts.completeness_chart(self.summary) if self.summary.rows else None


@dataclass(frozen=True)
class ReportPage:
    campaign: Campaign
    report: Report
    root: OrgUnit
    level: str
    path: list[OrgUnit]
    basis: Basis
    search: str
    language: str
    indicators: list[IndicatorSpec]  # declared at the level shown
    values: dict[str, IndicatorValue | None]  # each at the unit shown
    series: Series | None
    below: list[IndicatorSpec]  # those that may be broken down by the units below
    chosen: IndicatorSpec | None
    breakdown: list[UnitValue]
    breakdown_chart: dict[str, Any] | None
    earlier: list[Campaign]
    compare: Campaign | None
    dynamics: Dynamics | None
    may_export: bool
    refused: RefusedUnder
    units: UnitPage  # the page of the units below every list of them shows
    survey: SurveyPart | None = None
    unit_reports: UnitReportPart | None = None
    # The titles of the repeating tables whose rows export as CSV ("rows-<index>").
    row_exports: list[str] = field(default_factory=list)
    # Figures kept from before the data last changed, shown while this job computes
    # the new ones, and when they were computed.
    refreshing: Job | None = None
    computed_at: datetime | None = None

    @property
    def min_group_size(self) -> int:
        return self.report.spec.min_group_size

    @property
    def query(self) -> dict[str, Any]:
        """The choices the page shows, as query arguments for links that keep them (the
        pager's); url_for leaves out those that are None."""
        survey = self.survey
        together = survey.together if survey else None
        return {
            "unit": self.root.id,
            "basis": self.basis.value,
            "indicator": self.chosen.id if self.chosen else None,
            "by": survey.by.value if survey and survey.by else None,
            "compare": self.compare.id if self.compare else None,
            "together": together.companion.id if together and together.companion else None,
            "q": self.search or None,
        }


@dataclass(frozen=True)
class Computing:
    """A large campaign without a fresh snapshot: a job computes its indicators."""

    campaign: Campaign
    root: OrgUnit
    job: Job


def page_root(session: Session, user: User, campaign: Campaign, unit_id: int | None) -> OrgUnit:
    """The unit the page is looked at from: the one asked for when the user may, else the
    default."""
    chosen = campaigns.view_root(session, user, campaign, unit_id)
    return chosen or tallies.default_root(
        session, campaign, campaigns.review_scopes(user, campaign)
    )


def report_page(
    session: Session,
    user: User,
    campaign: Campaign,
    choices: PageChoices,
    *,
    inline_limit: int,
) -> ReportPage | Computing:
    """The page for `user`, or the job computing it when the campaign has more than
    `inline_limit` answers and no fresh snapshot."""
    root = page_root(session, user, campaign, choices.unit_id)
    basis = choices.basis
    refreshing, computed_at = None, None
    stamp = data_stamp(session, campaign)
    if too_large_to_compute_now(session, user, campaign, basis, inline_limit, stamp):
        job = start_computing(session, user, campaign, root, basis)
        latest = latest_report(session, user, campaign, basis)
        if latest is None:
            return Computing(campaign, root, job)
        # A view is a read: the figures of before the change, said to be so, while the
        # job computes the new ones.
        (report, computed_at), refreshing = latest, job
    else:
        report = campaign_report(session, user, campaign, basis, stamp=stamp)
    level = level_of(root)
    shown = [i for i in report.spec.indicators if not i.levels or level in i.levels]
    # A school has nothing below it to break an indicator down by.
    below = [
        i
        for i in report.spec.computed_indicators
        if level != "school" and (not i.levels or child_level(root) in i.levels)
    ]
    chosen = next((i for i in below if i.id == choices.indicator), None)
    if choices.indicator is None:
        chosen = _first_to_compare(below)
    breakdown = _breakdown(report, chosen, root)
    earlier = _earlier_waves(session, user, campaign)
    compare = next((c for c in earlier if c.id == choices.compare_id), None)
    survey, unit_reports = (
        (
            survey_part(
                session,
                user,
                report,
                root,
                SurveyChoices(choices.by, choices.together_id, choices.search, choices.language),
                inline_limit,
            ),
            None,
        )
        if is_survey(campaign)
        else (None, _unit_report_part(session, user, campaign, root))
    )
    units = unit_page(_units_listed(report, breakdown, survey, unit_reports), choices.units_page)
    breakdown = units.of(breakdown, lambda row: row.unit.id)
    survey = survey_on_page(survey, units) if survey else None
    unit_reports = _unit_reports_on_page(unit_reports, units) if unit_reports else None
    return ReportPage(
        campaign=campaign,
        report=report,
        root=root,
        level=level,
        path=campaigns.path_to(session, campaign, root),
        basis=report.basis,
        search=choices.search,
        language=choices.language,
        indicators=shown,
        values={i.id: report.value(i.id, root.id) for i in shown},
        series=_series(campaign, root, shown),
        below=below,
        chosen=chosen,
        breakdown=breakdown,
        breakdown_chart=charts.indicator_chart(
            chosen, [row.value for row in breakdown], report, choices.language
        )
        if chosen and breakdown
        else None,
        earlier=earlier,
        compare=compare,
        dynamics=_dynamics(session, user, report, compare, root, shown) if compare else None,
        may_export=can(user, Action.EXPORT, root),
        refused=_refused_under(user, report, root),
        units=units,
        survey=survey,
        unit_reports=unit_reports,
        row_exports=[
            sheet.title for sheet in answer_sheets.row_sheets_of(report.spec, choices.language)
        ],
        refreshing=refreshing,
        computed_at=computed_at,
    )


def _unit_report_part(
    session: Session, user: User, campaign: Campaign, root: OrgUnit
) -> UnitReportPart:
    return UnitReportPart(tallies.completeness(session, user, campaign, root))


def _units_listed(
    report: Report,
    breakdown: list[UnitValue],
    survey: SurveyPart | None,
    unit_reports: UnitReportPart | None,
) -> list[UnitLike]:
    """The units below that any list of the page has (a unit comes once per list)."""
    units: list[UnitLike] = [row.unit for row in breakdown]
    if survey is not None:
        units += [row.unit for row in survey.participation_below]
        if survey.by == Breakdown.UNIT:
            units += [
                report.units[row_unit(row)]
                for question in survey.questions
                for row in question.table.rows
            ]
        if survey.together is not None:
            units += [row.unit for row in survey.together.rows[1:]]  # the first is the root
    if unit_reports is not None:
        units += [tally.unit for tally in unit_reports.summary.rows]
    return units


def _unit_reports_on_page(part: UnitReportPart, units: UnitPage) -> UnitReportPart:
    summary = part.summary
    return UnitReportPart(
        replace(summary, rows=units.of(summary.rows, lambda tally: tally.unit.id))
    )


def _first_to_compare(below: list[IndicatorSpec]) -> IndicatorSpec | None:
    """The indicator broken down when the request names none: one with targets, else a
    share (units of unequal size and coverage compare by shares, not counts), else the
    first."""
    return next(
        (i for i in below if i.targets),
        next((i for i in below if i.is_share), below[0] if below else None),
    )


def _breakdown(report: Report, chosen: IndicatorSpec | None, root: OrgUnit) -> list[UnitValue]:
    if chosen is None:
        return []
    # In the tree's order, as values_under gives them.
    return [UnitValue(report.units[v.group], v) for v in report.values_under(chosen.id, root)]


def _series(campaign: Campaign, root: OrgUnit, shown: list[IndicatorSpec]) -> Series | None:
    """Indicators with the document's own values for earlier years: those are for the
    whole territory, so they are shown at the campaign's top only."""
    if root.id != campaign.owner_unit_id:
        return None
    year = campaign.academic_year
    with_history = [i for i in shown if i.computed and any(int(y) < year for y in i.history)]
    years = sorted({int(y) for i in with_history for y in i.history if int(y) < year})
    return Series(years, with_history) if years else None


def _refused_under(user: User, report: Report, root: OrgUnit) -> RefusedUnder:
    under = [
        value
        for value in report.refused.listed
        if value.unit_id in report.units and report.units[value.unit_id].path.startswith(root.path)
    ]
    voidable = {
        value.unit_id
        for value in under
        if can(user, Action.REVIEW_REPORTS, report.units[value.unit_id])
    }
    return RefusedUnder(
        report.refused.total, under, {f.id: f for f in report.spec.fields}, voidable
    )


def _earlier_waves(session: Session, user: User, campaign: Campaign) -> list[Campaign]:
    """Earlier campaigns of the same form the user sees: the waves to compare with."""
    return [
        c
        for c in campaigns.visible_campaigns(session, user)
        if c.form_version.form_id == campaign.form_version.form_id
        and c.id != campaign.id
        and c.created_at < campaign.created_at
    ]


def _dynamics(
    session: Session,
    user: User,
    report: Report,
    compare: Campaign,
    root: OrgUnit,
    shown: list[IndicatorSpec],
) -> Dynamics:
    before = campaign_report(session, user, compare, report.basis)
    rows = []
    for indicator in shown:
        now, then = report.value(indicator.id, root.id), before.value(indicator.id, root.id)
        change = (
            now.value - then.value
            if now is not None
            and then is not None
            and now.value is not None
            and then.value is not None
            else None
        )
        rows.append(Change(indicator, now, then, change))
    rate_now, rate_then = report.participation(root.id), before.participation(root.id)
    return Dynamics(
        rows,
        rate_now.rate if rate_now else None,
        rate_then.rate if rate_then else None,
    )
