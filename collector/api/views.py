"""The JSON API's routes (/api/v1) and the page where a user makes and revokes tokens.

Each route declares its arguments and answers (collector.api.schemas) on its part's
flask-smorest blueprint (collector.api.blueprint.ApiBlueprint), which makes the OpenAPI
3.1 description from them; the routes read and write through the same services, and so
the same permission checks, as the pages. Reading the token from the request (identify,
rate_key) is here too: the app factory hands it to the API's root blueprint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

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
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from collector.api import resources, schemas, tokens
from collector.api.blueprint import UPLOAD_MARK, ApiBlueprint, acting_token, openapi_document
from collector.api.forms import NewTokenForm
from collector.extensions import db
from collector.models import ApiToken, TokenScope
from collector.reports.services import Basis

F = TypeVar("F", bound=Callable[..., Any])


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
    try:
        token = _request_token()
    except SQLAlchemyError:
        # The database failed. Raised here, Flask-Limiter would take it for its own store
        # failing and count in memory for a while. identify() asks again next: the request
        # is answered 503, or served if the database is back (counted by address, once).
        _let_the_transaction_go()
        token = None
    return f"api-token:{token.id}" if token is not None else f"api-address:{get_remote_address()}"


def _let_the_transaction_go() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool makes a new one


def rate_limit() -> str:
    """Requests each token may make (API_RATE_LIMIT), across the whole API."""
    limit: str = current_app.config["API_RATE_LIMIT"]
    return limit


def identify() -> None:
    """The token (or none) the request carries, for collector.api.blueprint.acting_token;
    a body past API_MAX_BODY_BYTES (API_MAX_UPLOAD_BYTES for a route that takes a file)
    is refused (413) before it is read."""
    view = current_app.view_functions.get(request.endpoint or "")
    takes_file = getattr(view, UPLOAD_MARK, False)
    limit = "API_MAX_UPLOAD_BYTES" if takes_file else "API_MAX_BODY_BYTES"
    request.max_content_length = current_app.config[limit]
    _request_token()
    g.api_bearer_sent = _bearer_secret() is not None


# --- resources ----------------------------------------------------------------------------

bp = ApiBlueprint(
    "core",
    __name__,
    description="This description, the token's user, campaigns, their indicators and forms",
)


@bp.route("/openapi.json", methods=["GET"])
@bp.doc(security=[], summary="This description (OpenAPI 3.1)")
@bp.response(200, description="The OpenAPI 3.1 description of this API")
@bp.problems(429)
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.route("/docs", methods=["GET"])
@bp.doc(security=[], summary="This description as a page to read")
@bp.response(200, content_type="text/html", description="An HTML page")
@bp.problems(429)
def docs() -> str:
    return render_template("api/docs.html", document=openapi_document())


@bp.route("/me", methods=["GET"])
@bp.authenticated(codes=())
@bp.doc(summary="The token's user, their roles and the token")
@bp.response(200, schemas.MeSchema)
def me() -> dict[str, Any]:
    return resources.me(acting_token())


@bp.route("/campaigns", methods=["GET"])
@bp.authenticated(codes=())
@bp.doc(summary="Campaigns the user reviews or answers, newest first")
@bp.response(200, schemas.CampaignListSchema)
def campaigns() -> dict[str, Any]:
    found = resources.campaigns_of(db.session(), acting_token().user)
    return {"campaigns": [resources.campaign_summary(c) for c in found]}


@bp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@bp.authenticated()
@bp.doc(summary="A campaign: its state, deadlines and completeness by level")
@bp.response(200, schemas.CampaignSchema)
def campaign(campaign_id: int) -> dict[str, Any]:
    return resources.campaign_detail(db.session(), acting_token().user, campaign_id)


@bp.route("/campaigns/<int:campaign_id>/indicators", methods=["GET"])
@bp.authenticated(codes=(400, 404))
@bp.doc(summary="The campaign's indicator values at a unit, with coverage and targets")
@bp.arguments(schemas.IndicatorQuerySchema, location="query", error_status_code=400)
@bp.response(200, schemas.IndicatorsSchema)
def indicators(query: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    return resources.indicators(
        db.session(),
        acting_token().user,
        campaign_id,
        query.get("unit"),
        Basis(query["basis"]),
        str(get_locale()),
    )


@bp.route("/forms/<form_id>/versions/<int:number>", methods=["GET"])
@bp.authenticated()
@bp.doc(summary="A published form version and its JSON schema document")
@bp.response(200, schemas.FormVersionSchema)
def form_version(form_id: str, number: int) -> dict[str, Any]:
    return resources.form_version(db.session(), acting_token().user, form_id[:64], number)


@bp.route("/tokens/<int:token_id>", methods=["DELETE"])
@bp.authenticated(writes=True)
@bp.doc(summary="Revoke one of the user's own tokens (write scope)")
@bp.response(200, schemas.RevokedSchema)
def revoke_token(token_id: int) -> dict[str, Any]:
    revoked = tokens.revoke_token(db.session(), acting_token().user, token_id)
    db.session.commit()
    return {"id": revoked.id, "revoked_at": revoked.revoked_at}


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
