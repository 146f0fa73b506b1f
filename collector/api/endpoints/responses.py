"""A campaign's unit reports: read a page at a time."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from collector.api import schemas
from collector.api.blueprint import ApiBlueprint, acting_token
from collector.api.problems import ApiProblem, FieldError
from collector.api.responses import (
    BadCursor,
    Filters,
    decode_cursor,
    encode_cursor,
    response_json,
    responses_page,
)
from collector.extensions import db

bp = ApiBlueprint(
    "responses",
    __name__,
    description="A campaign's unit reports, read a page at a time",
)


def _secret() -> str:
    secret: str = current_app.config["SECRET_KEY"]
    return secret


@bp.route("/campaigns/<int:campaign_id>/responses", methods=["GET"])
@bp.authenticated(codes=(400, 404))
@bp.doc(
    summary="The campaign's unit reports the user sees, oldest change first, a page at a "
    "time (cursor pagination)"
)
@bp.arguments(schemas.ResponsesQuerySchema, location="query", error_status_code=400)
@bp.response(200, schemas.ResponsePageSchema)
def campaign_responses(query: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    filters = Filters(query.get("unit"), query.get("status"), query.get("updated_since"))
    after = None
    if query.get("cursor"):
        try:
            after = decode_cursor(_secret(), campaign_id, filters, query["cursor"])
        except BadCursor:
            raise ApiProblem(
                400,
                _("Invalid request"),
                _("A parameter has a value that is not accepted."),
                errors=[FieldError("query.cursor", _("The cursor is not valid."))],
            ) from None
    found, next_at = responses_page(
        db.session(), acting_token().user, campaign_id, filters, after, query["limit"]
    )
    return {
        "responses": [response_json(r) for r in found],
        "next_cursor": encode_cursor(_secret(), campaign_id, filters, next_at)
        if next_at is not None
        else None,
    }
