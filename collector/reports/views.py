"""The campaign report: indicators with coverage and targets, drill-down through the
tree, charts, and the consolidated workbook and CSV downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from collector.auth.permissions import Action
from collector.auth.services import can, require
from collector.campaigns import completeness as tallies
from collector.campaigns import services as campaigns
from collector.campaigns.services import is_survey
from collector.extensions import db
from collector.indicators.engine import distribution
from collector.labels import status_label
from collector.models import OrgUnit
from collector.reports import charts, export
from collector.reports.services import Basis, campaign_report, child_level, level_of

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def _basis() -> Basis:
    return Basis.SUBMITTED if request.args.get("basis") == Basis.SUBMITTED else Basis.ACCEPTED


def _root(campaign: Any) -> OrgUnit:
    chosen = campaigns.view_root(
        db.session, current_user, campaign, request.args.get("unit", type=int)
    )
    return chosen or tallies.default_root(
        db.session, campaign, campaigns.review_scopes(current_user, campaign)
    )


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int) -> str:
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    root = _root(found)
    report = campaign_report(db.session, current_user, found, _basis())
    language = str(get_locale())
    level = level_of(root)
    shown = [i for i in report.spec.indicators if not i.levels or level in i.levels]
    # A school has nothing below it to break an indicator down by.
    below = [
        i
        for i in report.spec.indicators
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
    distributions = []
    if survey:
        for field in report.spec.fields:
            table = distribution(report.answers, report.unit_frame, level, field.id)
            if field.id in report.answers.columns and root.id in table.index:
                distributions.append(
                    charts.distribution_chart(field, table.loc[root.id].to_dict(), language)
                )
    return render_template(
        "reports/campaign.html",
        campaign=found,
        report=report,
        root=root,
        level=level,
        indicators=shown,
        below=below,
        chosen=chosen,
        breakdown=breakdown,
        breakdown_chart=charts.indicator_chart(chosen, breakdown, report, language)
        if chosen and breakdown
        else None,
        completeness_chart=charts.completeness_chart(summary) if summary and summary.rows else None,
        summary=summary,
        survey=survey,
        participation=report.participation(root.id),
        participation_below=report.participation_under(root) if level != "school" else [],
        distributions=distributions,
        language=language,
        basis=report.basis,
        path=_path_to(found, root),
        may_export=can(current_user, Action.EXPORT, root),
        status_label=status_label,
    )


def _path_to(campaign: Any, root: OrgUnit) -> list[OrgUnit]:
    ids = [int(i) for i in root.path.strip("/").split("/")][campaign.owner_unit.depth :]
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [units[i] for i in ids if i in units]


@bp.get("/campaigns/<int:campaign_id>/export.xlsx")
def export_xlsx(campaign_id: int) -> Response:
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    root = _root(found)
    require(current_user, Action.EXPORT, root)
    content = export.workbook_bytes(db.session, current_user, found, root, _basis())
    return _download(content, f"campaign-{found.id}.xlsx", export.XLSX_TYPE)


@bp.get("/campaigns/<int:campaign_id>/<table>.csv")
def export_csv(campaign_id: int, table: str) -> Response:
    found = campaigns.get_campaign(db.session, current_user, campaign_id)
    root = _root(found)
    require(current_user, Action.EXPORT, root)
    content = export.csv_table(db.session, current_user, found, root, _basis(), table)
    if content is None:
        abort(404)
    return _download(content, f"campaign-{found.id}-{table}.csv", "text/csv; charset=utf-8")


def _download(content: bytes, name: str, mimetype: str) -> Response:
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
