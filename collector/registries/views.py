"""Registry pages: the records of one's units and subtree, adding, editing, archiving and
the history of a record, the export, the public page, and a campaign's confirmation."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import FormField

from collector.auth.permissions import Action
from collector.auth.services import can_somewhere, top_units
from collector.entry import services as entry_services
from collector.errors import NotInScope
from collector.exporters.workbook import write_workbook
from collector.extensions import csrf, db
from collector.forms import RENDERERS, typed_problems
from collector.indicators.summaries import summarise
from collector.models import OrgUnit, RegistryRecord
from collector.registries import services
from collector.registries.export import build_registry_workbook
from collector.registries.forms import ConfirmForm, NewRecordForm, RecordForm
from collector.reports.export import indicator_labels
from collector.routing import id_or, id_value
from collector.schema.derived import lines
from collector.schema.formbuild import answers_from_form, build_form_class, form_data_from_answers
from collector.schema.live import live_form

bp = Blueprint("registries", __name__, url_prefix="/registries")
public_bp = Blueprint("public", __name__, url_prefix="/public")


def _language() -> str:
    return str(get_locale())


def _yes_no() -> tuple[str, str]:
    return (_("yes"), _("no"))


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user; the public pages are apart."""


@bp.get("/")
def index() -> str:
    return render_template(
        "registries/index.html",
        registries=services.registries(db.session(), current_user),
        counts=services.record_counts(db.session(), current_user),
        sources=_sees_sources(),
    )


def _sees_sources() -> bool:
    """The clause a registry keeps is a coordinator's trace, not a school's text."""
    return can_somewhere(current_user, Action.REVIEW_REPORTS)


@bp.get("/<form_id>/")
def records(form_id: str) -> str:
    kept = services.registry(db.session(), form_id, current_user)
    archived = request.args.get("archived") == "1"
    found = services.records_in_scope(db.session(), current_user, kept, archived=archived)
    summaries = (
        []
        if archived
        else summarise(kept.spec, ((None, r.data) for r in found), _language(), _yes_no())
    )
    return render_template(
        "registries/records.html",
        registry=kept,
        records=found,
        archived=archived,
        summaries=summaries,
        may_add=bool(services.holder_units(db.session(), current_user, kept)),
        language=_language(),
        sources=_sees_sources(),
    )


def _record_form(
    kept: services.Registry, base: type[RecordForm], formdata: Any = None, **data: Any
) -> Any:
    form_class = build_form_class(kept.spec, base, _language())
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=data)


def _show(form: Any, problems: list[entry_services.Problem]) -> list[str]:
    """Each rule's message beside its field (a grid's or a table's as the field's own, its
    cells keep theirs); the messages of no field are returned for the summary on top."""
    general = []
    for problem in problems:
        if problem.field_id in form:
            field = form[problem.field_id]
            if isinstance(field, FormField):
                field.form.form_errors = [*field.form.form_errors, problem.message]
            else:
                field.errors = [*field.errors, problem.message]
        else:
            general.append(problem.message)
    return general


def _refused(kept: services.Registry, form: Any, general: list[str]) -> list[tuple[str, str, str]]:
    """The summary of a refused save, one entry per problem: (the anchor it links to, the
    field's label, the message), in the form's order; the record's own messages last."""
    language = _language()
    found = []
    if "unit" in form:
        found += [(form.unit.id, str(form.unit.label.text), str(e)) for e in form.unit.errors]
    ids = [f.id for f in kept.spec.fields]
    for field_id, message in typed_problems(kept.spec, form, ids, language):
        found.append((f"field-{field_id}", kept.spec.field(field_id).label.get(language), message))
    found += [("record-form", _("The record"), message) for message in general]
    return found


def _form_page(
    kept: services.Registry,
    form: Any,
    found: RegistryRecord | None,
    general: list[str] | None = None,
) -> str:
    language = _language()
    # The passport as its inputs show it (as posted when the page comes back from a save).
    shown = answers_from_form(kept.spec, form)
    return render_template(
        "registries/record.html",
        live=live_form(kept.spec, language),
        derived=lines(kept.spec, shown, language, _),
        not_sent=[
            (field_id, kept.spec.field(field_id).label.get(language))
            for field_id in entry_services.not_sent(kept.spec, shown)
        ],
        registry=kept,
        form=form,
        record=found,
        refused=_refused(kept, form, general or []) if request.method == "POST" else [],
        editable=found is None
        or (found.is_active and services.may_keep(current_user, kept, found.unit)),
        may_keep=found is not None and services.may_keep(current_user, kept, found.unit),
        may_archive=found is not None and services.may_archive(current_user, kept, found),
        renderers=RENDERERS,
        language=language,
        public_fields={f.id for f in services.public_fields(kept.spec)},
    )


@bp.route("/<form_id>/new", methods=["GET", "POST"])
def new(form_id: str) -> str | Response:
    kept = services.registry(db.session(), form_id, current_user)
    units = services.holder_units(db.session(), current_user, kept)
    if not units:
        refusal = services.keeping_refusal(current_user, kept)
        page = render_template("error.html", code=403, title=_("Access denied"), message=refusal)
        return make_response(page, 403)
    if request.method == "POST":
        form = _record_form(kept, NewRecordForm, request.form)
    else:
        chosen = request.args.get("unit", type=id_value)
        form = _record_form(
            kept,
            NewRecordForm,
            unit=chosen if chosen else units[0].id,
            published=bool(kept.spec.registry and kept.spec.registry.public),
        )
    form.unit.choices = [(u.id, f"{u.name} ({u.code})") for u in units]
    if request.method == "POST" and _validate_new(form, units):
        unit = next(u for u in units if u.id == form.unit.data)
        outcome = services.create_record(
            db.session(),
            current_user,
            kept,
            unit,
            answers_from_form(kept.spec, form),
            bool(form.published.data),
        )
        if isinstance(outcome, RegistryRecord):
            db.session.commit()
            flash(_("The record has been added."), "success")
            return redirect(url_for(".record", form_id=form_id, record_id=outcome.id))
        return _form_page(kept, form, None, _show(form, outcome))
    return _form_page(kept, form, None)


def _validate_new(form: Any, units: list[OrgUnit]) -> bool:
    """The form's own checks, and the unit among those offered: any other is refused
    beside the field, without saying whether it exists."""
    valid = bool(form.validate())
    if form.unit.data not in {u.id for u in units}:
        form.unit.errors = [
            _("Choose one of the organisations offered: you keep records only for them.")
        ]
        return False
    return valid


@bp.route("/<form_id>/<int:record_id>", methods=["GET", "POST"])
def record(form_id: str, record_id: int) -> str | Response:
    kept = services.registry(db.session(), form_id, current_user)
    found = services.record_in_scope(db.session(), current_user, kept, record_id)
    if request.method == "POST":
        form = _record_form(kept, RecordForm, request.form)
        if form.validate():
            try:
                problems = services.edit_record(
                    db.session(),
                    current_user,
                    kept,
                    found,
                    answers_from_form(kept.spec, form),
                    bool(form.published.data),
                    id_or(form.revision.data or ""),
                )
            except services.StaleRecord:
                flash(
                    _(
                        "Someone has changed this record since you opened it. Your values "
                        "are kept below; compare them with the history and save again."
                    ),
                    "warning",
                )
                form.revision.data = str(found.revision)
                return _form_page(kept, form, found)
            except entry_services.NotEditable:
                flash(_("An archived record cannot be changed; restore it first."), "warning")
                return _form_page(kept, form, found)
            if not problems:
                db.session.commit()
                flash(_("The record has been saved."), "success")
                return redirect(url_for(".record", form_id=form_id, record_id=found.id))
            return _form_page(kept, form, found, _show(form, problems))
        return _form_page(kept, form, found)
    data = form_data_from_answers(kept.spec, found.data)
    form = _record_form(
        kept, RecordForm, **data, revision=str(found.revision), published=found.published
    )
    return _form_page(kept, form, found)


@bp.post("/<form_id>/<int:record_id>/archive")
def archive(form_id: str, record_id: int) -> Response:
    return _set_archived(form_id, record_id, archived=True)


@bp.post("/<form_id>/<int:record_id>/restore")
def restore(form_id: str, record_id: int) -> Response:
    return _set_archived(form_id, record_id, archived=False)


def _set_archived(form_id: str, record_id: int, *, archived: bool) -> Response:
    kept = services.registry(db.session(), form_id, current_user)
    found = services.record_in_scope(db.session(), current_user, kept, record_id)
    services.set_archived(db.session(), current_user, kept, found, archived)
    db.session.commit()
    flash(
        _("The record has been archived.") if archived else _("The record has been restored."),
        "success",
    )
    return redirect(url_for(".record", form_id=form_id, record_id=found.id))


@bp.get("/<form_id>/export.xlsx")
def export(form_id: str) -> Response:
    kept = services.registry(db.session(), form_id, current_user)
    found = services.records_in_scope(db.session(), current_user, kept)
    book = build_registry_workbook(
        kept,
        found,
        services.municipality_names(db.session(), found),
        ", ".join(u.name for u in top_units(db.session(), current_user, Action.VIEW_UNIT)),
        indicator_labels(),
    )
    target = BytesIO()
    write_workbook(book, target)
    target.seek(0)
    return send_file(
        target,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{form_id}.xlsx",
    )


@public_bp.get("/registries/")
def public_index() -> str:
    shown = [
        r for r in services.registries(db.session()) if r.spec.registry and r.spec.registry.public
    ]
    return render_template("registries/public_index.html", registries=shown)


@public_bp.get("/registries/<form_id>")
def public_registry(form_id: str) -> str:
    kept = services.registry(db.session(), form_id)
    if kept.spec.registry is None or not kept.spec.registry.public:
        abort(404)
    return render_template(
        "registries/public.html",
        registry=kept,
        table=services.public_table(db.session(), kept),
        language=_language(),
    )


# The confirmation form checks its own CSRF token (ConfirmForm), so that a page left open
# past the token's life says so on the page instead of an error page.
@bp.route("/responses/<int:response_id>/confirm", methods=["GET", "POST"])
@csrf.exempt
def confirm_response(response_id: int) -> str | Response:
    """A registry campaign's page for a unit (data entry sends it here)."""
    return _confirmation_page(
        entry_services.open_campaign_entry(db.session(), current_user, response_id)
    )


@bp.route("/<form_id>/units/<int:unit_id>/confirm", methods=["GET", "POST"])
@csrf.exempt
def confirm_unit(form_id: str, unit_id: int) -> str | Response:
    """A unit's confirmation of a registry form outside any campaign."""
    return _confirmation_page(
        entry_services.open_entry(db.session(), current_user, form_id, unit_id)
    )


def _confirmation_page(entry: entry_services.Entry) -> str | Response:
    """A registry campaign's page for a unit: its records as of now, and the button that
    confirms them as the campaign's answer."""
    if entry.spec.kind != "registry":
        endpoint, arguments = entry.endpoint
        return redirect(url_for(endpoint, **arguments))
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate():
            flash(_("The page was open for a long time. Press Confirm again."), "warning")
        elif not entry.editable:
            flash(_("This report cannot be changed now."), "warning")
        else:
            problems = services.confirm_records(db.session(), current_user, entry)
            if not problems:
                db.session.commit()
                flash(_("The records have been confirmed."), "success")
                return redirect(request.path)
            db.session.rollback()
            for problem in problems:
                flash(problem.message, "danger")
    return render_template(
        "registries/confirm.html",
        entry=entry,
        form=form,
        current=services.unit_records(db.session(), entry.spec.id, entry.unit.id),
        confirmed=services.confirmed_records(entry),
        may_keep=_may_keep_for(entry),
        language=_language(),
    )


def _may_keep_for(entry: entry_services.Entry) -> bool:
    """Whether the unit's user keeps its records in the registry the campaign confirms."""
    try:
        kept = services.registry(db.session(), entry.spec.id)
    except NotInScope:
        return False
    return services.may_keep(current_user, kept, entry.unit)
