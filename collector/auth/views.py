"""Log in, log out, change one's password, reset a forgotten one by e-mail."""

from __future__ import annotations

from time import sleep

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from limits.storage import Storage
from werkzeug.wrappers import Response

from collector.auth import reset, services, throttle
from collector.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from collector.extensions import db, limiter, login_manager
from collector.i18n import mark_for_translation
from collector.models import User, UserSession
from collector.models.base import utcnow
from collector.routing import safe_next_url

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"

# The cookie session's key naming the server-side session record (UserSession.id).
SESSION_ID_KEY = "session_id"
# What survives a new session at login and the end of one at logout: the chosen language.
_KEPT_ACROSS_SESSIONS = ("lang",)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # Flask-Login keeps "id:session_version" (User.get_id); the record id sits beside it.
    # A remember-me cookie carries no record id, so it cannot bring an ended session back.
    raw_id, _sep, version = user_id.partition(":")
    session_id = session.get(SESSION_ID_KEY)
    if not raw_id.isdigit() or not version.isdigit() or not isinstance(session_id, str):
        return None
    record = services.live_session(
        db.session(),
        session_id,
        user_id=int(raw_id),
        session_version=int(version),
        lifetime=current_app.permanent_session_lifetime,
    )
    if record is None:
        return None
    g.user_session = record
    return record.user


login_manager.login_message = mark_for_translation("Log in to open this page.")
login_manager.localize_callback = _


@bp.before_app_request
def note_session_seen() -> None:
    """Refreshes the session's last-seen time every few minutes (not on every request). At
    the start of a request nothing else is pending, so committing here commits only this."""
    # Survey links are answered without an account: their requests load no user.
    if request.endpoint == "static" or request.blueprint == "surveys":
        return
    if not current_user.is_authenticated:
        return
    record: UserSession | None = g.get("user_session")
    now = utcnow()
    interval = current_app.config["SESSION_SEEN_EVERY"]
    if record is not None and now - record.last_seen_at >= interval:
        record.last_seen_at = now
        db.session.commit()


def _renew_cookie_session() -> None:
    """Empties the cookie session (the CSRF token, anything set before) but the language."""
    kept = {key: session[key] for key in _KEPT_ACROSS_SESSIONS if key in session}
    session.clear()
    session.update(kept)


def _log_in(user: User) -> None:
    """A new session: a new cookie session (so a CSRF token or anything else planted before
    login is gone) and a new server-side record."""
    _renew_cookie_session()
    session_id = services.start_session(db.session(), user, current_app.permanent_session_lifetime)
    db.session.commit()
    session[SESSION_ID_KEY] = session_id
    login_user(user)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_address_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT"])


def _typed_login() -> str:
    return services.normalise_username(request.form.get("username", ""))[:120]


def _account_address_key() -> str:
    # One account from one address: a guesser there is stopped, the owner elsewhere is not.
    return f"login:{get_remote_address()}:{_typed_login()}"


def _failure_store() -> Storage:
    """Where an account's failures are counted: the limiter's store, or while that (Redis)
    is down, the memory of this process, as the limits are then."""
    return limiter.limiter.storage


def _slow_down_guessing(login: str) -> None:
    """The per-account brake (collector.auth.throttle): a bounded wait, never a refusal."""
    if not limiter.enabled or not login:
        return
    config = current_app.config
    failed = throttle.failures(_failure_store(), config.get("RATELIMIT_KEY_PREFIX", ""), login)
    wait = throttle.delay_seconds(
        failed,
        free=config["LOGIN_ACCOUNT_FREE_FAILURES"],
        first=config["LOGIN_ACCOUNT_FIRST_DELAY_SECONDS"],
        cap=config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"],
    )
    if wait > 0:
        sleep(wait)


def _note_login_outcome(login: str, succeeded: bool) -> None:
    if not limiter.enabled or not login:
        return
    config = current_app.config
    prefix = config.get("RATELIMIT_KEY_PREFIX", "")
    if succeeded:
        throttle.forget_failures(_failure_store(), prefix, login)
    else:
        window = int(config["LOGIN_ACCOUNT_FAILURE_WINDOW"].total_seconds())
        throttle.record_failure(_failure_store(), prefix, login, window)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_address_limit, methods=["POST"], key_func=_account_address_key)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        login_name = services.normalise_username(form.username.data or "")
        _slow_down_guessing(login_name)
        user = services.authenticate(db.session(), login_name, form.password.data or "")
        _note_login_outcome(login_name, succeeded=user is not None)
        if user is not None:
            _log_in(user)
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
        flash(_("Wrong login or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    session_id = session.get(SESSION_ID_KEY)
    if isinstance(session_id, str):
        services.end_session(db.session(), session_id)
        db.session.commit()
    logout_user()
    _renew_cookie_session()
    response = redirect(url_for("auth.login"))
    # The copies of unsaved answers this browser kept go too (logout.js clears them on the
    # way out; browsers that know this header clear the site's storage as well).
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        new_password = form.new_password.data or ""
        problem = services.password_problem(new_password, user.username)
        if not user.check_password(form.current_password.data or ""):
            form.current_password.errors = [
                *form.current_password.errors,
                _("The current password is wrong."),
            ]
        elif problem is not None:
            form.new_password.errors = [*form.new_password.errors, problem]
        else:
            old_session = session.get(SESSION_ID_KEY)
            if isinstance(old_session, str):
                services.end_session(db.session(), old_session)
            user.set_password(new_password)
            db.session.commit()
            # The version bump ended every session of the user; this browser gets a new one.
            _log_in(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


def _reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_RATE_LIMIT"])


def _reset_account_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"])


def _typed_address_key() -> str:
    # One mailbox is sent a few links an hour, whoever asks and from wherever.
    typed = services.normalise_username(request.form.get("address", ""))[:254]
    return f"reset:{typed}"


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_account_limit, methods=["POST"], key_func=_typed_address_key)
def forgot_password() -> str | Response:
    """Asks for an address or a login and answers the same whether an account has it."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.queue_reset_mail(db.session(), form.address.data or "")
        flash(
            _(
                "If an account has this address or login, a link to set a new password has "
                "been sent to its e-mail address. The link works for an hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route(reset.RESET_PATH + "<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str) -> Response:
    user = reset.user_for_token(db.session(), token, _secret())
    if user is None:
        page = render_template("auth/reset.html", form=None)
        return _no_referrer(page, 400)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        new_password = form.new_password.data or ""
        problem = services.password_problem(new_password, user.username)
        if problem is not None:
            form.new_password.errors = [*form.new_password.errors, problem]
        else:
            reset.reset_password(db.session(), user, new_password)
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
                _renew_cookie_session()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return _no_referrer(render_template("auth/reset.html", form=form), 200)


def _no_referrer(page: str, status: int) -> Response:
    """The token is in the address: no link on the page passes it on."""
    response = current_app.make_response((page, status))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
