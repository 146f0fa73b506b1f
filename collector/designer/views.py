"""The designer's pages: the list of forms and drafts, the editor of one draft (an outline,
one element's form, the compiler's issues, a live preview), JSON in and out, publishing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import require_somewhere
from collector.designer import bodies, services, wording
from collector.designer import document as doc
from collector.designer.answers import lined_up_workbook
from collector.designer.changes import CHANGE_LABELS
from collector.designer.cycle_forms import RecommendationForm
from collector.designer.forms import (
    FIELD_TYPE_LABELS,
    KINDS,
    ActionForm,
    CopyForm,
    FieldForm,
    IdentityForm,
    IndicatorForm,
    JsonForm,
    NewFormForm,
    RuleForm,
    SectionForm,
    UploadForm,
)
from collector.entry.services import problems
from collector.extensions import db
from collector.forms import RENDERERS, SchemaForm, SelectChoice
from collector.models import FormDraft
from collector.routing import id_value
from collector.schema import SchemaError
from collector.schema.evaluate import visible_field_ids
from collector.schema.formbuild import answers_from_form, build_form_class
from collector.schema.kinds import field_kinds

bp = Blueprint("designer", __name__, url_prefix="/designer")

KIND_LABELS = {choice.value: choice.label for choice in KINDS}

FORMS: dict[str, type[Any]] = {
    doc.IDENTITY: IdentityForm,
    "section": SectionForm,
    "field": FieldForm,
    "rule": RuleForm,
    "indicator": IndicatorForm,
    "recommendation": RecommendationForm,
}
# The expression inputs of each kind of element, checked as they are typed.
EXPRESSIONS = {
    "section": ("visible_if",),
    "field": ("visible_if",),
    "rule": ("check",),
    "indicator": ("formula", "not_applicable_if"),
}


@bp.before_request
@login_required
def _require_designer() -> None:
    require_somewhere(current_user, Action.DESIGN_FORMS)


def _unit_choices() -> list[tuple[str, str]]:
    return [
        (
            "" if unit is None else str(unit.id),
            _("All organisations") if unit is None else unit.name,
        )
        for unit in services.design_units(db.session(), current_user)
    ]


@bp.get("/")
def index() -> str:
    return _index_with()


def _index_with(**refused: Any) -> str:
    """The list page; after a refused start, with its form and message (nothing typed is
    lost)."""
    choices = _unit_choices()
    forms: dict[str, NewFormForm | UploadForm | CopyForm] = {
        "new_form": NewFormForm(),
        "upload_form": UploadForm(),
        "copy_form": CopyForm(),
    }
    forms.update(refused)
    for form in forms.values():
        form.unit.choices = choices
    return render_template(
        "designer/index.html",
        drafts=services.drafts(db.session(), current_user),
        forms=services.published_forms(db.session(), current_user),
        kind_labels=KIND_LABELS,
        **forms,
    )


@bp.post("/new")
def new() -> Response | str:
    form = NewFormForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        return _index_with(new_form=form)
    unit = services.unit_choice(db.session(), current_user, form.unit.data)
    try:
        draft = services.start_blank(
            db.session(),
            current_user,
            unit,
            form.id.data or None,  # None: made from the title
            form.title.data or "",
            form.kind.data,
        )
    except services.DesignRefused as refused:
        form.id.errors = [str(refused)]
        return _index_with(new_form=form)
    db.session.commit()
    return redirect(url_for("designer.edit", draft_id=draft.id))


@bp.post("/upload")
def upload() -> Response | str:
    form = UploadForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        return _index_with(upload_form=form)
    unit = services.unit_choice(db.session(), current_user, form.unit.data)
    stream = form.file.data
    # Read one byte more than allowed: enough to know the file is too large.
    content = stream.read(services.MAX_UPLOAD_BYTES + 1)
    if len(content) > services.MAX_UPLOAD_BYTES:
        content += stream.read()
    try:
        draft = services.start_upload(
            db.session(), current_user, unit, content, stream.filename or "schema.json"
        )
    except services.DesignRefused as refused:
        form.file.errors = [str(refused)]
        return _index_with(upload_form=form)
    db.session.commit()
    return redirect(url_for("designer.edit", draft_id=draft.id))


@bp.post("/versions/<int:version_id>/copy")
def copy_version(version_id: int) -> Response | str:
    form = CopyForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        abort(400)
    unit = services.unit_choice(db.session(), current_user, form.unit.data)
    version = services.version_by_id(db.session(), version_id)
    draft = services.start_copy(db.session(), current_user, unit, version)
    db.session.commit()
    return redirect(url_for("designer.edit", draft_id=draft.id))


@bp.post("/versions/<int:version_id>/revise")
def revise(version_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    version = services.version_by_id(db.session(), version_id)
    draft = services.start_version(db.session(), current_user, version)
    db.session.commit()
    return redirect(url_for("designer.edit", draft_id=draft.id))


def _json_file(text: str, name: str) -> Response:
    # A draft's id may be anything until it compiles: the file name keeps only safe letters.
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    response = FlaskResponse(text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/versions/<int:version_id>/schema.json")
def version_download(version_id: int) -> Response:
    version = services.version_by_id(db.session(), version_id)
    return _json_file(services.version_json(version), f"{version.form_id}-v{version.version}.json")


@bp.get("/forms/<form_id>/answers.xlsx")
def answers(form_id: str) -> Response:
    """Every answer to every version of a form the user may read, lined up by field id."""
    found = lined_up_workbook(db.session(), current_user, form_id, str(get_locale()))
    if found is None:
        abort(404)
    return send_file(
        found,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{form_id}-answers.xlsx",
    )


# --- the editor ---------------------------------------------------------------------------


def _draft(draft_id: int) -> FormDraft:
    return services.draft_of(db.session(), current_user, draft_id)


def _element(draft: FormDraft, key: str | None) -> doc.Element:
    try:
        return doc.parse_key(draft.document, key or doc.IDENTITY)
    except doc.ElementNotFound:
        return doc.Element(doc.IDENTITY, doc.IDENTITY)


def _element_form(draft: FormDraft, element: doc.Element, formdata: Any = None) -> Any:
    form = FORMS[element.kind](formdata=formdata)
    if element.kind == "field":
        form.section.choices = [
            SelectChoice(n, f"{n + 1}. {doc.text_of_title(section)}")
            for n, section in enumerate(doc.sections(draft.document))
        ]
    if element.kind == "rule":
        form.fields.choices = [SelectChoice(i, i) for i in doc.field_ids(draft.document)]
    if element.kind == "recommendation":
        form.indicators.choices = [
            SelectChoice(i["id"], f"{i['id']}: {doc.text_of_title(i)}")
            for i in doc.list_items(draft.document, "indicators")
            if isinstance(i, dict) and isinstance(i.get("id"), str)
        ]
    if element.kind == doc.IDENTITY:
        ids = [SelectChoice("", "—")] + [SelectChoice(i, i) for i in doc.field_ids(draft.document)]
        form.category_field.choices = ids
        form.record_title.choices = ids
    if formdata is None:
        raw = doc.raw(draft.document, element)
        try:
            if element.kind == "field":
                form.load(raw, element.section)
            else:
                form.load(raw)
        except (LookupError, TypeError, AttributeError, ValueError):
            # A hand-made draft with another shape here: an empty form, and a word why.
            form.process(data={})
            form.misshapen = True
        form.revision.data = str(draft.revision)
    return form


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
def edit(draft_id: int) -> Response | str | tuple[Response, int]:
    draft = _draft(draft_id)
    element = _element(draft, request.args.get("element"))
    action = request.form.get("action", "save")
    if request.method == "GET":
        return _editor(draft, element, _element_form(draft, element))
    if action.startswith("add:") and action[4:] not in ("options", "rows", "columns"):
        abort(400)
    form = _element_form(draft, element, request.form)
    autosave = action == "autosave"
    if not form.validate_on_submit():
        if autosave:
            return jsonify(saved=False), 422
        return _editor(draft, element, form)
    try:
        key = services.save_element(
            db.session(),
            current_user,
            draft,
            element,
            form,
            form.revision.data,
            add=action[4:] if action.startswith("add:") else None,
        )
    except services.DesignRefused as refused:
        db.session.rollback()
        if autosave:
            return jsonify(saved=False, message=str(refused)), 409
        return _editor(draft, element, form, refused=str(refused))
    db.session.commit()
    if autosave:
        # A question's id made from its label goes back to the page's input.
        answer: dict[str, Any] = {"saved": True, "revision": draft.revision, "element": key}
        if element.kind == "field":
            answer["field_id"] = doc.raw(draft.document, doc.parse_key(draft.document, key))["id"]
        return jsonify(answer)
    flash(_("Saved."), "success")
    return redirect(url_for("designer.edit", draft_id=draft.id, element=key))


def _outline_context(draft: FormDraft, element: doc.Element) -> dict[str, Any]:
    """What the outline and the issues panel draw (the editor's page, or either alone)."""
    issues = doc.compile_issues(draft.document)
    return {
        "draft": draft,
        "element": element,
        "issues": issues,
        "issues_by_element": doc.issues_by_element(issues),
        "problems": wording.problems(draft.document, issues),
        "outline": list(doc.outline(draft.document)),
        "rule_items": doc.list_items(draft.document, "rules"),
        "indicator_items": doc.list_items(draft.document, "indicators"),
        "recommendation_items": doc.list_items(draft.document, "recommendations"),
        "field_types": list(field_kinds()),
        "type_labels": FIELD_TYPE_LABELS,
        "element_title": doc.text_of_title,
        "key_of": doc.key_of_path,
    }


def _editor(draft: FormDraft, element: doc.Element, form: Any, refused: str | None = None) -> str:
    if refused is None and getattr(form, "misshapen", False):
        refused = str(services.misshapen())
    return render_template(
        "designer/edit.html",
        form=form,
        refused=refused,
        field_ids=doc.field_ids(draft.document),
        expressions=EXPRESSIONS.get(element.kind, ()),
        fixed=services.published(db.session(), draft),
        action_form=ActionForm(revision=str(draft.revision)),
        refusals=list(wording.refusals(form)),
        **_outline_context(draft, element),
    )


@bp.get("/drafts/<int:draft_id>/outline")
def outline(draft_id: int) -> str:
    """The outline alone, redrawn after an autosave (a question's new label in it)."""
    draft = _draft(draft_id)
    element = _element(draft, request.args.get("element"))
    return render_template("designer/_outline.html", **_outline_context(draft, element))


@bp.get("/drafts/<int:draft_id>/issues")
def issues(draft_id: int) -> str:
    """The issues panel alone, redrawn after an autosave."""
    draft = _draft(draft_id)
    return render_template(
        "designer/_issues.html", **_outline_context(draft, _element(draft, None))
    )


@bp.post("/drafts/<int:draft_id>/add")
def add(draft_id: int) -> Response:
    draft = _draft(draft_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    what = request.form.get("what", "")
    section = request.form.get("section", type=id_value)
    field_type = request.form.get("type", "text")
    if what not in ("section", "field", *doc.LISTS):
        abort(400)
    if what == "field" and (field_type not in field_kinds() or section is None or section < 0):
        abort(400)

    def change(document: dict[str, Any]) -> str:
        if what == "section":
            return doc.add_section(document)
        if what == "field":
            assert section is not None
            try:
                return doc.add_field(document, section, field_type)
            except (IndexError, KeyError, TypeError, AttributeError):
                abort(400)
        return doc.add_item(document, what)

    return _change_and_go(draft, form.revision.data, f"add {what}", change)


def _change_and_go(
    draft: FormDraft, revision: str | None, what: str, change: Callable[[dict[str, Any]], str]
) -> Response:
    """Change a copy of the draft's document (`change` returns the element to show next)
    and save it as the next revision; a refusal is flashed on the editor."""
    try:
        document = services.editable_copy(draft)
        try:
            key = change(document)
        except (LookupError, TypeError, AttributeError):
            # A draft uploaded or typed with "sections": "x" or "rules": 5: the editor's
            # changes need lists there.
            raise services.misshapen() from None
        services.save(db.session(), current_user, draft, document, revision, what)
    except services.DesignRefused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for("designer.edit", draft_id=draft.id))
    db.session.commit()
    return redirect(url_for("designer.edit", draft_id=draft.id, element=key))


def _posted_element(draft_id: int) -> tuple[FormDraft, ActionForm, doc.Element]:
    """The draft, its button's form and the element a remove, duplicate or move button
    names."""
    draft = _draft(draft_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    element = _element(draft, request.form.get("element"))
    if element.kind == doc.IDENTITY:
        abort(400)
    return draft, form, element


@bp.post("/drafts/<int:draft_id>/remove")
def remove(draft_id: int) -> Response:
    draft, form, element = _posted_element(draft_id)

    def change(document: dict[str, Any]) -> str:
        doc.remove(document, element)
        return doc.IDENTITY

    return _change_and_go(draft, form.revision.data, f"remove {element.key}", change)


@bp.post("/drafts/<int:draft_id>/duplicate")
def duplicate(draft_id: int) -> Response:
    draft, form, element = _posted_element(draft_id)
    return _change_and_go(
        draft,
        form.revision.data,
        f"duplicate {element.key}",
        lambda document: doc.duplicate(document, element),
    )


@bp.post("/drafts/<int:draft_id>/move")
def move(draft_id: int) -> Response:
    """One step up or down: the keyboard's way of what dragging in the outline does."""
    draft, form, element = _posted_element(draft_id)
    step = -1 if request.form.get("step") == "up" else 1
    return _change_and_go(
        draft,
        form.revision.data,
        f"move {element.key}",
        lambda document: doc.move(document, element, step),
    )


@bp.post("/drafts/<int:draft_id>/order")
def order(draft_id: int) -> tuple[Response, int] | Response:
    """The outline's order after a drag: sections, each with its fields, by their keys."""
    draft = _draft(draft_id)
    try:
        body = bodies.order_body(request.mimetype, request.content_length, request.get_data)
    except bodies.BodyRefused as refused:
        return jsonify(saved=False, message=str(refused)), 400
    try:
        document = services.editable_copy(draft)
        doc.reorder(document, body.rows)
        services.save(db.session(), current_user, draft, document, body.revision, "reorder")
    except ValueError as refused:
        db.session.rollback()
        return jsonify(saved=False, message=str(refused)), 409
    db.session.commit()
    return jsonify(saved=True, revision=draft.revision)


@bp.post("/drafts/<int:draft_id>/check")
def check(draft_id: int) -> str:
    """One expression checked as it is typed: the compiler's codes and messages."""
    draft = _draft(draft_id)
    element = _element(draft, request.form.get("element"))
    key = request.form.get("key", "")
    if key not in EXPRESSIONS.get(element.kind, ()):
        abort(400)
    source = request.form.get(key, "")
    found = doc.expression_issues(draft.document, element, key, source)
    return render_template(
        "designer/_check.html",
        problems=wording.problems(draft.document, found),
        typed=bool(source.strip()),
        key=key,
    )


@bp.route("/drafts/<int:draft_id>/json", methods=["GET", "POST"])
def edit_json(draft_id: int) -> Response | str | tuple[Response, int]:
    draft = _draft(draft_id)
    form = JsonForm()
    refused = None
    autosave = request.form.get("action") == "autosave"
    if form.validate_on_submit():
        try:
            services.save_text(
                db.session(), current_user, draft, form.document.data or "", form.revision.data
            )
        except services.DesignRefused as error:
            db.session.rollback()
            if autosave:
                # Text half typed is not JSON yet: the browser keeps it until it is.
                return jsonify(saved=False, message=str(error)), 422
            refused = str(error)
        else:
            db.session.commit()
            if autosave:
                return jsonify(saved=True, revision=draft.revision)
            flash(_("Saved."), "success")
            return redirect(url_for("designer.edit_json", draft_id=draft.id))
    elif request.method == "GET":
        form.document.data = doc.json_text(draft.document)
        form.revision.data = str(draft.revision)
    issues = doc.compile_issues(draft.document)
    return render_template(
        "designer/json.html",
        draft=draft,
        form=form,
        refused=refused,
        issues=issues,
        problems=wording.problems(draft.document, issues),
        key_of=doc.key_of_path,
    )


@bp.get("/drafts/<int:draft_id>/schema.json")
def draft_download(draft_id: int) -> Response:
    draft = _draft(draft_id)
    return _json_file(doc.json_text(draft.document) + "\n", f"{draft.form_id or 'form'}-draft.json")


@bp.route("/drafts/<int:draft_id>/preview", methods=["GET", "POST"])
def preview(draft_id: int) -> Response:
    """The draft as data entry shows it, drawn by the same code; answers tried here run
    the form's visibility and rules and are kept nowhere."""
    draft = _draft(draft_id)
    language = str(get_locale())
    try:
        spec = services.compile_draft(draft).spec
    except SchemaError as error:
        page = render_template("designer/preview.html", draft=draft, errors=error.errors)
        return _framed(page)
    form = build_form_class(spec, SchemaForm, language)()
    typed = answers_from_form(spec, form) if request.method == "POST" else {}
    visible = visible_field_ids(spec, typed)
    found = []
    if request.method == "POST":
        form.validate()
        found = problems(spec, typed, for_submission=True)
        for problem in found:
            if problem.field_id in form and problem.message not in form[problem.field_id].errors:
                form[problem.field_id].errors = [*form[problem.field_id].errors, problem.message]
    page = render_template(
        "designer/preview.html",
        draft=draft,
        spec=spec,
        form=form,
        visible=visible,
        problems=found,
        tried=request.method == "POST",
        renderers=RENDERERS,
        language=language,
    )
    return _framed(page)


def _framed(page: str) -> Response:
    """The preview is drawn inside the editor's frames: this origin may frame it."""
    response = FlaskResponse(page)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )
    return response


@bp.route("/drafts/<int:draft_id>/publish", methods=["GET", "POST"])
def publish(draft_id: int) -> Response | str:
    draft = _draft(draft_id)
    form = ActionForm(revision=str(draft.revision))
    try:
        if form.validate_on_submit():
            version = services.publish(db.session(), current_user, draft, form.revision.data)
            db.session.commit()
            flash(
                _("Version %(n)d of %(id)s is published.", n=version.version, id=version.form_id),
                "success",
            )
            return redirect(url_for("designer.index"))
        preparation = services.prepare(db.session(), current_user, draft)
    except services.PublishRefused as refused:
        db.session.rollback()
        return render_template(
            "designer/publish.html",
            draft=draft,
            refused=str(refused),
            issues=refused.issues,
            problems=wording.problems(draft.document, refused.issues),
            key_of=doc.key_of_path,
            form=form,
        )
    except services.DesignRefused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for("designer.publish", draft_id=draft.id))
    return render_template(
        "designer/publish.html",
        draft=draft,
        preparation=preparation,
        form=form,
        issues=[],
        problems=[],
        refused=None,
        key_of=doc.key_of_path,
        change_labels=CHANGE_LABELS,
    )


@bp.post("/drafts/<int:draft_id>/discard")
def discard(draft_id: int) -> Response:
    draft = _draft(draft_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.discard(db.session(), current_user, draft)
    db.session.commit()
    flash(_("The draft is discarded."), "success")
    return redirect(url_for("designer.index"))
