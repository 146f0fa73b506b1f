"""The consolidated export as a job: the workbook (or one CSV table) written in the job's
folder, rows counted as they are written, sheet by sheet. The data is cut to what the
user who asked may see, checked again when the job runs."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import can, require
from collector.campaigns.services import review_scopes
from collector.errors import NotInScope
from collector.exporters.workbook import write_workbook
from collector.extensions import db
from collector.jobs.registry import JobContext, JobFailed, JobResult
from collector.jobs.services import start_job
from collector.models import Campaign, Job, OrgUnit, User
from collector.reports import export, snapshots
from collector.reports.services import Basis, response_count

EXPORT_JOB = "campaign_export"


def known_table(table: str | None) -> bool:
    """Whether an export names a table it can write (None: the whole workbook)."""
    if table is None or table in export.CSV_TABLES:
        return True
    numbered = table.removeprefix("section-").removeprefix("rows-")
    return numbered != table and numbered.isascii() and numbered.isdigit() and len(numbered) <= 4


def start_export(
    session: Session,
    user: User,
    campaign: Campaign,
    root: OrgUnit,
    basis: Basis,
    table: str | None,
) -> Job:
    """Start the export of the campaign under `root` as a job (the same export asked
    again while it runs is the same job); the user must be able to export `root`, and
    `table` must be known_table."""
    require(user, Action.EXPORT, root)
    if not known_table(table):
        raise NotInScope(table)
    what = _("Workbook") if table is None else f"CSV: {table}"
    return start_job(
        session,
        user,
        EXPORT_JOB,
        {
            "campaign_id": campaign.id,
            "unit_id": root.id,
            "basis": basis.value,
            "table": table,
            "user_id": user.id,
        },
        title=f"{what} — {campaign.title} — {root.name}",
        dedupe_key=f"export:{campaign.id}:{root.id}:{basis.value}:{table or 'xlsx'}:{user.id}",
        scope_unit=root,
    )


class _SheetProgress:
    """The writer reports rows per sheet; the bar shows rows of the whole workbook."""

    def __init__(self, context: JobContext, total: int) -> None:
        self.context, self.total = context, total
        self.base = 0
        self.sheet: str | None = None
        self.rows = 0

    def __call__(self, sheet: str, rows: int) -> None:
        if sheet != self.sheet:
            self.base += self.rows
            self.sheet, self.rows = sheet, 0
        self.rows = rows
        self.context.progress(sheet, min(self.base + rows, self.total), self.total)


def _inputs(
    params: dict[str, Any], action: Action = Action.EXPORT
) -> tuple[User, Campaign, OrgUnit]:
    user = db.session.get(User, params["user_id"])
    campaign = db.session.get(Campaign, params["campaign_id"])
    root = db.session.get(OrgUnit, params["unit_id"])
    if user is None or campaign is None or root is None:
        raise JobFailed(_("The campaign or the organisation no longer exists."))
    if not review_scopes(user, campaign) or not can(user, action, root):
        raise JobFailed(_("You may no longer export this campaign's data."))
    return user, campaign, root


def campaign_export(context: JobContext, params: dict[str, Any]) -> JobResult:
    user, campaign, root = _inputs(params)
    basis = Basis(params.get("basis", Basis.ACCEPTED))
    table = params.get("table")
    context.progress(_("Computing the indicators"), 0, None)
    book = export.build_workbook(db.session(), user, campaign, root, basis)
    if table:
        content = export.csv_from_book(book, table)
        if content is None:
            raise JobFailed(_("There is no such table in this campaign."))
        path = context.folder / f"campaign-{campaign.id}-{table}.csv"
        path.write_bytes(content)
        context.progress(table, 1, 1)
        _ready(user, campaign, root, context.job_id, table)
        return JobResult(path, path.name, "text/csv; charset=utf-8")
    total = max(export.total_rows(book), 1)
    path = context.folder / f"campaign-{campaign.id}.xlsx"
    write_workbook(
        book,
        str(path),
        max_rows=current_app.config["EXPORT_MAX_ROWS"],
        progress=_SheetProgress(context, total),
    )
    context.progress(_("Done"), total, total)
    _ready(user, campaign, root, context.job_id, None)
    return JobResult(path, path.name, export.XLSX_TYPE)


def _ready(user: User, campaign: Campaign, root: OrgUnit, job_id: str, table: str | None) -> None:
    """Data left the system: recorded (and told to the webhooks listening for it), in the
    transaction that marks the job done."""
    record(db.session(), user, "export.ready", campaign, job=job_id, unit=root.id, table=table)


INDICATORS_JOB = "campaign_indicators"


def campaign_indicators(context: JobContext, params: dict[str, Any]) -> JobResult:
    """Compute a large campaign's indicators once and keep them for its report page."""
    from collector.reports.services import campaign_report

    user, campaign, _root = _inputs(params, Action.REVIEW_REPORTS)
    context.progress(_("Computing the indicators"), 0, 1)
    report = campaign_report(
        db.session(), user, campaign, Basis(params.get("basis", Basis.ACCEPTED)), stored=False
    )
    context.progress(_("Done"), 1, 1)
    return JobResult(
        outcome={"responses": report.answer_count, "indicators": len(report.spec.indicators)}
    )


def too_large_to_compute_now(
    session: Session, user: User, campaign: Campaign, basis: Basis, inline_limit: int, stamp: str
) -> bool:
    """No snapshot of data stamp `stamp`, and more answers than a page computes while
    the user waits (counted only then: a view of kept figures counts nothing)."""
    scopes = review_scopes(user, campaign)
    if snapshots.exists(campaign.id, basis.value, scopes, stamp):
        return False
    return response_count(session, campaign) > inline_limit


def start_computing(
    session: Session, user: User, campaign: Campaign, root: OrgUnit, basis: Basis
) -> Job:
    scopes = review_scopes(user, campaign)
    return start_job(
        session,
        user,
        INDICATORS_JOB,
        {
            "campaign_id": campaign.id,
            "unit_id": root.id,
            "basis": basis.value,
            "user_id": user.id,
        },
        title=_("Indicators: %(title)s", title=campaign.title),
        dedupe_key=f"indicators:{campaign.id}:{basis.value}:{sorted(scopes)}",
        scope_unit=root,
    )
