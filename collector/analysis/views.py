"""The analysis page of a campaign for coordinators, reached from the campaign report, and
the recommendations it proposes: drafted, edited and sent by coordinators, acknowledged by
the units they are sent to."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.analysis import mailing, measures
from collector.analysis import recommendations as recs
from collector.analysis.deadlines import step_deadlines
from collector.analysis.forms import ActionForm, MeasureForm, RecommendationForm, StatusForm
from collector.analysis.pdf_job import start_pdf
from collector.analysis.printable import analytical_page, analytical_report
from collector.analysis.quality_services import (
    TIMELINESS,
    WHY,
    campaign_quality,
    quality_workbook,
    rule_text,
)
from collector.analysis.services import analysis_root, campaign_analysis
from collector.auth.permissions import Action
from collector.campaigns import services as campaigns
from collector.errors import ActionForbidden
from collector.extensions import db
from collector.models import Recommendation, RecommendationState
from collector.models.base import utcnow
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


@bp.get("/campaigns/<int:campaign_id>/quality")
def campaign_quality_page(campaign_id: int) -> str:
    """The quality of the territory's reports: timeliness, completeness, confirmed
    warnings and values far from peers or from the unit's last year."""
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    view = campaign_quality(session, current_user, found, request.args.get("unit", type=id_value))
    return render_template(
        "analysis/quality.html",
        view=view,
        language=str(get_locale()),
        path=campaigns.path_to(session, found, view.root),
        timeliness=TIMELINESS,
        why=WHY,
        rule=rule_text(),
        titles={q.id: q.label.get(str(get_locale())) for q in view.questions},
    )


@bp.get("/campaigns/<int:campaign_id>/quality.xlsx")
def quality_xlsx(campaign_id: int) -> Response:
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    view = campaign_quality(session, current_user, found, request.args.get("unit", type=id_value))
    return _workbook(quality_workbook(view, str(get_locale())), f"quality-{found.id}.xlsx")


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
        deadlines=step_deadlines(found),
        now=utcnow(),
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
                if wanted == "send":
                    mailing.announce(session, current_user, found)
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
        misses=recs.stored_misses(found),
        form=form,
        action=action,
        recipient=recs.is_recipient(current_user, found),
        indicator_titles={i.id: i.title.get(language) for i in spec.indicators},
    )


def _measure_form(allowed: measures.Choices, language: str) -> MeasureForm:
    form = MeasureForm()
    form.kind.choices = [(k.value, k.label.get(language)) for k in allowed.kinds]
    form.responsible_unit_id.choices = [("", "—")] + [
        (u.id, u.short_name or u.name) for u in allowed.responsible
    ]
    form.unit_ids.choices = [(str(u.id), u.short_name or u.name) for u in allowed.units]
    form.indicators.choices = [(i.id, i.title.get(language)) for i in allowed.indicators]
    form.status.choices = [(s.value, str(label)) for s, label in measures.STATE_LABELS.items()]
    return form


@bp.route("/campaigns/<int:campaign_id>/measures", methods=["GET", "POST"])
def campaign_measures(campaign_id: int) -> str | Response | tuple[str, int]:
    """The register of measures taken on the campaign's analysis for a territory, with
    their effect at the next campaign of the form; a POST adds a measure."""
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    unit_id = request.args.get("unit", type=id_value)
    allowed = measures.choices(session, current_user, found, unit_id)
    language = str(get_locale())
    form = _measure_form(allowed, language)
    status = 200
    if request.method == "POST":
        if not measures.may_keep(current_user, allowed.root):
            raise ActionForbidden(Action.REVIEW_REPORTS)
        if form.validate_on_submit():
            data = measures.MeasureInput(
                kind=form.kind.data or "",
                title=form.title.data or "",
                responsible_unit_id=form.responsible_unit_id.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                unit_ids=list(form.unit_ids.data or []),
                indicators=list(form.indicators.data or []),
                act=form.act.data or "",
                status=form.status.data or "",
            )
            try:
                measures.add_measure(session, current_user, found, allowed.root.id, data)
            except measures.MeasureRefused as refused:
                session.rollback()
                getattr(form, refused.field).errors = [refused.message]
            else:
                session.commit()
                flash(_("The measure is recorded."), "success")
                return redirect(
                    url_for(
                        "analysis.campaign_measures", campaign_id=found.id, unit=allowed.root.id
                    )
                )
        status = 422
    kept = measures.register(session, current_user, found, allowed.root)
    spec = spec_of(found.form_version)
    return render_template(
        "analysis/measures.html",
        campaign=found,
        allowed=allowed,
        form=form,
        status_form=StatusForm(),
        may_keep=measures.may_keep(current_user, allowed.root),
        effects=measures.effects(session, current_user, found, kept),
        kinds={k.value: k.label.get(language) for k in allowed.kinds},
        titles={i.id: i.title.get(language) for i in spec.indicators},
        decimals={i.id: i.precision for i in spec.computed_indicators},
        units={u.id: u for u in allowed.units},
        state_labels=measures.STATE_LABELS,
        language=language,
    ), status


@bp.post("/measures/<int:measure_id>/status")
def measure_status(measure_id: int) -> Response:
    session = db.session()
    found = measures.get_measure(session, current_user, measure_id)
    form = StatusForm()
    form.status.choices = [(s.value, str(label)) for s, label in measures.STATE_LABELS.items()]
    try:
        if not form.validate_on_submit():
            raise measures.MeasureRefused("status", _("Choose a status from the list."))
        measures.set_status(session, current_user, found, form.status.data or "")
        session.commit()
        flash(_("Status changed."), "success")
    except measures.MeasureRefused as refused:
        # A status not in the list (or no status at all): said, nothing changed.
        session.rollback()
        flash(str(refused), "danger")
    return redirect(
        url_for(
            "analysis.campaign_measures", campaign_id=found.campaign_id, unit=found.territory_id
        )
    )


@bp.get("/campaigns/<int:campaign_id>/measures.xlsx")
def measures_workbook(campaign_id: int) -> Response:
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    root = analysis_root(session, current_user, found, request.args.get("unit", type=id_value))
    content = measures.register_workbook(session, current_user, found, root, str(get_locale()))
    return _workbook(content, f"measures-{found.id}.xlsx")


def _workbook(content: bytes, name: str) -> Response:
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/campaigns/<int:campaign_id>/print")
def campaign_print(campaign_id: int) -> str:
    """The analytical report of the campaign for the territory, ready to print."""
    found = campaigns.get_campaign(db.session(), current_user, campaign_id)
    report = analytical_report(
        db.session(), current_user, found, request.args.get("unit", type=id_value), _basis()
    )
    return analytical_page(report, str(get_locale()))


@bp.post("/campaigns/<int:campaign_id>/print.pdf")
def campaign_print_pdf(campaign_id: int) -> Response:
    """The same report as PDF, made by a job (collector.analysis.pdf_job); its page
    offers the file."""
    session = db.session()
    found = campaigns.get_campaign(session, current_user, campaign_id)
    root = analysis_root(session, current_user, found, request.args.get("unit", type=id_value))
    job = start_pdf(session, current_user, found, root, _basis(), str(get_locale()))
    return redirect(url_for("jobs.detail", job_id=job.id))
