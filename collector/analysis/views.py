"""The analysis page of a campaign for coordinators, reached from the campaign report."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from collector.analysis.services import campaign_analysis
from collector.campaigns import services as campaigns
from collector.extensions import db
from collector.reports.services import Basis
from collector.routing import id_value

bp = Blueprint("analysis", __name__, url_prefix="/analysis")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int) -> str:
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    basis = Basis.SUBMITTED if request.args.get("basis") == Basis.SUBMITTED else Basis.ACCEPTED
    analysis = campaign_analysis(
        db.session(), current_user, found, request.args.get("unit", type=id_value), basis
    )
    chosen_id = request.args.get("indicator") or None
    chosen = next((i for i in analysis.indicators if i.id == chosen_id), None)
    return render_template(
        "analysis/campaign.html",
        analysis=analysis,
        chosen=chosen,
        language=str(get_locale()),
        path=campaigns.path_to(db.session(), found, analysis.root),
    )
