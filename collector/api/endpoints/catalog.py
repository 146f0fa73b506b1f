"""Units and their figures, registries' records, and jobs (start an export, poll it,
download its file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import send_file, url_for
from werkzeug.wrappers import Response

from collector.api import catalog, schemas
from collector.api.blueprint import ApiBlueprint, acting_token, not_found
from collector.extensions import db
from collector.models import JobState
from collector.reports.services import Basis

bp = ApiBlueprint(
    "catalog",
    __name__,
    description="Units and their figures, registries' records, and jobs: start an export, "
    "poll a job, download its file",
)


@bp.route("/units/<int:unit_id>", methods=["GET"])
@bp.authenticated(codes=(400, 404))
@bp.doc(summary="A unit the user sees, its children (100 a page) and its figures' years")
@bp.arguments(schemas.PageQuerySchema, location="query", error_status_code=400)
@bp.response(200, schemas.UnitDetailSchema)
def unit(query: dict[str, Any], unit_id: int) -> dict[str, Any]:
    return catalog.unit_detail(db.session(), acting_token().user, unit_id, query["page"])


@bp.route("/units/<int:unit_id>/figures", methods=["GET"])
@bp.authenticated(codes=(400, 404))
@bp.doc(summary="A unit's reference figures of one academic year")
@bp.arguments(schemas.FiguresQuerySchema, location="query", error_status_code=400)
@bp.response(200, schemas.FiguresSchema)
def unit_figures(query: dict[str, Any], unit_id: int) -> dict[str, Any]:
    return catalog.unit_figures(db.session(), acting_token().user, unit_id, query.get("year"))


@bp.route("/registries", methods=["GET"])
@bp.authenticated(codes=())
@bp.doc(summary="The registries of the user's territory, with the records they see")
@bp.response(200, schemas.RegistryListSchema)
def registries() -> dict[str, Any]:
    return {"registries": catalog.registry_list(db.session(), acting_token().user)}


@bp.route("/registries/<form_id>/records", methods=["GET"])
@bp.authenticated(codes=(400, 404))
@bp.doc(summary="A registry's records kept by the units the user sees")
@bp.arguments(schemas.RecordsQuerySchema, location="query", error_status_code=400)
@bp.response(200, schemas.RecordListSchema)
def registry_records(query: dict[str, Any], form_id: str) -> dict[str, Any]:
    return catalog.registry_records(
        db.session(), acting_token().user, form_id[:64], query["archived"]
    )


def job_answer(job: Any) -> dict[str, Any]:
    done = job.state == JobState.DONE and job.result_path
    return catalog.job_json(job, url_for("api.catalog.job_file", job_id=job.id) if done else None)


@bp.route("/campaigns/<int:campaign_id>/exports", methods=["POST"])
@bp.authenticated(codes=(400, 403, 404, 422))
@bp.doc(
    summary="Start the campaign's export (the workbook or one CSV table) as a job; poll "
    "the job, then download its file. The same export asked again while it runs is the "
    "same job"
)
@bp.arguments(schemas.ExportRequestSchema, location="json", error_status_code=422)
@bp.response(202, schemas.JobSchema)
def start_export(body: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    job = catalog.start_campaign_export(
        db.session(),
        acting_token().user,
        campaign_id,
        body.get("unit"),
        Basis(body["basis"]),
        body["table"],
    )
    return job_answer(job)


@bp.route("/jobs/<job_id>", methods=["GET"])
@bp.authenticated()
@bp.doc(summary="A job the user started (or, as a coordinator, may see): its progress")
@bp.response(200, schemas.JobSchema)
def job(job_id: str) -> dict[str, Any]:
    return job_answer(catalog.job_of(db.session(), acting_token().user, job_id))


@bp.route("/jobs/<job_id>/file", methods=["GET"])
@bp.authenticated()
@bp.doc(summary="The file a finished job made")
@bp.response(
    200,
    content_type="application/octet-stream",
    description="The file (a workbook or a CSV table)",
)
def job_file(job_id: str) -> Response:
    found = catalog.job_of(db.session(), acting_token().user, job_id)
    if found.state != JobState.DONE or not found.result_path:
        raise not_found()
    path = Path(found.result_path)
    if not path.exists():
        raise not_found()
    return send_file(
        path,
        mimetype=found.result_type or "application/octet-stream",
        as_attachment=True,
        download_name=found.result_name or path.name,
    )
