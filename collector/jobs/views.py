"""A job's page: its progress bar updated without reloading, its error in plain words,
its log for coordinators, and its file when it is done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from collector.auth.permissions import Action
from collector.auth.services import can_somewhere
from collector.extensions import db
from collector.jobs import services
from collector.models import Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page here needs a logged-in user."""


def status_of(job: Job) -> dict[str, Any]:
    return {
        **services.progress_of(job),
        "has_outcome": job.outcome is not None,
        "download": url_for("jobs.download", job_id=job.id)
        if job.state == JobState.DONE and job.result_path
        else None,
    }


@bp.get("/")
def index() -> str:
    return render_template("jobs/index.html", jobs=services.recent_jobs(db.session(), current_user))


@bp.get("/<job_id>")
def detail(job_id: str) -> str:
    job = services.get_job(db.session(), current_user, job_id)
    return render_template(
        "jobs/detail.html",
        job=job,
        status=status_of(job),
        # The log may hold a traceback with server paths: admins only.
        show_log=bool(job.log) and can_somewhere(current_user, Action.GRANT_ADMIN),
    )


@bp.get("/<job_id>/status")
def status(job_id: str) -> Response:
    job = services.get_job(db.session(), current_user, job_id)
    return jsonify(status_of(job))


@bp.get("/<job_id>/download")
def download(job_id: str) -> Response:
    job = services.get_job(db.session(), current_user, job_id)
    if job.state != JobState.DONE or not job.result_path or not Path(job.result_path).exists():
        abort(404)
    return send_file(
        job.result_path,
        mimetype=job.result_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or Path(job.result_path).name,
    )
