"""The API's reads of units and their figures, registries' records and jobs, through the
services (and so the permission checks) of their pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from collector.api.resources import campaign_of, unit_json
from collector.auth.permissions import Action
from collector.campaigns.completeness import default_root
from collector.campaigns.services import review_scopes, view_root
from collector.errors import NotInScope
from collector.jobs import services as jobs
from collector.models import Job, JobState, RegistryRecord, User
from collector.registries import services as registries
from collector.reports.jobs import start_export
from collector.reports.services import Basis
from collector.units import services as units

# A job id is 32 hex characters (collector.jobs.services.start_job).
JOB_ID_LENGTH = 32


def unit_detail(session: Session, user: User, unit_id: int, page: int) -> dict[str, Any]:
    """A unit the user sees, with its direct children (a page of them) and the years it
    has figures for."""
    unit = units.get_unit(session, user, unit_id, Action.VIEW_UNIT)
    children, total = units.children_of(session, unit, page=page)
    return {
        **unit_json(unit),
        "parent_id": unit.parent_id,
        "is_active": unit.is_active,
        "children": [unit_json(c) for c in children],
        "children_total": total,
        "figure_years": units.years_with_figures(session, unit),
    }


def unit_figures(session: Session, user: User, unit_id: int, year: int | None) -> dict[str, Any]:
    """A unit's reference figures of one academic year (default: the page's default)."""
    unit = units.get_unit(session, user, unit_id, Action.VIEW_FIGURES)
    year = year if year is not None else units.default_year(session, unit)
    values = units.figures_of(session, unit, year)
    return {
        "unit": unit_json(unit),
        "academic_year": year,
        "figures": [
            {"figure": figure, "grade": grade, "value": value}
            for (figure, grade), value in sorted(values.items())
        ],
    }


def registry_list(session: Session, user: User) -> list[dict[str, Any]]:
    counts = registries.record_counts(session, user)
    return [
        {
            "form_id": kept.form_id,
            "version": kept.version.version,
            "title": kept.version.title,
            "records": counts.get(kept.form_id, 0),
        }
        for kept in registries.registries(session, user)
    ]


def _record_json(found: RegistryRecord) -> dict[str, Any]:
    return {
        "id": found.id,
        "unit": unit_json(found.unit),
        "title": found.title,
        "status": found.status,
        "published": found.published,
        "revision": found.revision,
        "form_version": found.form_version.version,
        "data": found.data,
        "updated_at": found.updated_at,
    }


def registry_records(session: Session, user: User, form_id: str, archived: bool) -> dict[str, Any]:
    """The records of a registry of the user's territory kept by units the user sees."""
    kept = registries.registry(session, form_id, user)
    found = registries.records_in_scope(session, user, kept, archived=archived)
    return {"form_id": kept.form_id, "records": [_record_json(r) for r in found]}


def start_campaign_export(
    session: Session,
    user: User,
    campaign_id: int,
    unit_id: int | None,
    basis: Basis,
    table: str | None,
) -> Job:
    """The campaign's export under a unit the user reviews (default: the top they
    review), as the report page starts it."""
    campaign = campaign_of(session, user, campaign_id)
    scopes = review_scopes(user, campaign)
    if not scopes:
        raise NotInScope(campaign_id)
    root = view_root(session, user, campaign, unit_id) or default_root(session, campaign, scopes)
    return start_export(session, user, campaign, root, basis, table)


def job_of(session: Session, user: User, job_id: str) -> Job:
    if len(job_id) != JOB_ID_LENGTH or not job_id.isalnum():
        raise NotInScope(job_id)
    return jobs.get_job(session, user, job_id)


def job_json(job: Job, download_url: str | None) -> dict[str, Any]:
    return {
        **jobs.progress_of(job),
        "title": job.title,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download": download_url if job.state == JobState.DONE and job.result_path else None,
        # Stored JSON, read defensively: an object or nothing.
        "outcome": job.outcome if isinstance(job.outcome, dict) else None,
    }
