"""Unit and reference-figure imports as jobs: the uploaded file waits in the job's folder,
the import runs in a worker, and its report (counts, every bad row) is the job's outcome."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import require_somewhere, top_units
from collector.extensions import db
from collector.i18n import in_language
from collector.jobs.registry import JobContext, JobFailed, JobResult
from collector.jobs.services import start_job
from collector.models import Job, User
from collector.schema.kinds.files import clean_name
from collector.units.figures_import import import_figures
from collector.units.import_report import record_refused
from collector.units.importing import import_units

IMPORT_JOB = "units_import"
UPLOAD = "upload"
IMPORTERS = {"units": import_units, "figures": import_figures}


def start_units_import(
    session: Session,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    *,
    dry_run: bool,
    language: str,
) -> Job:
    """Units or their figures (`kind`, a key of IMPORTERS) imported from the file by a
    job (the page's and the API's); its outcome is the import's report."""
    require_somewhere(actor, Action.IMPORT_UNITS)
    if kind not in IMPORTERS:
        raise ValueError(kind)
    filename = clean_name(filename)  # as sent: any length, any characters
    return start_job(
        session,
        actor,
        IMPORT_JOB,
        {
            "kind": kind,
            "filename": filename,
            "dry_run": dry_run,
            "user_id": actor.id,
            "language": language,
        },
        title=_("Import of %(name)s", name=filename),
        files={UPLOAD: data},
    )


def units_import(context: JobContext, params: dict[str, Any]) -> JobResult:
    """In the language the import was asked for in: its report is read there."""
    with in_language(params.get("language")):
        return _units_import(context, params)


def _units_import(context: JobContext, params: dict[str, Any]) -> JobResult:
    actor = db.session.get(User, params["user_id"])
    if actor is None:
        raise JobFailed(_("The account that started the import no longer exists."))
    path = context.folder / UPLOAD
    context.progress(_("Checking the file"), 0, 2)
    report = IMPORTERS[params["kind"]](
        db.session(),
        actor,
        params["filename"],
        path.read_bytes(),
        dry_run=bool(params.get("dry_run")),
    )
    if report.ok and not report.dry_run:
        context.progress(_("Writing"), 1, 2)
        db.session.commit()
    else:
        db.session.rollback()
    if not report.ok and not params.get("dry_run"):
        # Told to the coordinators of what the importer may import into.
        record_refused(
            db.session(),
            actor,
            report,
            context.job_id,
            params["kind"],
            params["filename"],
            top_units(db.session(), actor, Action.IMPORT_UNITS),
        )
        db.session.commit()
    path.unlink(missing_ok=True)  # the upload is not kept once read
    context.progress(_("Done"), 2, 2)
    return JobResult(
        outcome={
            "ok": report.ok,
            "dry_run": report.dry_run,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": [asdict(e) for e in report.errors],
        }
    )
