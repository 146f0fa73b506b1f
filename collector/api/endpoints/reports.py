"""Writing a unit report: save answers as a draft, or save and submit, with an optional
Idempotency-Key (collector.api.writes)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from collector.api import schemas
from collector.api.blueprint import ApiBlueprint, acting_token
from collector.api.problems import ApiProblem, FieldError
from collector.api.responses import response_json
from collector.api.writes import (
    WriteRefused,
    keep_request,
    request_hash,
    stored_request,
    write_report,
)
from collector.extensions import db
from collector.models import IdempotentRequest

_HEADER = "header.Idempotency-Key"

bp = ApiBlueprint(
    "reports",
    __name__,
    description="Writing a unit report: save answers as a draft, or save and submit",
)


def _replay(kept: IdempotentRequest) -> Response:
    response = jsonify(kept.answer)
    response.status_code = kept.status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _kept_or_refused(token_id: int, key: str, digest: str) -> Response | None:
    kept = stored_request(db.session(), token_id, key)
    if kept is None:
        return None
    if kept.request_hash != digest:
        raise ApiProblem(
            422,
            _("Invalid request"),
            _("This Idempotency-Key was used with another request."),
            errors=[FieldError(_HEADER, _("Use a new key for a new request."))],
        )
    return _replay(kept)


def _write(
    campaign_id: int, unit_id: int, body: dict[str, Any], headers: dict[str, Any], submit: bool
) -> Response:
    token = acting_token()
    key: str | None = headers.get("idempotency_key")
    digest = request_hash("submit" if submit else "save", f"{campaign_id}/{unit_id}", body)
    if key is not None:
        replay = _kept_or_refused(token.id, key, digest)
        if replay is not None:
            return replay
    try:
        written = write_report(
            db.session(),
            token.user,
            campaign_id,
            unit_id,
            body["answers"],
            submit=submit,
            language=str(get_locale()),
            revision=body.get("revision"),
            confirmations=body["confirmations"],
        )
    except WriteRefused as refused:
        db.session.rollback()
        title = _("Conflict") if refused.status == 409 else _("Not accepted")
        raise ApiProblem(refused.status, title, refused.detail, errors=refused.errors) from None
    answer: dict[str, Any] = schemas.ReportWrittenSchema().dump(
        {
            "response": response_json(written.response),
            "problems": [{"path": p.path, "message": p.message} for p in written.problems],
        }
    )
    if key is not None:
        keep_request(db.session(), token.id, key, digest, 200, answer)
    try:
        db.session.commit()
    except IntegrityError:
        # The same key's first request won the race: its answer is the one.
        db.session.rollback()
        if key is None:
            raise
        replay = _kept_or_refused(token.id, key, digest)
        if replay is None:
            raise
        return replay
    return jsonify(answer)


@bp.route("/campaigns/<int:campaign_id>/reports/<int:unit_id>", methods=["PATCH"])
@bp.authenticated(writes=True, codes=(400, 404, 409, 422))
@bp.doc(
    summary="Save answers into a unit's report as a draft (the page's checks; fields not "
    "sent keep theirs)"
)
@bp.arguments(schemas.IdempotencyHeaderSchema, location="headers", error_status_code=400)
@bp.arguments(schemas.ReportWriteSchema, location="json", error_status_code=422)
@bp.response(200, schemas.ReportWrittenSchema)
def save_report(
    headers: dict[str, Any], body: dict[str, Any], campaign_id: int, unit_id: int
) -> Response:
    return _write(campaign_id, unit_id, body, headers, submit=False)


@bp.route("/campaigns/<int:campaign_id>/reports/<int:unit_id>/submit", methods=["POST"])
@bp.authenticated(writes=True, codes=(400, 404, 409, 422))
@bp.doc(
    summary="Save the answers sent and submit the unit's report (the page's rules: "
    "required answers, cross-field rules, confirmed warnings, the deadline)"
)
@bp.arguments(schemas.IdempotencyHeaderSchema, location="headers", error_status_code=400)
@bp.arguments(schemas.ReportWriteSchema, location="json", error_status_code=422)
@bp.response(200, schemas.ReportWrittenSchema)
def submit_report(
    headers: dict[str, Any], body: dict[str, Any], campaign_id: int, unit_id: int
) -> Response:
    return _write(campaign_id, unit_id, body, headers, submit=True)
