"""The one table of the API's routes. The blueprint registers its rules from it and the
OpenAPI 3.1 description is made from it, so a route cannot be served undescribed: each
declares its Flask rule, method, summary, parameters, the schema of its answer and
whether it writes (a read token is refused those)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

API_PREFIX = "/api/v1"
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    schema: dict[str, Any]
    required: bool = False


@dataclass(frozen=True)
class Route:
    endpoint: str  # the view's name in the blueprint ("api.<endpoint>")
    method: str
    rule: str  # a Flask rule, below API_PREFIX
    summary: str
    response: str  # a schema name in SCHEMAS
    status: int = 200
    writes: bool = False
    query: tuple[Query, ...] = ()
    # Whether the route needs a token (the description itself does not).
    authenticated: bool = True

    @property
    def path(self) -> str:
        """The OpenAPI path: <int:campaign_id> becomes {campaign_id}."""
        return API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, converter) of each variable of the rule."""
        return [
            (name, converter or "string")
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)
        ]


_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_NUMBER = {"type": ["number", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


# JSON Schema 2020-12 (the dialect of OpenAPI 3.1), by name; answers are checked against
# them in tests/api.
SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": _object(
        {
            "type": _TEXT,
            "title": _TEXT,
            "status": {"type": "integer"},
            "detail": _TEXT,
            "errors": {
                "type": "array",
                "items": _object({"path": _TEXT, "message": _TEXT}),
            },
        },
        ["type", "title", "status"],
    ),
    "Unit": _object(
        {"id": _ID, "name": _TEXT, "code": _TEXT, "unit_type": _TEXT},
    ),
    "Grant": _object({"role": _TEXT, "unit": {"oneOf": [_ref("Unit"), {"type": "null"}]}}),
    "Me": _object(
        {
            "id": _ID,
            "username": _TEXT,
            "full_name": _TEXT,
            "roles": {"type": "array", "items": _ref("Grant")},
            "token": _object(
                {
                    "id": _ID,
                    "name": _TEXT,
                    "prefix": _TEXT,
                    "scope": {"enum": ["read", "write"]},
                    "expires_at": _TIME,
                }
            ),
        }
    ),
    "CampaignSummary": _object(
        {
            "id": _ID,
            "title": _TEXT,
            "state": _TEXT,
            "academic_year": {"type": "integer"},
            "form_id": _TEXT,
            "form_version": {"type": "integer"},
            "owner": _ref("Unit"),
            "opened_at": _NULLABLE_TIME,
        }
    ),
    "CampaignList": _object(
        {"campaigns": {"type": "array", "items": _ref("CampaignSummary")}},
    ),
    "Tally": _object(
        {
            "unit": _ref("Unit"),
            "total": {"type": "integer"},
            "submitted": {"type": "integer"},
            "late": {"type": "integer"},
            "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
        }
    ),
    "Campaign": {
        "allOf": [
            _ref("CampaignSummary"),
            _object(
                {
                    "deadlines": {
                        "type": "object",
                        "additionalProperties": _NULLABLE_TIME,
                    },
                    "completeness": {
                        "description": "Reports by status under each unit of the first "
                        "level the token's user reviews (null: the user answers, not reviews)",
                        "oneOf": [
                            _object(
                                {
                                    "root": _ref("Unit"),
                                    "overall": _ref("Tally"),
                                    "rows": {"type": "array", "items": _ref("Tally")},
                                }
                            ),
                            {"type": "null"},
                        ],
                    },
                }
            ),
        ]
    },
    "IndicatorValue": _object(
        {
            "indicator": _TEXT,
            "code": _NULLABLE_TEXT,
            "title": _TEXT,
            "unit_of_measure": _NULLABLE_TEXT,
            "level": _TEXT,
            "value": _NUMBER,
            "shown": _NUMBER,
            "status": {"enum": ["ok", "no_data", "not_applicable", "small_group"]},
            "answered": {"type": "integer"},
            "expected": {"type": "integer"},
            "coverage": _NUMBER,
            "target": _NUMBER,
            "met": {"type": ["boolean", "null"]},
        }
    ),
    "Indicators": _object(
        {
            "campaign": _ID,
            "unit": _ref("Unit"),
            "basis": {"enum": ["accepted", "submitted"]},
            "values": {"type": "array", "items": _ref("IndicatorValue")},
        }
    ),
    "FormVersion": _object(
        {
            "form_id": _TEXT,
            "version": {"type": "integer"},
            "title": _TEXT,
            "kind": _TEXT,
            "published_at": _TIME,
            "document": {"type": "object", "description": "The form's JSON schema document"},
        }
    ),
    "Revoked": _object({"id": _ID, "revoked_at": _TIME}),
    "OpenAPI": {"type": "object"},
}

ROUTES: tuple[Route, ...] = (
    Route(
        "openapi",
        "GET",
        "/openapi.json",
        "This description (OpenAPI 3.1)",
        "OpenAPI",
        authenticated=False,
    ),
    Route("me", "GET", "/me", "The token's user, their roles and the token", "Me"),
    Route(
        "campaigns",
        "GET",
        "/campaigns",
        "Campaigns the user reviews or answers, newest first",
        "CampaignList",
    ),
    Route(
        "campaign",
        "GET",
        "/campaigns/<int:campaign_id>",
        "A campaign: its state, deadlines and completeness by level",
        "Campaign",
    ),
    Route(
        "indicators",
        "GET",
        "/campaigns/<int:campaign_id>/indicators",
        "The campaign's indicator values at a unit, with coverage and targets",
        "Indicators",
        query=(
            Query("unit", "The unit (default: the top the user reviews)", _ID),
            Query(
                "basis",
                "Count accepted reports (default) or every submitted one",
                {"enum": ["accepted", "submitted"]},
            ),
        ),
    ),
    Route(
        "form_version",
        "GET",
        "/forms/<form_id>/versions/<int:number>",
        "A published form version and its JSON schema document",
        "FormVersion",
    ),
    Route(
        "revoke_token",
        "DELETE",
        "/tokens/<int:token_id>",
        "Revoke one of the user's own tokens (write scope)",
        "Revoked",
        writes=True,
    ),
)

_CONVERTER_SCHEMA = {"int": _ID, "string": {"type": "string", "maxLength": 64}}
_ERRORS = {
    400: "The request is malformed (problem details name the field)",
    401: "No token, or one that is unknown, expired or revoked",
    403: "The token's scope or its user's role does not allow this",
    404: "Not found, or not the user's to see",
    429: "Too many requests for this token",
}


def _operation(route: Route) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _CONVERTER_SCHEMA[kind]}
        for name, kind in route.path_parameters
    ] + [
        {
            "name": q.name,
            "in": "query",
            "required": q.required,
            "description": q.description,
            "schema": q.schema,
        }
        for q in route.query
    ]
    responses: dict[str, Any] = {
        str(route.status): {
            "description": route.summary,
            "content": {"application/json": {"schema": _ref(route.response)}},
        }
    }
    codes = [401, 403, 404, 429] if route.authenticated else []
    if route.query or route.path_parameters:
        codes = [400, *codes]
    for code in codes:
        responses[str(code)] = {
            "description": _ERRORS[code],
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if not route.authenticated:
        operation["security"] = []
    if route.writes:
        operation["x-scope"] = "write"
    return operation


def openapi_document(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ROUTES."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Collector API",
            "version": version,
            "description": "Read a campaign's state, completeness and indicators, and the "
            "published forms, as a personal access token's user sees them on the pages. "
            "Errors are RFC 9457 problem details.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (made on the Tokens page)",
                }
            },
        },
        "security": [{"token": []}],
    }
