"""The JSON API (/api/v1), authenticated by personal access tokens only (a browser's
cookie counts for nothing here), and the page where a user makes and revokes tokens.

The API's rules come from collector.api.routes.ROUTES (the table its OpenAPI description
is made from); every error of the blueprint is answered as problem details."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from collector.api import resources, tokens
from collector.api.forms import NewTokenForm
from collector.api.problems import ApiProblem, FieldError
from collector.api.routes import API_PREFIX, PROBLEM, ROUTES, Route, openapi_document
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db, limiter
from collector.models import ApiToken, TokenScope
from collector.reports.services import Basis
from collector.routing import id_value

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


# --- authentication -----------------------------------------------------------------------


def _bearer_secret() -> str | None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def _request_token() -> ApiToken | None:
    """The live token the request carries (looked up once per request), or None."""
    if "api_token" not in g:
        secret = _bearer_secret()
        g.api_token = tokens.authenticate_token(db.session(), secret) if secret else None
    token: ApiToken | None = g.api_token
    return token


def rate_key() -> str:
    """Flask-Limiter's key: the token, so each token has its own allowance (requests
    without a live token share their address's)."""
    token = _request_token()
    return f"api-token:{token.id}" if token is not None else f"api-address:{get_remote_address()}"


def _rate_limit() -> str:
    limit: str = current_app.config["API_RATE_LIMIT"]
    return limit


limiter.limit(_rate_limit, key_func=rate_key)(bp)


def _acting_token() -> ApiToken:
    token = _request_token()
    if token is None:
        refused = _("The token is unknown, expired or revoked.")
        raise ApiProblem(
            401,
            _("Authentication required"),
            refused
            if _bearer_secret()
            else _("Send a personal access token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="collector"'},
        )
    if db.session.dirty:
        db.session.commit()  # the token's last use; nothing else is pending yet
    return token


def _guarded(route: Route, view: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(view)
    def run(**values: Any) -> Response:
        if route.authenticated:
            token = _acting_token()
            if route.writes and not tokens.may_write(token):
                raise ApiProblem(
                    403, _("Access denied"), _("This token may only read; make one that writes.")
                )
        return view(**values)

    return run


# --- errors -------------------------------------------------------------------------------


def _problem(problem: ApiProblem) -> Response:
    response = jsonify(problem.body())
    response.status_code = problem.status
    response.mimetype = PROBLEM
    response.headers.update(problem.headers)
    return response


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem) -> Response:
    return _problem(error)


@bp.errorhandler(NotInScope)
def not_in_scope(_error: NotInScope) -> Response:
    return _problem(
        ApiProblem(404, _("Not found"), _("There is no such page, or it is not yours to see."))
    )


@bp.errorhandler(ActionForbidden)
def forbidden_action(_error: ActionForbidden) -> Response:
    return _problem(ApiProblem(403, _("Access denied"), _("Your role does not allow this action.")))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    code = error.code or 500
    messages = {
        403: (_("Access denied"), _("Your role does not allow this action.")),
        404: (_("Not found"), _("There is no such page, or it is not yours to see.")),
        405: (_("Error"), _("The request could not be served.")),
        429: (_("Too many attempts"), _("Too many attempts. Wait a minute and try again.")),
    }
    title, detail = messages.get(code, (_("Error"), _("The request could not be served.")))
    headers = {"Retry-After": "60"} if code == 429 else {}
    return _problem(ApiProblem(code, title, detail, headers=headers))


# --- parameters ---------------------------------------------------------------------------


def _query_id(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return id_value(raw)
    except ValueError:
        raise ApiProblem(
            400,
            _("Invalid request"),
            _("A parameter has a value that is not accepted."),
            errors=[FieldError(f"query.{name}", _("A positive whole number is expected."))],
        ) from None


def _query_basis() -> Basis:
    raw = request.args.get("basis", Basis.ACCEPTED.value)
    try:
        return Basis(raw)
    except ValueError:
        choices = ", ".join(b.value for b in Basis)
        raise ApiProblem(
            400,
            _("Invalid request"),
            _("A parameter has a value that is not accepted."),
            errors=[FieldError("query.basis", _("One of: %(choices)s.", choices=choices))],
        ) from None


# --- resources ----------------------------------------------------------------------------


def openapi() -> Response:
    return jsonify(openapi_document(current_app.config.get("API_VERSION", "1.0.0")))


def me() -> Response:
    return jsonify(resources.me(_acting_token()))


def campaigns() -> Response:
    user = _acting_token().user
    found = resources.campaigns_of(db.session(), user)
    return jsonify({"campaigns": [resources.campaign_summary(c) for c in found]})


def campaign(campaign_id: int) -> Response:
    return jsonify(resources.campaign_detail(db.session(), _acting_token().user, campaign_id))


def indicators(campaign_id: int) -> Response:
    unit_id, basis = _query_id("unit"), _query_basis()
    found = resources.indicators(
        db.session(), _acting_token().user, campaign_id, unit_id, basis, str(get_locale())
    )
    return jsonify(found)


def form_version(form_id: str, number: int) -> Response:
    return jsonify(resources.form_version(db.session(), _acting_token().user, form_id, number))


def revoke_token(token_id: int) -> Response:
    revoked = tokens.revoke_token(db.session(), _acting_token().user, token_id)
    db.session.commit()
    assert revoked.revoked_at is not None
    return jsonify({"id": revoked.id, "revoked_at": revoked.revoked_at.isoformat()})


_VIEWS: dict[str, Callable[..., Response]] = {
    "openapi": openapi,
    "me": me,
    "campaigns": campaigns,
    "campaign": campaign,
    "indicators": indicators,
    "form_version": form_version,
    "revoke_token": revoke_token,
}

for _route in ROUTES:
    bp.add_url_rule(
        _route.rule,
        _route.endpoint,
        _guarded(_route, _VIEWS[_route.endpoint]),
        methods=[_route.method],
    )


# --- the tokens page ----------------------------------------------------------------------

tokens_bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@tokens_bp.before_request
@login_required
def _require_login() -> None:
    pass


@tokens_bp.route("/", methods=["GET", "POST"])
def index() -> str:
    """The user's tokens; a new one's secret is shown on the page that made it, once."""
    form = NewTokenForm()
    made: tokens.NewToken | None = None
    if form.validate_on_submit():
        try:
            made = tokens.create_token(
                db.session(),
                current_user,
                form.name.data or "",
                TokenScope(form.scope.data),
                int(form.days.data or 0),
            )
        except tokens.TokenError as error:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        else:
            db.session.commit()
            form = NewTokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        made=made,
        tokens=tokens.tokens_of(db.session(), current_user),
        is_live=tokens.is_live,
    )


@tokens_bp.post("/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    token = tokens.revoke_token(db.session(), current_user, token_id)
    db.session.commit()
    flash(_("Token «%(name)s» is revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
