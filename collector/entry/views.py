"""Data entry pages: the list of one's forms, and filling one section by section."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import FieldList, FormField

from collector.entry import files, services
from collector.extensions import csrf, db
from collector.forms import RENDERERS, EntryForm, typed_problems
from collector.routing import id_or
from collector.schema.derived import lines
from collector.schema.formbuild import answers_from_form, build_form_class, form_data_from_answers
from collector.schema.kinds import kind_of
from collector.schema.kinds.files import MEGABYTE, FileKind, Upload
from collector.schema.live import live_form
from collector.schema.spec import SectionSpec
from collector.schema.warnings import SoftWarning
from collector.storage import StorageUnavailable

bp = Blueprint("entry", __name__, url_prefix="/entry")
# The built forms check their CSRF token themselves, so that an expired token brings the
# form back with every typed value instead of an error page.
csrf.exempt(bp)


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


@bp.get("/")
def index() -> str:
    tasks = services.campaign_tasks(db.session(), current_user)
    # A form a campaign asks of the unit is filled there, not also outside it.
    asked = {(t.response.form_id, t.response.unit_id) for t in tasks}
    return render_template(
        "entry/index.html",
        tasks=tasks,
        survey_links=services.survey_links_of(db.session(), current_user),
        assignments=[
            a
            for a in services.assignments(db.session(), current_user)
            if (a.version.form_id, a.unit.id) not in asked
        ],
    )


def _section_form(entry: services.Entry, section: SectionSpec, formdata: Any = None) -> EntryForm:
    ids = [f.id for f in section.fields]
    form_class = build_form_class(entry.spec, EntryForm, str(get_locale()), ids)
    if formdata is not None:
        form = form_class(formdata=formdata)
        for field_id in ids:
            if hasattr(form[field_id], "stored"):
                # A file question shows the file its answer holds beside a new choice.
                setattr(form[field_id], "stored", entry.answers.get(field_id))  # noqa: B010
    else:
        data = form_data_from_answers(entry.spec, entry.answers, ids)
        form = form_class(formdata=None, data=data | {"revision": str(entry.revision)})
    # Made on EntryForm, so it is one (build_form_class is typed with wtforms' Form).
    assert isinstance(form, EntryForm)
    return form


def _show_problems(form: EntryForm, found: list[services.Problem], section_id: str) -> None:
    for problem in found:
        if problem.warning_rule:
            continue  # shown in its own box, with the confirmation (entry/fill.html)
        if problem.section_id == section_id and problem.field_id in form:
            field = form[problem.field_id]
            if isinstance(field, FormField):
                # A grid or a table: its cells hold their own; this one is the field's.
                if problem.message not in field.form.form_errors:
                    field.form.form_errors = [*field.form.form_errors, problem.message]
            # Replaced, not appended to: a field's errors are a tuple until the form is
            # validated, and a page opened anew (GET) is not.
            elif problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]


@bp.route("/<form_id>/<int:unit_id>", methods=["GET", "POST"])
def fill(form_id: str, unit_id: int) -> str | Response | tuple[Response, int]:
    """A report outside any campaign (a unit's own draft of a form)."""
    return _fill(services.open_entry(db.session(), current_user, form_id, unit_id))


@bp.route("/response/<int:response_id>", methods=["GET", "POST"])
def fill_response(response_id: int) -> str | Response | tuple[Response, int]:
    """A report a campaign asks of the unit."""
    return _fill(services.open_campaign_entry(db.session(), current_user, response_id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    """A report sent with more than the server reads (MAX_CONTENT_LENGTH: a file too big
    for any question) is not read at all: the page comes back saying so beside nothing
    lost. What was typed is restored from this browser's copy (entry.js keeps it as the
    form is sent); the file is to be chosen again, smaller. (Only the two report pages
    here read a body.)"""
    limit = int(current_app.config["MAX_CONTENT_LENGTH"]) / MEGABYTE
    flash(
        _(
            "The file is larger than the server accepts (at most %(limit)s MB for the whole "
            "page): nothing was saved. The values you typed are restored below; choose a "
            "smaller file.",
            limit=f"{round(limit, 2):g}",
        ),
        "danger",
    )
    return redirect(request.full_path.rstrip("?"), code=303)


def _entry_url(entry: services.Entry, **values: Any) -> str:
    endpoint, arguments = entry.endpoint
    return url_for(endpoint, **arguments, **values)


def _confirmation_url(entry: services.Entry) -> str:
    if entry.campaign is not None and entry.response is not None:
        return url_for("registries.confirm_response", response_id=entry.response.id)
    return url_for("registries.confirm_unit", form_id=entry.spec.id, unit_id=entry.unit.id)


def _fill(entry: services.Entry) -> str | Response | tuple[Response, int]:
    if entry.spec.kind == "registry":
        # A registry campaign asks the unit to confirm its records, not to fill a form:
        # that page is the registries' (a POST keeps its method on the way).
        return redirect(_confirmation_url(entry), code=307 if request.method == "POST" else 302)
    section = entry.section(request.values.get("section"))
    if request.method == "POST" and not entry.editable:
        if request.form.get("action") == "autosave":
            return jsonify(saved=False, locked=True), 409
        if request.form.get("action") == "submit" and _sent_again(entry, section):
            # The first send was taken; its reply was lost and the browser sent it again.
            flash(_("The report has been submitted."), "success")
            return redirect(_entry_url(entry, section=section.id))
        flash(_("This report cannot be changed now."), "warning")
        return redirect(_entry_url(entry, section=section.id))
    action = request.form.get("action", "save")
    conflict = None
    found: list[services.Problem] = []
    # What the typed values' own checks refused (shown under each, and summed up on top).
    refused: list[services.Problem] = []
    if request.method == "POST":
        form = _section_form(entry, section, _posted(section))
        if action.startswith("add_row:"):
            # A table grows by one row; nothing is saved yet, everything typed stays.
            table = action.removeprefix("add_row:")
            rows = form[table] if table in form else None
            # Only a table grows, and not past its declared number of rows.
            if isinstance(rows, FieldList) and (
                rows.max_entries is None or len(rows.entries) < rows.max_entries
            ):
                rows.append_entry()
            return render_template("entry/fill.html", **_page(entry, section, form, [], None))
        ids = [f.id for f in section.fields]
        if (
            form.validate()
            and not _unknown_units(entry, form, ids)
            and (typed := _kept_uploads(entry, form, ids)) is not None
        ):
            outcome = services.save_and_check(
                db.session(),
                current_user,
                entry,
                typed,
                ids,
                base_revision=_revision(form),
                submitting=action == "submit",
                confirmations=_posted_confirmations(entry),
            )
            conflict, found = outcome.conflict, outcome.problems
            if conflict is None:
                db.session.commit()
                if action == "autosave":
                    return jsonify(revision=entry.revision, saved=True)
                form.revision.data = str(entry.revision)
                if not found:
                    flash(
                        _("The report has been submitted.")
                        if action == "submit"
                        else _("Draft saved."),
                        "success",
                    )
                    target = entry.next_section_id(section.id) if action == "next" else section.id
                    return redirect(_entry_url(entry, section=target))
            elif action == "autosave":
                return jsonify(saved=False, conflict=True), 409
        elif action == "autosave":
            # Said beside the autosave's state: each refused value by its field's label.
            language = str(get_locale())
            refused_now = [
                {
                    "field": field_id,
                    "label": entry.spec.field(field_id).label.get(language),
                    "message": message,
                }
                for field_id, message in typed_problems(entry.spec, form, ids, language)
            ]
            return jsonify(saved=False, problems=refused_now), 422
        elif "csrf_token" in form.errors:
            # The page was open past the token's life: keep every value, ask to send again.
            form["csrf_token"].errors = []
            flash(
                _("The page was open for a long time. Your values are kept: press Save again."),
                "warning",
            )
        else:
            refused = [
                services.Problem(section.id, field_id, message)
                for field_id, message in typed_problems(entry.spec, form, ids, str(get_locale()))
            ]
    else:
        form = _section_form(entry, section)
        found = services.problems(
            entry.spec, entry.answers, for_submission=False, confirmations=entry.confirmations
        )
    _show_problems(form, found, section.id)
    page = _page(entry, section, form, [*refused, *found], conflict)
    return render_template("entry/fill.html", **page)


def _kept_uploads(entry: services.Entry, form: EntryForm, ids: list[str]) -> dict[str, Any] | None:
    """The section's answers with the files sent kept (collector.entry.files); None when
    the file store fails, said beside each file sent, with everything typed kept."""
    answers = answers_from_form(entry.spec, form, ids)
    try:
        return files.keep_uploads(
            db.session(), current_user, entry, answers, ids, current_app.config
        )
    except StorageUnavailable as error:
        current_app.logger.warning("file store unavailable: %s", error)
        for field_id, value in answers.items():
            if isinstance(value, Upload):
                form[field_id].errors = [
                    _(
                        "The file could not be stored just now: nothing was saved. Send "
                        "the page again in a minute."
                    )
                ]
        return None


def _posted(section: SectionSpec) -> Any:
    """The form's values with the files sent for the section's file questions: a file
    sent under any other name (a number's, the revision's) is not read, as a value it
    is not (a 500 where a text was read)."""
    names = {f.id for f in section.fields if isinstance(kind_of(f.type), FileKind)}
    sent = MultiDict([(k, v) for k, v in request.files.items(multi=True) if k in names])
    return CombinedMultiDict((sent, request.form)) if sent else request.form


@bp.get("/files/<file_id>")
def download_file(file_id: str) -> Response:
    """A file of a file question, for those who may read its report."""
    # A store that does not answer is the 503 page (collector.errors).
    stored, opened, mimetype = files.readable_file(
        db.session(), current_user, file_id, current_app.config
    )
    # Streamed a chunk at a time, from the folder or the object storage alike.
    response = send_file(
        opened.stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=stored.name,
        max_age=0,
    )
    response.content_length = opened.size
    return response


def _sent_again(entry: services.Entry, section: Any) -> bool:
    form = _section_form(entry, section, _posted(section))
    ids = [f.id for f in section.fields]
    return form.validate() and services.already_submitted(
        entry, answers_from_form(entry.spec, form, ids), ids
    )


def _posted_confirmations(entry: services.Entry) -> dict[str, str | None]:
    """The warning boxes the page showed (by rule id): the comment when ticked, else None."""
    return {
        rule.id: (
            request.form.get(f"comment-{rule.id}", "")
            if request.form.get(f"confirm-{rule.id}")
            else None
        )
        for rule in entry.spec.rules
        if rule.warning and f"comment-{rule.id}" in request.form
    }


def _revision(form: EntryForm) -> int:
    """The revision the page was loaded at; anything else than a number counts as none."""
    return id_or(form.revision.data or "")


def _unknown_units(entry: services.Entry, form: EntryForm, ids: list[str]) -> bool:
    answers = answers_from_form(entry.spec, form, ids)
    unknown = services.unknown_unit_codes(db.session(), entry.spec, answers)
    for field_id in unknown:
        form[field_id].errors = [_("No organisation has this code.")]
    return bool(unknown)


def _warnings_by_field(
    entry: services.Entry, section: SectionSpec
) -> dict[str, list[tuple[SoftWarning, bool, str]]]:
    """Per field: the warnings beside it, each with its box as shown (ticked, comment):
    as posted when the page comes back from a send, else as stored."""
    posted = _posted_confirmations(entry) if request.method == "POST" else {}
    shown: dict[str, list[tuple[SoftWarning, bool, str]]] = {}
    for warning in services.page_warnings(entry, section):
        if warning.rule.id in posted:
            comment = request.form.get(f"comment-{warning.rule.id}", "")
            ticked = posted[warning.rule.id] is not None
        else:
            comment, ticked = warning.comment, warning.confirmed
        shown.setdefault(warning.field_id, []).append((warning, ticked, comment))
    return shown


def _page(
    entry: services.Entry,
    section: SectionSpec,
    form: EntryForm,
    found: list[services.Problem],
    conflict: services.Conflict | None,
) -> dict[str, Any]:
    language = str(get_locale())
    on_page = [f.id for f in section.fields]
    # The answers as the page shows them: this section's as in its inputs (as posted when
    # the page comes back from a send), the others' as stored.
    shown = services.merged_answers(entry, answers_from_form(entry.spec, form, on_page), on_page)
    return {
        "entry": entry,
        "section": section,
        "form": form,
        "problems": found,
        "conflict": conflict,
        "language": language,
        "renderers": RENDERERS,
        "live": live_form(entry.spec, language, on_page=on_page, answers=entry.answers),
        "derived": lines(entry.spec, shown, language, _),
        "progress": services.progress(entry.spec, entry.answers),
        "warnings": _warnings_by_field(entry, section),
        "not_sent": [
            (field_id, entry.spec.field(field_id).label.get(language))
            for field_id in services.not_sent(entry.spec, entry.answers)
        ],
        "due": services.due(db.session(), entry),
        "is_last": section.id == entry.spec.sections[-1].id,
        "entry_url": lambda **values: _entry_url(entry, **values),
    }
