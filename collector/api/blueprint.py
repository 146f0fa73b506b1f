"""The JSON API's blueprints (/api/v1) on flask-smorest: one per module of routes
(ApiBlueprint), registered by the app factory under a root made for each app (init_app).
Each route declares its arguments and answers as marshmallow schemas
(collector.api.schemas), and the OpenAPI 3.1 description is generated from them.
Authenticated by personal access tokens only (a browser's cookie counts for nothing here);
every error is RFC 9457 problem details, with field paths for refused values.

flask-smorest was chosen over APIFlask because it plugs into the existing app factory as
an extension (APIFlask wants its own app class) and its Blueprint is Flask's, so the
blueprints keep their own error handlers and Flask-Login stays out of it."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from flask import g, jsonify
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from collector.api import tokens
from collector.api.problems import ApiProblem, FieldError
from collector.api.routes import API_PREFIX, PROBLEM
from collector.api.schemas import ProblemSchema
from collector.errors import ActionForbidden, NotInScope
from collector.extensions import csrf, db, limiter
from collector.models import ApiToken
from collector.routing import LARGEST_ID, BoundedIntegerConverter

F = TypeVar("F", bound=Callable[..., Any])

# The root blueprint's name: every API endpoint is "api.<part>.<route>".
ROOT = "api"
# Set on a view that reads a file: its body may be API_MAX_UPLOAD_BYTES rather than
# API_MAX_BODY_BYTES (collector.api.views.identify).
UPLOAD_MARK = "api_takes_file"


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


class _BoundedJsonParser(FlaskParser):
    """webargs' parser, with a body nested past what the decoder recurses through refused
    as invalid JSON (a 400) rather than a RecursionError (a 500), and a "multipart"
    location: a multipart/form-data body's fields and files read by one schema (an upload
    and the values sent beside it are one request body in OpenAPI)."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", doc="(too deep)", pos=0) from None

    def load_multipart(self, req: Any, schema: Any) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


_ERRORS = {
    400: "The request is malformed (problem details name the field)",
    401: "No token, or one that is unknown, expired or revoked",
    403: "The token's scope or its user's role does not allow this",
    404: "Not found, or not the user's to see",
    409: "The request conflicts with the stored state",
    413: "The body is larger than this route accepts",
    422: "Refused by the form's rules or checks (problem details name each field)",
    429: "Too many requests for this token",
}


class ApiBlueprint(Blueprint):
    """One part of the JSON API (one module of routes). The app factory registers each
    under the API's root blueprint (init_app), which gives them all the prefix, the
    token, one rate allowance per token and problem details for every error; each part's
    operations are tagged with its name in the description."""

    ARGUMENTS_PARSER = _BoundedJsonParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(
        self, name: str, import_name: str, *, description: str, url_prefix: str | None = None
    ) -> None:
        super().__init__(name, import_name, description=description, url_prefix=url_prefix)

    def route(
        self,
        rule: str,
        *,
        parameters: Iterable[Any] | None = None,
        tags: Iterable[str] | None = None,
        **options: Any,
    ) -> Callable[[F], F]:
        decorate: Callable[[F], F] = super().route(
            rule, parameters=parameters, tags=tags or [self.name], **options
        )
        return decorate

    def problems(self, *codes: int) -> Callable[[F], F]:
        """Describes the problem details a route may answer with."""

        def decorate(view: F) -> F:
            for code in codes:
                view = self.alt_response(
                    code, schema=ProblemSchema, content_type=PROBLEM, description=_ERRORS[code]
                )(view)
            return view

        return decorate

    def takes_file(self, view: F) -> F:
        """A route whose body is a file (multipart/form-data): bounded by
        API_MAX_UPLOAD_BYTES, refused past it with 413 problem details."""
        setattr(view, UPLOAD_MARK, True)
        described: F = self.problems(413)(view)
        return described

    def authenticated(
        self, *, writes: bool = False, codes: Sequence[int] = (404,)
    ) -> Callable[[F], F]:
        """A route for a token (a read token is refused those that write), with its
        problem responses described."""

        def decorate(view: F) -> F:
            @functools.wraps(view)
            def run(*args: Any, **values: Any) -> Any:
                token = acting_token()
                if writes and not tokens.may_write(token):
                    raise ApiProblem(
                        403,
                        _("Access denied"),
                        _("This token may only read; make one that writes."),
                    )
                return view(*args, **values)

            described = self.problems(401, 403, 429, *codes)(run)
            if writes:
                described = self.doc(**{"x-scope": "write"})(described)
            return described  # type: ignore[return-value]

        return decorate


def init_app(
    app: Any,
    parts: Sequence[ApiBlueprint],
    *,
    identify: Callable[[], None],
    rate_limit: Callable[[], str],
    rate_key: Callable[[], str],
) -> None:
    """Binds the description to the app and registers the API's parts in it, under a
    root blueprint made for this app (/api/v1): `identify` reads the request's token
    before each request; one allowance of `rate_limit` per `rate_key` (the token) spans
    every part."""
    app.config.setdefault("API_TITLE", "Collector API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Campaigns, their responses and indicators, units, forms, "
                "registries, imports and jobs, as a personal access token's user sees them "
                "on the pages. Errors are RFC 9457 problem details (application/problem+json)."
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
    root = ApiBlueprint(ROOT, __name__, description="Collector's JSON API", url_prefix=API_PREFIX)
    root.register_error_handler(ApiProblem, problem_response)
    root.register_error_handler(NotInScope, not_in_scope)
    root.register_error_handler(ActionForbidden, forbidden_action)
    root.register_error_handler(HTTPException, http_error)
    root.before_request(identify)
    limiter.shared_limit(rate_limit, scope=ROOT, key_func=rate_key)(root)
    for part in parts:
        # Bearer tokens only, never the cookie: no CSRF here.
        csrf.exempt(part)
        root.register_blueprint(part)
    api_spec.register_blueprint(root)
    for part in parts:
        api_spec.spec.tag({"name": part.name, "description": part.description})
    # collector.errors answers an error under /api/ with this (an unknown address or a
    # method not allowed is refused before the blueprint is known).
    app.extensions["api_problem"] = lambda error: problem_response(http_problem(error))


def openapi_document() -> dict[str, Any]:
    """The generated OpenAPI 3.1 description of the app's API."""
    document: dict[str, Any] = api_spec.spec.to_dict()
    return document


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


# --- errors -------------------------------------------------------------------------------


def problem_response(problem: ApiProblem) -> Response:
    response = jsonify(problem.body())
    response.status_code = problem.status
    response.mimetype = PROBLEM
    response.headers.update(problem.headers)
    return response


def not_in_scope(_error: NotInScope) -> Response:
    return problem_response(not_found())


def forbidden_action(_error: ActionForbidden) -> Response:
    return problem_response(
        ApiProblem(403, _("Access denied"), _("Your role does not allow this action."))
    )


def not_found() -> ApiProblem:
    return ApiProblem(404, _("Not found"), _("There is no such page, or it is not yours to see."))


# webargs' locations as the paths of problem details name them.
_LOCATIONS = {"json": "body", "multipart": "body", "headers": "header", "query": "query"}


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
        503: (
            _("The service is briefly unavailable"),
            _("The database does not answer. Send the request again in a minute."),
        ),
    }
    title, detail = messages.get(code, (_("Error"), _("The request could not be served.")))
    headers = {"Retry-After": "60"} if code == 429 else {}
    retry_after = getattr(error, "retry_after", None)
    if code == 503:
        headers["Retry-After"] = str(retry_after) if isinstance(retry_after, int) else "60"
    valid = getattr(error, "valid_methods", None)
    if code == 405 and valid:
        headers["Allow"] = ", ".join(valid)
    return ApiProblem(code, title, detail, headers=headers)


def http_error(error: HTTPException) -> Response:
    return problem_response(http_problem(error))
