"""Org units: browse the tree within one's scope, edit units and their figures, import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can, require_somewhere, top_units
from collector.extensions import db
from collector.models import OrgUnit, UnitType
from collector.routing import id_value
from collector.unit_catalog import FIGURE_KINDS, academic_year_label, column_name
from collector.units import services
from collector.units.figures_import import figures_template_csv
from collector.units.forms import EditUnitForm, FiguresForm, ImportForm, NewUnitForm
from collector.units.importing import units_template_csv
from collector.units.jobs import start_units_import
from collector.units.tree import ancestors, children_counts

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


@bp.get("/")
def index() -> str | Response:
    roots = top_units(db.session(), current_user, Action.VIEW_UNIT)
    if len(roots) == 1:
        return redirect(url_for("units.detail", unit_id=roots[0].id))
    require_somewhere(current_user, Action.VIEW_UNIT)
    return render_template(
        "units/index.html", roots=roots, counts=children_counts(db.session(), [u.id for u in roots])
    )


@bp.get("/<int:unit_id>")
def detail(unit_id: int) -> str:
    unit = services.get_unit(db.session(), current_user, unit_id, Action.VIEW_UNIT)
    search = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=id_value)
    children, total = services.children_of(db.session(), unit, search, page)
    year = services.default_year(db.session(), unit)
    figures = services.figures_of(db.session(), unit, year)
    pupils = [value for (figure, _grade), value in figures.items() if figure == "pupils"]
    return render_template(
        "units/detail.html",
        unit=unit,
        path=ancestors(db.session(), unit),
        children=children,
        total=total,
        page=page,
        page_size=services.PAGE_SIZE,
        search=search,
        counts=children_counts(db.session(), [c.id for c in children]),
        figures=figures,
        pupils_total=sum(pupils) if pupils else None,
        year=year,
        year_label=academic_year_label(year),
        may_edit=can(current_user, Action.EDIT_UNIT, unit),
        may_edit_figures=can(current_user, Action.EDIT_FIGURES, unit),
        may_manage_users=can(current_user, Action.MANAGE_USERS, unit),
    )


def _apply_change_error(form: NewUnitForm | EditUnitForm, error: services.UnitChangeError) -> None:
    db.session.rollback()
    getattr(form, error.field).errors.append(str(error))


def _unit_data(form: NewUnitForm | EditUnitForm) -> services.UnitData:
    return services.UnitData(
        code=form.code.data or "",
        name=form.name.data or "",
        short_name=form.short_name.data or None,
        timezone=form.timezone.data or None,
        address=form.address.data or None,
        is_active=bool(form.is_active.data),
        contact_name=form.contact_name.data or None,
        contact_email=form.contact_email.data or None,
        contact_phone=form.contact_phone.data or None,
        school_type=form.school_type.data or None,
    )


@bp.route("/<int:unit_id>/new", methods=["GET", "POST"])
def create_child(unit_id: int) -> str | Response:
    parent = services.get_unit(db.session(), current_user, unit_id, Action.EDIT_UNIT)
    form = NewUnitForm()
    if request.method == "GET" and parent.type == UnitType.REGION:
        form.unit_type.data = UnitType.MUNICIPALITY.value
    elif request.method == "GET":
        form.unit_type.data = UnitType.SCHOOL.value
    if form.validate_on_submit():
        try:
            unit = services.create_child(
                db.session(), current_user, parent, UnitType(form.unit_type.data), _unit_data(form)
            )
        except services.UnitChangeError as error:
            _apply_change_error(form, error)
        else:
            db.session.commit()
            flash(_("The organisation has been created."), "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    return render_template("units/edit.html", form=form, parent=parent, unit=None)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit(unit_id: int) -> str | Response:
    unit = services.get_unit(db.session(), current_user, unit_id, Action.EDIT_UNIT)
    form = EditUnitForm(obj=unit)
    if request.method == "GET":
        form.parent_code.data = unit.parent.code if unit.parent else ""
    if form.validate_on_submit():
        try:
            services.update_unit(
                db.session(), current_user, unit, _unit_data(form), form.parent_code.data or None
            )
        except services.UnitChangeError as error:
            _apply_change_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    return render_template("units/edit.html", form=form, parent=unit.parent, unit=unit)


def _year_arg(unit: OrgUnit) -> int:
    year = request.args.get("year", type=id_value) or services.default_year(db.session(), unit)
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/<int:unit_id>/figures", methods=["GET", "POST"])
def figures(unit_id: int) -> str | Response:
    unit = services.get_unit(db.session(), current_user, unit_id, Action.VIEW_FIGURES)
    year = _year_arg(unit)
    editable = can(current_user, Action.EDIT_FIGURES, unit)
    stored = services.figures_of(db.session(), unit, year)
    form = FiguresForm(data={column_name(f, g): v for (f, g), v in stored.items()})
    problems: list[str] = []
    if request.method == "POST":
        if not editable:
            abort(403)
        if form.validate_on_submit():
            values = {
                (kind.key, grade): form[column_name(kind.key, grade)].data
                for kind in FIGURE_KINDS.values()
                for grade in kind.grades or (0,)
            }
            problems = services.save_figures(db.session(), current_user, unit, year, values)
            if not problems:
                db.session.commit()
                flash(_("Figures saved."), "success")
                return redirect(url_for("units.figures", unit_id=unit.id, year=year))
    return render_template(
        "units/figures.html",
        unit=unit,
        form=form,
        year=year,
        year_label=academic_year_label(year),
        years=sorted(set(services.years_with_figures(db.session(), unit)) | {year}, reverse=True),
        kinds=FIGURE_KINDS,
        column_name=column_name,
        editable=editable,
        problems=problems,
    )


TEMPLATES = {"units": units_template_csv, "figures": figures_template_csv}


@bp.route("/import", methods=["GET", "POST"])
def import_units_page() -> str | Response:
    """The file goes to a job (a big file takes a while); its page shows the report."""
    require_somewhere(current_user, Action.IMPORT_UNITS)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        job = start_units_import(
            db.session(),
            current_user,
            form.kind.data or "",
            upload.filename or "",
            upload.read(),
            dry_run=bool(form.dry_run.data),
            language=str(get_locale()),
        )
        return redirect(url_for("jobs.detail", job_id=job.id))
    return render_template("units/import.html", form=form)


@bp.get("/import/template-<kind>.csv")
def import_template(kind: str) -> Response:
    require_somewhere(current_user, Action.IMPORT_UNITS)
    if kind not in TEMPLATES:
        abort(404)
    return Response(
        TEMPLATES[kind](),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={kind}-template.csv"},
    )
