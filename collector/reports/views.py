"""The campaign report: indicators with coverage and targets, drill-down through the
tree, charts, and the consolidated workbook and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can, require
from collector.campaigns import completeness as tallies
from collector.campaigns import services as campaigns
from collector.campaigns.services import is_survey
from collector.extensions import db
from collector.jobs.services import start_job
from collector.labels import status_label
from collector.models import Campaign, OrgUnit
from collector.publishing.versions import spec_of
from collector.reports import charts, export, joint, questions, snapshots
from collector.reports.forms import ExportForm
from collector.reports.jobs import EXPORT_JOB, INDICATORS_JOB
from collector.reports.refused import parse_path, void_value
from collector.reports.services import (
    Basis,
    by_category,
    campaign_report,
    child_level,
    counted_responses,
    data_stamp,
    level_of,
    text_answers,
    text_fields,
)
from collector.routing import id_value
from collector.schema.spec import IndicatorSpec

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def _basis_of(value: str | None) -> Basis:
    return Basis.SUBMITTED if value == Basis.SUBMITTED else Basis.ACCEPTED


def _basis() -> Basis:
    return _basis_of(request.args.get("basis"))


def _root(campaign: Any) -> OrgUnit:
    chosen = campaigns.view_root(
        db.session, current_user, campaign, request.args.get("unit", type=id_value)
    )
    return chosen or tallies.default_root(
        db.session, campaign, campaigns.review_scopes(current_user, campaign)
    )


@dataclass(frozen=True)
class Series:
    years: list[int]
    indicators: list[IndicatorSpec]


def _series(found: Campaign, root: OrgUnit, shown: list[IndicatorSpec]) -> Series | None:
    """Indicators with the document's own values for earlier years: those are for the
    whole territory, so they are shown at the campaign's top only."""
    if root.id != found.owner_unit_id:
        return None
    with_history = [
        i for i in shown if i.computed and any(int(y) < found.academic_year for y in i.history)
    ]
    if not with_history:
        return None
    years = sorted(
        {int(y) for i in with_history for y in i.history if int(y) < found.academic_year}
    )
    return Series(years, with_history) if years else None


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int) -> str:
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    root = _root(found)
    basis = _basis()
    waiting = _computing(found, root, basis)
    if waiting is not None:
        return waiting
    report = campaign_report(db.session, current_user, found, basis)
    language = str(get_locale())
    level = level_of(root)
    shown = [i for i in report.spec.indicators if not i.levels or level in i.levels]
    # A school has nothing below it to break an indicator down by.
    below = [
        i
        for i in report.spec.computed_indicators
        if level != "school" and (not i.levels or child_level(root) in i.levels)
    ]
    chosen_id = request.args.get("indicator") or next(
        (i.id for i in below if i.targets), below[0].id if below else None
    )
    chosen = next((i for i in below if i.id == chosen_id), None)
    breakdown = report.values_under(chosen.id, root) if chosen else []
    breakdown.sort(key=lambda v: report.units[v.group].name)
    survey = is_survey(found)
    summary = None if survey else tallies.completeness(db.session, current_user, found, root)
    participation = report.participation(root.id)
    hidden_distributions = bool(
        survey and participation and participation.responses < report.spec.min_group_size
    )
    choices = questions.breakdowns(report, root) if survey else []
    wanted = request.args.get("by")
    by = next((b for b in choices if b.value == wanted), choices[0] if choices else None)
    question_tables, _rows = (
        questions.question_tables(report, root, by, language)
        if survey and not hidden_distributions
        else ([], {})
    )
    earlier = _earlier_waves(found)
    compare = next((c for c in earlier if c.id == request.args.get("compare", type=id_value)), None)
    dynamics = _dynamics(report, compare, basis, root, shown) if compare else []
    return render_template(
        "reports/campaign.html",
        together=_together(found, report, basis, root) if survey else None,
        earlier=earlier,
        compare=compare,
        dynamics=dynamics,
        campaign=found,
        report=report,
        root=root,
        level=level,
        indicators=shown,
        series=_series(found, root, shown),
        below=below,
        chosen=chosen,
        breakdown=breakdown,
        breakdown_chart=charts.indicator_chart(chosen, breakdown, report, language)
        if chosen and breakdown
        else None,
        completeness_chart=charts.completeness_chart(summary) if summary and summary.rows else None,
        summary=summary,
        survey=survey,
        participation=participation,
        categories=by_category(report, root, language) if survey else [],
        texts=[]
        if not survey or hidden_distributions
        else text_answers(db.session, report, root, language, request.args.get("q", "")),
        search=request.args.get("q", ""),
        has_text_fields=survey and bool(text_fields(report.spec)),
        hidden_distributions=hidden_distributions,
        participation_below=report.participation_under(root) if level != "school" else [],
        question_tables=question_tables,
        breakdown_choices=choices,
        by=by,
        language=language,
        basis=report.basis,
        path=campaigns.path_to(db.session, found, root),
        may_export=can(current_user, Action.EXPORT, root),
        status_label=status_label,
        export_form=ExportForm(),
        refused=_refused_under(report, root),
    )


def _refused_under(report: Any, root: OrgUnit) -> dict[str, Any]:
    """The refused values of units under `root`, and which of them the user may void."""
    under = [
        value
        for value in report.refused.listed
        if value.unit_id in report.units and report.units[value.unit_id].path.startswith(root.path)
    ]
    fields = {f.id: f for f in report.spec.fields}
    voidable = {
        value.unit_id
        for value in under
        if can(current_user, Action.REVIEW_REPORTS, report.units[value.unit_id])
    }
    return {
        "total": report.refused.total,
        "listed": under,
        "fields": fields,
        "voidable": voidable,
    }


@bp.post("/campaigns/<int:campaign_id>/void")
def void_refused(campaign_id: int) -> Response:
    """A coordinator voids one stored value no door accepts now (it was not counted)."""
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    path = parse_path(request.form.get("path", ""))
    response_id = request.form.get("response", type=id_value)
    if path is None or response_id is None:
        abort(400)
    voided = void_value(
        db.session, current_user, found, spec_of(found.form_version), response_id, path
    )
    db.session.commit()
    if voided:
        flash(_("The value has been voided; the report is computed again without it."), "success")
    else:
        flash(_("That value is no longer there."), "info")
    return redirect(
        url_for(
            "reports.campaign",
            campaign_id=found.id,
            unit=request.form.get("unit", type=id_value),
            basis=_basis_of(request.form.get("basis")).value,
        )
    )


def _earlier_waves(campaign: Any) -> list[Any]:
    """Earlier campaigns of the same form the user sees: the waves to compare with."""
    return [
        c
        for c in campaigns.visible_campaigns(db.session, current_user)
        if c.form_version.form_id == campaign.form_version.form_id
        and c.id != campaign.id
        and c.created_at < campaign.created_at
    ]


def _dynamics(
    report: Any, compare: Any, basis: Basis, root: OrgUnit, shown: list[Any]
) -> list[Any]:
    """Per indicator at `root`: this wave, the earlier one, the change, and both
    response rates (a change between two small samples means little)."""
    before = campaign_report(db.session, current_user, compare, basis)
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
        rows.append((indicator, now, then, change))
    return [rows, report.participation(root.id), before.participation(root.id)]


def _together(campaign: Any, report: Any, basis: Basis, root: OrgUnit) -> dict[str, Any] | None:
    """The companion survey's figures beside this one's and the two together, when the
    form names a companion; the user may pick which of its campaigns."""
    form_id = report.spec.reported_with
    if form_id is None:
        return None
    choices = joint.companions(db.session, current_user, campaign, form_id)
    wanted = request.args.get("together", type=id_value)
    companion = next((c for c in choices if c.id == wanted), choices[0] if choices else None)
    if companion is None:
        return {"choices": [], "companion": None, "indicators": [], "rows": []}
    if _too_large_to_compute_now(companion, basis):
        # Its own report page computes it as a job; this page does not wait for it.
        return {"choices": choices, "companion": companion, "waiting": True}
    other = campaign_report(db.session, current_user, companion, basis)
    indicators = joint.joint_indicators(report, other, level_of(root))
    return {
        "choices": choices,
        "companion": companion,
        "indicators": indicators,
        "rows": joint.joint_rows(report, other, root, indicators),
    }


def _too_large_to_compute_now(campaign: Any, basis: Basis) -> bool:
    """More answers than a page computes while the user waits, and no fresh snapshot."""
    if counted_responses(db.session, campaign) <= current_app.config["REPORT_INLINE_RESPONSES"]:
        return False
    scopes = campaigns.review_scopes(current_user, campaign)
    stamp = data_stamp(db.session, campaign)
    return not snapshots.exists(campaign.id, basis.value, scopes, stamp)


def _computing(campaign: Any, root: OrgUnit, basis: Basis) -> str | None:
    """A large campaign without a fresh snapshot: its indicators are computed by a job,
    and this page says so (and links to the job) instead of making the user wait."""
    if not _too_large_to_compute_now(campaign, basis):
        return None
    scopes = campaigns.review_scopes(current_user, campaign)
    job = start_job(
        db.session,
        current_user,
        INDICATORS_JOB,
        {
            "campaign_id": campaign.id,
            "unit_id": root.id,
            "basis": basis.value,
            "user_id": current_user.id,
        },
        title=_("Indicators: %(title)s", title=campaign.title),
        dedupe_key=f"indicators:{campaign.id}:{basis.value}:{sorted(scopes)}",
        scope_unit=root,
    )
    return render_template("reports/computing.html", campaign=campaign, job=job, root=root)


@bp.post("/campaigns/<int:campaign_id>/export")
def export_start(campaign_id: int) -> Response:
    """Start the export as a job and go to its page (the same export asked again while
    it runs is the same job)."""
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    root = _root(found)
    require(current_user, Action.EXPORT, root)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    table = request.form.get("table") or None
    section = (table or "").removeprefix("section-")
    if table is not None and not (
        table in export.CSV_TABLES
        or (section != table and section.isascii() and section.isdigit() and len(section) <= 4)
    ):
        abort(404)
    basis = _basis_of(request.form.get("basis"))
    what = _("Workbook") if table is None else f"CSV: {table}"
    job = start_job(
        db.session,
        current_user,
        EXPORT_JOB,
        {
            "campaign_id": found.id,
            "unit_id": root.id,
            "basis": basis.value,
            "table": table,
            "user_id": current_user.id,
        },
        title=f"{what} — {found.title} — {root.name}",
        dedupe_key=f"export:{found.id}:{root.id}:{basis.value}:{table or 'xlsx'}:{current_user.id}",
        scope_unit=root,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))
