"""Campaign pages: the list, creating one, its page with completeness and the state
buttons, per-unit extensions, the review of one report, the non-submitters' workbook."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can, require, require_somewhere
from collector.campaigns import completeness as tallies
from collector.campaigns import creation, notices, queue, services
from collector.campaigns.forms import (
    CampaignForm,
    ConfirmForm,
    ExtensionForm,
    ReviewForm,
    TableUploadForm,
)
from collector.campaigns.imports import (
    current_batches,
    import_of,
    importing_campaign,
    start_table_import,
)
from collector.campaigns.lifecycle import CampaignState, CommentRequired, Move, MoveRefused
from collector.campaigns.reminders import REMINDER_JOB
from collector.errors import NotInScope
from collector.exporters.tables import table_xlsx
from collector.extensions import db
from collector.formats import moment_text
from collector.forms import RENDERERS, EntryForm
from collector.jobs.services import start_job
from collector.labels import campaign_state_label, status_label
from collector.models import Campaign, FormResponse, OrgUnit, SurveyLink
from collector.publishing.versions import spec_of
from collector.routing import id_value
from collector.schema.derived import lines
from collector.schema.evaluate import visible_field_ids
from collector.schema.formbuild import build_form_class, form_data_from_answers
from collector.schema.warnings import confirmed_warnings

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


@bp.get("/")
def index() -> str:
    require_somewhere(current_user, Action.REVIEW_REPORTS)
    return render_template(
        "campaigns/index.html",
        campaigns=services.visible_campaigns(db.session(), current_user),
        may_create=bool(creation.owner_choices(db.session(), current_user)),
    )


@bp.get("/queue")
def review_queue() -> str:
    """The reports waiting for the user's decision, in the units the user reviews."""
    require_somewhere(current_user, Action.REVIEW_REPORTS)
    return render_template(
        "campaigns/queue.html", waiting=queue.review_queue(db.session(), current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
def create() -> str | Response:
    require_somewhere(current_user, Action.RUN_CAMPAIGNS)
    form = CampaignForm()
    creation.fill_choices(db.session(), current_user, form)
    if form.validate_on_submit():
        campaign = creation.create_from_form(db.session(), current_user, form)
        if campaign is not None:
            db.session.commit()
            flash(_("The campaign has been created. Check it, then open it."), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
        db.session.rollback()
    return render_template(
        "campaigns/new.html",
        form=form,
        groups=creation.audience_choices(db.session(), current_user),
        chosen=set(form.units.data or []),
    )


def _root(campaign: Campaign) -> OrgUnit | None:
    return services.view_root(
        db.session(), current_user, campaign, request.args.get("unit", type=id_value)
    )


@bp.get("/<int:campaign_id>")
def detail(campaign_id: int) -> str:
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    root = _root(campaign)
    survey = services.is_survey(campaign)
    summary = tallies.completeness(db.session(), current_user, campaign, root)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        survey=survey,
        summary=summary,
        path=services.path_to(db.session(), campaign, summary.root),
        missing=[] if survey else tallies.not_submitted(db.session(), current_user, campaign, root),
        links=tallies.survey_counts(db.session(), current_user, campaign) if survey else [],
        may_run=services.may_run(current_user, campaign),
        has_imports=bool(spec_of(campaign.form_version).imports),
        confirm=ConfirmForm(),
        statuses=tallies.STATUSES,
        moves=[s.value for s in services.campaign_moves(campaign)],
    )


@bp.post("/<int:campaign_id>/state")
def change_state(campaign_id: int) -> Response:
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    form = ConfirmForm()
    to = request.form.get("to", "")
    if form.validate_on_submit() and to in CampaignState.__members__.values():
        try:
            made = services.move_campaign(db.session(), current_user, campaign, CampaignState(to))
        except services.CampaignError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            if to == CampaignState.OPEN and made:
                flash(_("The campaign is open: %(n)d organisations are asked.", n=made), "success")
            else:
                flash(
                    _("The campaign is now %(state)s.", state=campaign_state_label(to)), "success"
                )
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/not-submitted.xlsx")
def missing_xlsx(campaign_id: int) -> Response:
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    root = _root(campaign)
    # Export rights wherever the rows come from: each subtree the user reviews.
    for path in services.review_scopes(current_user, campaign):
        scope_unit = db.session.scalar(select(OrgUnit).where(OrgUnit.path == path))
        if scope_unit is not None:
            require(current_user, Action.EXPORT, scope_unit)
    missing = tallies.not_submitted(db.session(), current_user, campaign, root)
    zone = ZoneInfo(campaign.timezone)
    headers = [
        _("Code"),
        _("Organisation"),
        _("Parent organisation"),
        _("Status"),
        _("Deadline (%(zone)s)", zone=campaign.timezone),
        _("Contact person"),
        _("E-mail"),
        _("Phone"),
    ]
    rows = [
        [
            m.unit.code,
            m.unit.name,
            m.parent.name if m.parent else "",
            status_label(m.response.status),
            m.due_at.astimezone(zone) if m.due_at else None,
            "; ".join(c.name for c in m.contacts if c.name),
            "; ".join(c.email for c in m.contacts if c.email),
            "; ".join(c.phone for c in m.contacts if c.phone),
        ]
        for m in missing
    ]
    now = moment_text(datetime.now(zone), campaign.timezone)
    content = table_xlsx(
        _("Not submitted"),
        headers,
        rows,
        note=f"{campaign.title} — {_('not submitted as of %(time)s', time=now)}",
    )
    return FlaskResponse(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            # RFC 6266: an ASCII name and the UTF-8 one for browsers that read it.
            "Content-Disposition": f"attachment; filename=not-submitted-{campaign.id}.xlsx; "
            f"filename*=UTF-8''not-submitted-{campaign.id}.xlsx"
        },
    )


@bp.route("/<int:campaign_id>/units/<int:unit_id>/extend", methods=["GET", "POST"])
def extend(campaign_id: int, unit_id: int) -> str | Response:
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotInScope(unit_id)
    require(current_user, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    require(current_user, Action.REVIEW_REPORTS, unit)
    current = services.effective_deadline(db.session(), campaign, unit)
    form = ExtensionForm()
    if request.method == "GET" and current is not None:
        form.until.data = current.astimezone(ZoneInfo(campaign.timezone)).replace(tzinfo=None)
    if form.validate_on_submit() and form.until.data is not None:
        try:
            services.extend_deadline(
                db.session(), current_user, campaign, unit, form.until.data, form.reason.data or ""
            )
        except services.CampaignError as error:
            db.session.rollback()
            form.until.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The deadline of %(name)s has been extended.", name=unit.name), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template(
        "campaigns/extend.html", campaign=campaign, unit=unit, form=form, current=current
    )


@bp.route("/<int:campaign_id>/responses/<int:response_id>", methods=["GET", "POST"])
def review(campaign_id: int, response_id: int) -> str | Response:
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    response = db.session.get(FormResponse, response_id)
    # Survey answers are anonymous and nobody's report: they are read only in aggregate.
    if response is None or response.campaign_id != campaign.id or response.unit_report_key is None:
        raise NotInScope(response_id)
    require(current_user, Action.REVIEW_REPORTS, response.unit)
    form = ReviewForm()
    if request.method == "POST" and form.validate_on_submit():
        move = request.form.get("move", "")
        if move in (Move.RETURN, Move.ACCEPT, Move.REOPEN):
            try:
                services.move_response(
                    db.session(), current_user, response, Move(move), form.comment.data or ""
                )
            except MoveRefused as refused:
                db.session.rollback()
                form.comment.errors = [_refusal(refused)]
            else:
                db.session.commit()
                notices.announce(db.session(), current_user, response)
                flash(
                    _("The report is now %(state)s.", state=status_label(response.status)),
                    "success",
                )
                return redirect(
                    url_for("campaigns.review", campaign_id=campaign.id, response_id=response.id)
                )
    spec = spec_of(response.form_version)
    language = str(get_locale())
    trail = services.audit_trail(db.session(), response)
    visible = visible_field_ids(spec, response.answers)
    sections = []
    # A registry's report is the unit's records as confirmed: listed, not a form.
    records = response.answers.get("records") if spec.kind == "registry" else None
    for section in [] if records is not None else spec.sections:
        ids = [f.id for f in section.fields if f.id in visible]
        if not ids:
            continue
        form_class = build_form_class(spec, EntryForm, language, ids)
        shown = form_class(formdata=None, data=form_data_from_answers(spec, response.answers, ids))
        sections.append((section, [f for f in section.fields if f.id in visible], shown))
    return render_template(
        "campaigns/review.html",
        campaign=campaign,
        response=response,
        spec=spec,
        sections=sections,
        # The totals beside the fields, as data entry shows them (collector.schema.derived).
        derived={} if records is not None else lines(spec, response.answers, language, _),
        records=records,
        form=form,
        language=language,
        renderers=RENDERERS,
        moves=services.review_moves(current_user, response, campaign),
        due=services.effective_deadline(db.session(), campaign, response.unit),
        trail=trail,
        warnings=confirmed_warnings(
            spec,
            {k: v for k, v in response.answers.items() if k in visible},
            response.confirmations or {},
        ),
        latest=services.latest_decision(trail),
        next_waiting=queue.next_waiting(db.session(), current_user, campaign, response),
        may_extend=can(current_user, Action.RUN_CAMPAIGNS, campaign.owner_unit),
    )


def _refusal(refused: MoveRefused) -> str:
    if isinstance(refused, CommentRequired):
        return _("Write a comment: the organisation needs to know what to correct.")
    return _("This is not possible in the report's current state.")


@bp.get("/<int:campaign_id>/links/<int:link_id>/flyer")
def flyer(campaign_id: int, link_id: int) -> str:
    """A one-page flyer with the school's survey link and its QR code, for printing."""
    link = db.session.get(SurveyLink, link_id)
    if link is None or link.campaign_id != campaign_id:
        raise NotInScope(link_id)
    # The school prints its own flyer; coordinators above it may too.
    require(current_user, Action.VIEW_UNIT, link.unit)
    url = url_for("surveys.answer", token=link.token, _external=True)
    qr = segno.make(url, error="m")
    return render_template(
        "campaigns/flyer.html",
        link=link,
        campaign=link.campaign,
        spec=spec_of(link.campaign.form_version),
        url=url,
        qr_svg=Markup(qr.svg_inline(scale=8, border=2, omitsize=True)),
        due=services.effective_deadline(db.session(), link.campaign, link.unit),
        language=str(get_locale()),
        back=url_for("campaigns.detail", campaign_id=campaign_id)
        if services.review_scopes(current_user, link.campaign)
        else url_for("entry.index"),
    )


@bp.post("/<int:campaign_id>/remind")
def remind(campaign_id: int) -> Response:
    """Send the reminders due now for this campaign, as a job (the same as the daily
    `flask campaigns remind`, which never sends one twice)."""
    campaign = services.get_campaign(db.session(), current_user, campaign_id)
    require(current_user, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = start_job(
        db.session(),
        current_user,
        REMINDER_JOB,
        {"campaign_id": campaign.id},
        title=_("Reminders: %(title)s", title=campaign.title),
        dedupe_key=f"remind:{campaign.id}",
        scope_unit=campaign.owner_unit,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/<int:campaign_id>/imports", methods=["GET", "POST"])
def imports(campaign_id: int) -> str | Response:
    """The form's imported tables: what each holds now, and a file to replace it. The
    file is checked in a job; its page lists every bad row."""
    campaign, spec = importing_campaign(db.session(), current_user, campaign_id)
    form = TableUploadForm()
    if form.validate_on_submit():
        declared = import_of(spec, form.import_id.data or "")
        if declared is None:
            abort(400)
        upload = form.file.data
        job = start_table_import(
            db.session(),
            current_user,
            campaign,
            declared,
            upload.filename or "",
            upload.read(),
            language=str(get_locale()),
        )
        return redirect(url_for("jobs.detail", job_id=job.id))
    return render_template(
        "campaigns/imports.html",
        campaign=campaign,
        spec=spec,
        batches=current_batches(db.session(), campaign),
        form=form,
        failed_id=form.import_id.data if form.errors else None,
        language=str(get_locale()),
    )
