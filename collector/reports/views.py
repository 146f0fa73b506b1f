"""The campaign report: indicators with coverage and targets, drill-down through the
tree, charts, and the consolidated workbook and CSV downloads."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import require
from collector.campaigns import services as campaigns
from collector.extensions import db
from collector.publishing.versions import spec_of
from collector.reports.forms import ExportForm
from collector.reports.jobs import known_table, start_export
from collector.reports.page import Computing, PageChoices, page_root, report_page
from collector.reports.refused import parse_path, void_value
from collector.reports.services import Basis
from collector.routing import id_value

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def _basis_of(value: str | None) -> Basis:
    return Basis.SUBMITTED if value == Basis.SUBMITTED else Basis.ACCEPTED


def _choices() -> PageChoices:
    """The page's query string, parsed."""
    args = request.args
    return PageChoices(
        unit_id=args.get("unit", type=id_value),
        basis=_basis_of(args.get("basis")),
        indicator=args.get("indicator") or None,
        by=args.get("by"),
        compare_id=args.get("compare", type=id_value),
        together_id=args.get("together", type=id_value),
        search=args.get("q", ""),
        language=str(get_locale()),
        # Not a page number (or past 2^31 - 1): the first page; unit_page bounds the rest.
        units_page=args.get("units_page", 1, type=id_value),
    )


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int) -> str:
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    page = report_page(
        db.session(),
        current_user,
        found,
        _choices(),
        inline_limit=current_app.config["REPORT_INLINE_RESPONSES"],
    )
    if isinstance(page, Computing):
        # The job was started (or was already running); this page links to it.
        return render_template(
            "reports/computing.html", campaign=page.campaign, job=page.job, root=page.root
        )
    return render_template("reports/campaign.html", page=page, export_form=ExportForm())


@bp.post("/campaigns/<int:campaign_id>/void")
def void_refused(campaign_id: int) -> Response:
    """A coordinator voids one stored value no door accepts now (it was not counted)."""
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    path = parse_path(request.form.get("path", ""))
    response_id = request.form.get("response", type=id_value)
    if path is None or response_id is None:
        abort(400)
    voided = void_value(
        db.session(), current_user, found, spec_of(found.form_version), response_id, path
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


@bp.post("/campaigns/<int:campaign_id>/export")
def export_start(campaign_id: int) -> Response:
    """Start the export as a job and go to its page (the same export asked again while
    it runs is the same job)."""
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    # The unit is in the form's action (the query string), as on the page.
    root = page_root(db.session(), current_user, found, request.args.get("unit", type=id_value))
    require(current_user, Action.EXPORT, root)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    table = request.form.get("table") or None
    if not known_table(table):
        abort(404)
    basis = _basis_of(request.form.get("basis"))
    job = start_export(db.session(), current_user, found, root, basis, table)
    return redirect(url_for("jobs.detail", job_id=job.id))
