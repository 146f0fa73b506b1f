"""Uploads as jobs: a file for one of a campaign's imported tables (ВПР, ЕГЭ, …), and units
or their reference figures. The same services and checks as the import pages; the job is
polled at /jobs/{job_id}, whose outcome lists every bad row (nothing is kept unless the
whole file is right)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from collector.api import import_schemas, schemas
from collector.api.blueprint import ApiBlueprint, acting_token, not_found
from collector.api.endpoints.catalog import job_answer
from collector.api.problems import ApiProblem
from collector.campaigns.imports import (
    IMPORT_TABLE_JOB,
    import_of,
    importing_campaign,
    start_table_import,
)
from collector.extensions import db
from collector.jobs.services import active_jobs
from collector.models import User
from collector.units.jobs import IMPORT_JOB, start_units_import

# Uploads a user may have waiting or being read at once: each holds its file (up to
# API_MAX_UPLOAD_BYTES) in the job folder until a worker reads it, and the rate limit
# alone lets a token send hundreds a minute.
MAX_ACTIVE_UPLOADS = 3

bp = ApiBlueprint(
    "imports",
    __name__,
    description="Files imported as jobs: a campaign's imported tables (ВПР, ЕГЭ, …), and "
    "units with their reference figures",
)


def _room_for_an_upload(user: User) -> None:
    """429 problem details while the user's earlier uploads are still waiting."""
    if active_jobs(db.session(), user, (IMPORT_TABLE_JOB, IMPORT_JOB)) >= MAX_ACTIVE_UPLOADS:
        raise ApiProblem(
            429,
            _("Too many attempts"),
            _(
                "%(n)d of your uploads are still being read: poll their jobs and send this "
                "file once one has finished.",
                n=MAX_ACTIVE_UPLOADS,
            ),
            headers={"Retry-After": "30"},
        )


@bp.route("/campaigns/<int:campaign_id>/imports/<import_id>", methods=["POST"])
@bp.authenticated(writes=True, codes=(404, 422))
@bp.takes_file
@bp.doc(
    summary="Upload a file for one of the campaign's imported tables (its id as the form "
    "declares it) as a job. Every row is checked and matched to a unit of the campaign; "
    "only a wholly correct file replaces the table's current upload. Poll the job: its "
    "outcome lists the rows kept or every bad row"
)
@bp.arguments(import_schemas.TableUploadSchema, location="multipart", error_status_code=422)
@bp.response(202, schemas.JobSchema)
def upload_table(body: dict[str, Any], campaign_id: int, import_id: str) -> dict[str, Any]:
    user = acting_token().user
    campaign, spec = importing_campaign(db.session(), user, campaign_id)
    declared = import_of(spec, import_id[:64])
    if declared is None:
        raise not_found()
    _room_for_an_upload(user)
    upload = body["file"]
    job = start_table_import(
        db.session(),
        user,
        campaign,
        declared,
        upload.filename or "",
        upload.read(),
        language=str(get_locale()),
    )
    return job_answer(job)


@bp.route("/units/imports", methods=["POST"])
@bp.authenticated(writes=True, codes=(422,))
@bp.takes_file
@bp.doc(
    summary="Import units, or their reference figures, from a file as a job (as the units' "
    "import page: its templates, its checks). Poll the job: its outcome is the import's "
    "report"
)
@bp.arguments(import_schemas.UnitsUploadSchema, location="multipart", error_status_code=422)
@bp.response(202, schemas.JobSchema)
def upload_units(body: dict[str, Any]) -> dict[str, Any]:
    user = acting_token().user
    _room_for_an_upload(user)
    upload = body["file"]
    job = start_units_import(
        db.session(),
        user,
        body["kind"],
        upload.filename or "",
        upload.read(),
        dry_run=body["dry_run"],
        language=str(get_locale()),
    )
    return job_answer(job)
