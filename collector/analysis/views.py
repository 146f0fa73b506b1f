"""The analysis page of a campaign for coordinators, reached from the campaign report, and
the recommendations it proposes: drafted, edited and sent by coordinators, acknowledged by
the units they are sent to."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.analysis import recommendations as recs
from collector.analysis.forms import ActionForm, RecommendationForm
from collector.analysis.services import analysis_root, campaign_analysis
from collector.auth.permissions import Action
from collector.campaigns import services as campaigns
from collector.errors import ActionForbidden
from collector.extensions import db
from collector.models import Recommendation, RecommendationState
from collector.publishing.versions import spec_of
from collector.reports.services import Basis
from collector.routing import id_value

bp = Blueprint("analysis", __name__, url_prefix="/analysis")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def _basis() -> Basis:
    return Basis.SUBMITTED if request.values.get("basis") == Basis.SUBMITTED else Basis.ACCEPTED


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int) -> str:
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    analysis = campaign_analysis(
        db.session(), current_user, found, request.args.get("unit", type=id_value), _basis()
    )
    chosen_id = request.args.get("indicator") or None
    chosen = next((i for i in analysis.indicators if i.id == chosen_id), None)
    return render_template(
        "analysis/campaign.html",
        analysis=analysis,
        chosen=chosen,
        language=str(get_locale()),
        path=campaigns.path_to(db.session(), found, analysis.root),
        proposals=recs.proposals(analysis),
        may_send=recs.may_send(current_user, analysis.root),
    )


@bp.route("/campaigns/<int:campaign_id>/recommendations", methods=["GET", "POST"])
def campaign_recommendations(campaign_id: int) -> str | Response:
    """The territory's recommendations of the campaign; a POST makes the missing drafts."""
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    root = analysis_root(session, current_user, found, request.args.get("unit", type=id_value))
    form = ActionForm()
    if request.method == "POST":
        # The token was checked for every POST (CSRFProtect); the button says nothing more.
        made = recs.make_drafts(session, current_user, found, root.id, _basis())
        session.commit()
        flash(_("Drafts made: %(n)d.", n=len(made)), "success")
        return redirect(
            url_for("analysis.campaign_recommendations", campaign_id=found.id, unit=root.id)
        )
    return render_template(
        "analysis/recommendations.html",
        campaign=found,
        root=root,
        items=recs.of_territory(session, current_user, found, root),
        may_send=recs.may_send(current_user, root),
        form=form,
    )


@bp.route("/recommendations/<int:recommendation_id>", methods=["GET", "POST"])
def recommendation(recommendation_id: int) -> str | Response | tuple[str, int]:
    """One recommendation: its coordinators edit and send the draft, its unit's people
    read and acknowledge it."""
    session = db.session()
    found = recs.get_recommendation(session, current_user, recommendation_id)
    editing = found.status == RecommendationState.DRAFT and recs.may_send(
        current_user, found.territory
    )
    form = RecommendationForm(obj=found) if editing else None
    action = ActionForm()
    if request.method == "POST":
        wanted = request.form.get("action", "")
        if wanted == "acknowledge":
            recs.acknowledge(session, current_user, found)
            session.commit()
            flash(_("Acknowledged."), "success")
            return redirect(url_for("analysis.recommendation", recommendation_id=found.id))
        if form is None:
            raise ActionForbidden(Action.REVIEW_REPORTS)
        if form.validate_on_submit():
            try:
                recs.edit(session, current_user, found, form.title.data or "", form.body.data or "")
                if wanted == "send":
                    recs.send(session, current_user, found)
            except recs.RecommendationRefused as refused:
                session.rollback()
                getattr(form, refused.field).errors = [refused.message]
            else:
                session.commit()
                flash(_("Sent.") if wanted == "send" else _("Saved."), "success")
                return redirect(url_for("analysis.recommendation", recommendation_id=found.id))
        return _recommendation_page(found, form, action), 422
    return _recommendation_page(found, form, action)


def _recommendation_page(
    found: Recommendation, form: RecommendationForm | None, action: ActionForm
) -> str:
    language = str(get_locale())
    spec = spec_of(found.campaign.form_version)
    return render_template(
        "analysis/recommendation.html",
        item=found,
        form=form,
        action=action,
        recipient=recs.is_recipient(current_user, found),
        indicator_titles={i.id: i.title.get(language) for i in spec.indicators},
    )
