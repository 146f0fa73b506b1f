"""Log in, log out, change one's password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from collector.auth import services
from collector.auth.forms import LoginForm, PasswordChangeForm
from collector.extensions import db, limiter, login_manager
from collector.i18n import mark_for_translation
from collector.models import User
from collector.web import safe_next_url

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    raw_id, _sep, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version):
        return None
    return user


login_manager.login_message = mark_for_translation("Log in to open this page.")
login_manager.localize_callback = _


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_name_key() -> str:
    # A second counter per login name, so guessing one account from many addresses is
    # limited too.
    return "login:" + services.normalise_username(request.form.get("username", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_name_key)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.username.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
        flash(_("Wrong login or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        new_password = form.new_password.data or ""
        problem = services.password_problem(new_password, user.username)
        if not user.check_password(form.current_password.data or ""):
            form.current_password.errors.append(_("The current password is wrong."))
        elif problem is not None:
            form.new_password.errors.append(problem)
        else:
            user.set_password(new_password)
            db.session.commit()
            # The session version changed; log in again under the new one in this browser.
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)
