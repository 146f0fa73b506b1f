"""The JSON API's blueprint (/api/v1) on flask-smorest: each route declares its arguments
and answers as marshmallow schemas (collector.api.schemas), and the OpenAPI 3.1
description is generated from them. Authenticated by personal access tokens only (a
browser's cookie counts for nothing here); every error is RFC 9457 problem details, with
field paths for refused values.

flask-smorest was chosen over APIFlask because it plugs into the existing app factory as
an extension (APIFlask wants its own app class) and its Blueprint is Flask's, so the
blueprint keeps its own error handlers and Flask-Login stays out of it."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import g, jsonify
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from collector.api import tokens
from collector.api.problems import ApiProblem, FieldError
from collector.api.routes import API_PREFIX, PROBLEM
from collector.api.schemas import ProblemSchema
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import db
from collector.models import ApiToken
from collector.routing import LARGEST_ID, BoundedIntegerConverter

F = TypeVar("F", bound=Callable[..., Any])


class CollectorApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler: the pages keep their
    HTML error pages, and the API's errors are the blueprint's problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        # The "default" answer of every operation: problem details, as they are served.
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Problem details (RFC 9457)",
                "content": {PROBLEM: {"schema": ProblemSchema}},
            },
            lazy=True,
        )


api_spec = CollectorApi()


def init_app(app: Any) -> None:
    """Binds the description to the app and registers the blueprint in it."""
    app.config.setdefault("API_TITLE", "Collector API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Campaigns, their responses and indicators, units, forms, "
                "registries and jobs, as a personal access token's user sees them on the "
                "pages. Errors are RFC 9457 problem details (application/problem+json)."
            },
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "security": [{"token": []}],
        },
    )
    api_spec.init_app(app)
    api_spec.spec.components.security_scheme(
        "token",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (made on the Tokens page)",
        },
    )
    api_spec.register_converter(
        BoundedIntegerConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
    )
    api_spec.register_blueprint(bp)
    # collector.errors answers an error under /api/ with this (an unknown address or a
    # method not allowed is refused before the blueprint is known).
    app.extensions["api_problem"] = lambda error: problem_response(http_problem(error))


def openapi_document() -> dict[str, Any]:
    """The generated OpenAPI 3.1 description of the app's API."""
    document: dict[str, Any] = api_spec.spec.to_dict()
    return document


class _BoundedJsonParser(FlaskParser):
    """webargs' parser, with a body nested past what the decoder recurses through refused
    as invalid JSON (a 400) rather than a RecursionError (a 500)."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", doc="(too deep)", pos=0) from None


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _BoundedJsonParser()


bp = _Blueprint(
    "api",
    __name__,
    url_prefix=API_PREFIX,
    description="Collector's JSON API",
)


_ERRORS = {
    400: "The request is malformed (problem details name the field)",
    401: "No token, or one that is unknown, expired or revoked",
    403: "The token's scope or its user's role does not allow this",
    404: "Not found, or not the user's to see",
    409: "The request conflicts with the stored state",
    422: "Refused by the form's rules or checks (problem details name each field)",
    429: "Too many requests for this token",
}


def problems(*codes: int) -> Callable[[F], F]:
    """Describes the problem details a route may answer with."""

    def decorate(view: F) -> F:
        for code in codes:
            view = bp.alt_response(
                code, schema=ProblemSchema, content_type=PROBLEM, description=_ERRORS[code]
            )(view)
        return view

    return decorate


# --- authentication (the token is read from the request by collector.api.views) ----------


def acting_token() -> ApiToken:
    """The request's live token; 401 problem details without one."""
    token: ApiToken | None = g.get("api_token")
    if token is None:
        refused = _("The token is unknown, expired or revoked.")
        raise ApiProblem(
            401,
            _("Authentication required"),
            refused
            if g.get("api_bearer_sent")
            else _("Send a personal access token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="collector"'},
        )
    if db.session.dirty:
        db.session.commit()  # the token's last use; nothing else is pending yet
    return token


def authenticated(*, writes: bool = False, codes: Sequence[int] = (404,)) -> Callable[[F], F]:
    """A route for a token (a read token is refused those that write), with its problem
    responses described."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def run(*args: Any, **values: Any) -> Any:
            token = acting_token()
            if writes and not tokens.may_write(token):
                raise ApiProblem(
                    403, _("Access denied"), _("This token may only read; make one that writes.")
                )
            return view(*args, **values)

        described = problems(401, 403, 429, *codes)(run)
        if writes:
            described = bp.doc(**{"x-scope": "write"})(described)
        return described  # type: ignore[return-value]

    return decorate


# --- errors -------------------------------------------------------------------------------


def problem_response(problem: ApiProblem) -> Response:
    response = jsonify(problem.body())
    response.status_code = problem.status
    response.mimetype = PROBLEM
    response.headers.update(problem.headers)
    return response


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem) -> Response:
    return problem_response(error)


@bp.errorhandler(NotInScope)
def not_in_scope(_error: NotInScope) -> Response:
    return problem_response(not_found())


@bp.errorhandler(ActionForbidden)
def forbidden_action(_error: ActionForbidden) -> Response:
    return problem_response(
        ApiProblem(403, _("Access denied"), _("Your role does not allow this action."))
    )


def not_found() -> ApiProblem:
    return ApiProblem(404, _("Not found"), _("There is no such page, or it is not yours to see."))


# webargs' locations as the paths of problem details name them.
_LOCATIONS = {"json": "body", "headers": "header", "query": "query"}


def _field_errors(messages: Any, path: str) -> list[FieldError]:
    """webargs' nested messages ({"query": {"unit": ["…"]}}) as paths and messages."""
    if isinstance(messages, Mapping):
        found: list[FieldError] = []
        for key, inner in messages.items():
            name = str(key) if path else _LOCATIONS.get(str(key), str(key))
            found += _field_errors(inner, f"{path}.{name}" if path else name)
        return found
    if isinstance(messages, list | tuple):
        if all(not isinstance(m, Mapping | list | tuple) for m in messages):
            return [FieldError(path, str(m)) for m in messages]
        found = []
        for m in messages:
            found += _field_errors(m, path)
        return found
    return [FieldError(path, str(messages))]


def http_problem(error: HTTPException) -> ApiProblem:
    """Any HTTP error under /api/ as problem details (also those raised before the
    blueprint is known: an unknown address, a method not allowed)."""
    code = error.code or 500
    data = getattr(error, "data", None)
    if isinstance(data, Mapping) and "messages" in data:
        return ApiProblem(
            code,
            _("Invalid request"),
            _("A parameter has a value that is not accepted."),
            errors=_field_errors(data["messages"], ""),
        )
    messages = {
        403: (_("Access denied"), _("Your role does not allow this action.")),
        404: (_("Not found"), _("There is no such page, or it is not yours to see.")),
        413: (_("File too large"), _("The file is larger than the server accepts.")),
        429: (_("Too many attempts"), _("Too many attempts. Wait a minute and try again.")),
        500: (_("Something went wrong"), _("The error has been logged. Try again later.")),
    }
    title, detail = messages.get(code, (_("Error"), _("The request could not be served.")))
    headers = {"Retry-After": "60"} if code == 429 else {}
    valid = getattr(error, "valid_methods", None)
    if code == 405 and valid:
        headers["Allow"] = ", ".join(valid)
    return ApiProblem(code, title, detail, headers=headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    return problem_response(http_problem(error))
