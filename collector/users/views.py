"""Accounts and roles: list, create, edit, grant and revoke, within one's scope."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import Form

from collector.auth.permissions import Action
from collector.auth.services import require_somewhere
from collector.extensions import db
from collector.models import OrgUnit, Role
from collector.routing import id_value
from collector.units.services import get_unit
from collector.users import services
from collector.users.forms import EditUserForm, GrantRoleForm, NewUserForm, ResetPasswordForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.before_request
@login_required
def _require_manager() -> None:
    require_somewhere(current_user, Action.MANAGE_USERS)


@bp.get("/")
def index() -> str:
    unit: OrgUnit | None = None
    unit_id = request.args.get("unit", type=id_value)
    if unit_id:
        unit = get_unit(db.session(), current_user, unit_id, Action.MANAGE_USERS)
    search = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=id_value), 1)
    users = db.paginate(
        services.manageable_users(current_user, search, unit),
        page=page,
        per_page=services.PAGE_SIZE,
        error_out=False,
    )
    return render_template("users/index.html", users=users, search=search, unit=unit)


def _add_error(form: Form, error: services.UserChangeError) -> None:
    """Show a refused change beside its field (a field's errors are a tuple until the
    form is validated, so they are replaced, not appended to)."""
    field = form[error.field]
    field.errors = [*field.errors, str(error)]


def _resolve_unit(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = services.unit_by_code(db.session(), code)
    if unit is None:
        raise services.UserChangeError(
            "unit_code", _("No organisation with this code in your scope.")
        )
    return unit


@bp.route("/new", methods=["GET", "POST"])
def create() -> str | Response:
    form = NewUserForm()
    form.set_role_choices(services.grantable_roles(current_user))
    unit_id = request.args.get("unit", type=id_value)
    if request.method == "GET" and unit_id:
        unit = get_unit(db.session(), current_user, unit_id, Action.MANAGE_USERS)
        form.unit_code.data = unit.code
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session(),
                current_user,
                username=form.username.data or "",
                full_name=form.full_name.data or "",
                email=form.email.data,
                password=form.password.data or "",
                role=Role(form.role.data),
                unit=_resolve_unit(form.unit_code.data),
            )
        except services.UserChangeError as error:
            db.session.rollback()
            _add_error(form, error)
        else:
            db.session.commit()
            flash(_("The account has been created."), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int) -> str | Response:
    user = services.get_user(db.session(), current_user, user_id)
    form = EditUserForm(obj=user, prefix="account")
    if request.method == "GET":
        form.is_active.data = user.is_active_account
    grant_form = GrantRoleForm(prefix="grant")
    grant_form.set_role_choices(services.grantable_roles(current_user))
    password_form = ResetPasswordForm(prefix="password")
    forms = {"account": form, "grant": grant_form, "password": password_form}
    submitted = request.form.get("which") if request.method == "POST" else None
    target = forms.get(submitted or "")
    if target is not None and target.validate_on_submit():
        try:
            if target is form:
                services.update_user(
                    db.session(),
                    current_user,
                    user,
                    full_name=form.full_name.data or "",
                    email=form.email.data,
                    is_active=bool(form.is_active.data),
                )
                message = _("Changes saved.")
            elif target is grant_form:
                services.grant_role(
                    db.session(),
                    current_user,
                    user,
                    Role(grant_form.role.data),
                    _resolve_unit(grant_form.unit_code.data),
                )
                message = _("The role has been granted.")
            else:
                services.reset_password(
                    db.session(), current_user, user, password_form.new_password.data or ""
                )
                message = _("The password has been changed; the user's sessions have ended.")
        except services.UserChangeError as error:
            db.session.rollback()
            _add_error(target, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template(
        "users/edit.html", user=user, form=form, grant_form=grant_form, password_form=password_form
    )


@bp.post("/<int:user_id>/roles/<int:assignment_id>/revoke")
def revoke(user_id: int, assignment_id: int) -> Response:
    user = services.get_user(db.session(), current_user, user_id)
    try:
        services.revoke_role(db.session(), current_user, user, assignment_id)
    except services.UserChangeError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The role has been taken away."), "success")
        if not services.may_manage(current_user, user):
            # The last role within the actor's reach is gone: the account is not theirs now.
            return redirect(url_for("users.index"))
    return redirect(url_for("users.edit", user_id=user_id))
