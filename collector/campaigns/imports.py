"""Imported tables of a campaign: a coordinator uploads a file (XLSX or CSV) for one of
the form's declared imports; every row is checked and matched to a unit of the campaign,
and only a wholly correct file is kept, replacing the table's previous upload. The rows
then join their units' responses for the indicators (collector.indicators.frame)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import require
from collector.campaigns.lifecycle import CampaignState
from collector.campaigns.services import get_campaign
from collector.errors import NotInScope
from collector.extensions import db
from collector.i18n import in_language
from collector.jobs.registry import JobContext, JobFailed, JobResult
from collector.jobs.services import start_job
from collector.models import (
    Campaign,
    FormResponse,
    ImportBatch,
    ImportedRow,
    Job,
    OrgUnit,
    User,
)
from collector.publishing.versions import spec_of
from collector.schema.kinds import kind_of
from collector.schema.kinds.files import clean_name
from collector.schema.spec import Column, FormSpec, ImportSpec
from collector.schema.values import text_problem
from collector.units.import_report import ImportReport, chunks, read, record_refused
from collector.units.tabular import TableRow, normalise_header

UNIT_COLUMN = "__unit__"


def import_of(spec: FormSpec, import_id: str) -> ImportSpec | None:
    return next((i for i in spec.imports if i.id == import_id), None)


def parse_cell(column: Column, text: str) -> tuple[Any, str | None]:
    """The cell's value for the column (as its kind reads it), or the reason it is not one."""
    if text_problem(text) is not None:
        return None, _("control characters (such as NUL) in «%(text)s»", text=text[:40])
    value, problem = kind_of(column.type).parse_cell(column, text)
    if problem is not None:
        return None, _(problem.message, **problem.values)
    return value, None


@dataclass
class UnitMatcher:
    """Finds a row's unit among the campaign's expected units, by code or by name."""

    units: list[OrgUnit]
    by: str

    def __post_init__(self) -> None:
        self.index: dict[str, list[OrgUnit]] = {}
        for unit in self.units:
            keys = {unit.code} if self.by == "code" else {unit.name, unit.short_name or ""}
            for key in keys - {""}:
                self.index.setdefault(self.key(key), []).append(unit)

    @staticmethod
    def key(text: str) -> str:
        return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()

    def find(self, text: str) -> tuple[OrgUnit | None, str | None]:
        found = self.index.get(self.key(text), [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, _("«%(text)s» names more than one unit of the campaign", text=text)
        return None, _("no unit of the campaign with the code or name «%(text)s»", text=text)


def expected_units(session: Session, campaign: Campaign) -> list[OrgUnit]:
    """The units asked in the campaign (a unit report: those with a report to make)."""
    return list(
        session.scalars(
            select(OrgUnit)
            .join(FormResponse, FormResponse.unit_id == OrgUnit.id)
            .where(
                FormResponse.campaign_id == campaign.id,
                FormResponse.unit_report_key.is_not(None),
            )
        )
    )


def _parse_rows(
    rows: Iterable[TableRow], spec: ImportSpec, matcher: UnitMatcher, report: ImportReport
) -> list[dict[str, Any]]:
    parsed = []
    for row in rows:
        unit, problem = matcher.find(row.get(UNIT_COLUMN))
        if problem:
            report.error(row.number, spec.match_column, problem)
        data: dict[str, Any] = {}
        for column in spec.columns:
            text = row.get(column.id).strip()
            if not text:
                if column.required:
                    report.error(row.number, column.file_header, _("the cell is empty"))
                continue
            value, problem = parse_cell(column, text)
            if problem:
                report.error(row.number, column.file_header, problem)
            else:
                data[column.id] = value
        if unit is not None:
            parsed.append({"unit_id": unit.id, "row_number": row.number, "data": data})
    return parsed


def import_table(
    session: Session,
    actor: User,
    campaign: Campaign,
    import_id: str,
    filename: str,
    data: bytes,
    *,
    spec: FormSpec,
) -> ImportReport:
    """Check the whole file; when every row is right, keep it as the table's current
    upload (the caller commits). On any error nothing is written."""
    require(actor, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    report = ImportReport()
    if campaign.state not in (CampaignState.OPEN.value, CampaignState.CLOSED.value):
        # A draft has no reports to join; an archive is kept as it was.
        report.error(0, None, _("Data can be uploaded only to an open or closed campaign."))
        return report.finish()
    imported = import_of(spec, import_id)
    if imported is None:
        report.error(0, None, _("The form declares no imported table %(id)s.", id=import_id))
        return report.finish()
    aliases = {normalise_header(imported.match_column, {}): UNIT_COLUMN}
    aliases.update({normalise_header(c.file_header, {}): c.id for c in imported.columns})
    table = read(filename, data, aliases, report)
    if table is None:
        return report.finish()
    wanted = [(UNIT_COLUMN, imported.match_column)] + [
        (c.id, c.file_header) for c in imported.columns if c.required
    ]
    for column, header in wanted:
        if column not in table.columns:
            report.error(
                table.header_row, header, _("The column «%(column)s» is missing.", column=header)
            )
    known = {UNIT_COLUMN, *(c.id for c in imported.columns)}
    for column in table.columns:
        # A misspelt header would otherwise drop its column without a word.
        if column not in known:
            report.error(
                table.header_row,
                column,
                _("Unknown column «%(column)s»: the table has no such column.", column=column),
            )
    if not report.ok:
        return report.finish()
    matcher = UnitMatcher(expected_units(session, campaign), imported.match_by)
    rows = _parse_rows(table.rows, imported, matcher, report)
    if not rows and report.ok:
        report.error(table.header_row, None, _("The file has a header but no rows."))
    if not report.ok:
        return report.finish()
    # A savepoint: a failure half-way undoes this upload and leaves the session usable.
    with session.begin_nested():
        # Two uploads of the same table at once: the second waits here, so exactly one
        # batch ends up current.
        session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.campaign_id == campaign.id, ImportBatch.import_id == import_id)
            .values(is_current=False)
        )
        batch = ImportBatch(
            campaign_id=campaign.id,
            import_id=import_id,
            filename=filename[:255],
            row_count=len(rows),
            is_current=True,
            uploaded_by=actor.id,
        )
        session.add(batch)
        session.flush()
        for part in chunks(rows):
            session.execute(insert(ImportedRow), [{"batch_id": batch.id, **row} for row in part])
        record(
            session,
            actor,
            "campaign.import",
            campaign,
            table=import_id,
            filename=filename,
            rows=len(rows),
        )
    report.created = len(rows)
    return report.finish()


def current_batches(session: Session, campaign: Campaign) -> dict[str, ImportBatch]:
    """The upload each imported table of the campaign currently uses."""
    return {
        batch.import_id: batch
        for batch in session.scalars(
            select(ImportBatch).where(
                ImportBatch.campaign_id == campaign.id, ImportBatch.is_current.is_(True)
            )
        )
    }


def imported_rows(
    session: Session, campaign: Campaign, unit_ids: Iterable[int]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """unit id -> import id -> rows, from the current uploads, for the units given."""
    wanted = set(unit_ids)
    found: dict[int, dict[str, list[dict[str, Any]]]] = {}
    query = (
        select(ImportedRow.unit_id, ImportBatch.import_id, ImportedRow.data)
        .join(ImportBatch, ImportedRow.batch_id == ImportBatch.id)
        .where(ImportBatch.campaign_id == campaign.id, ImportBatch.is_current.is_(True))
        .order_by(ImportedRow.batch_id, ImportedRow.row_number)
    )
    for unit_id, import_id, data in session.execute(query):
        if unit_id in wanted:
            found.setdefault(unit_id, {}).setdefault(import_id, []).append(data)
    return found


IMPORT_TABLE_JOB = "campaign_import"
UPLOAD = "upload"


def importing_campaign(
    session: Session, actor: User, campaign_id: int
) -> tuple[Campaign, FormSpec]:
    """A campaign whose tables the actor may upload, and its form (one outside the actor's
    reach, or whose form declares no imported table, is not found; one the actor sees but
    does not run is forbidden)."""
    campaign = get_campaign(session, actor, campaign_id)
    require(actor, Action.RUN_CAMPAIGNS, campaign.owner_unit)
    spec = spec_of(campaign.form_version)
    if not spec.imports:
        raise NotInScope(campaign_id)
    return campaign, spec


def start_table_import(
    session: Session,
    actor: User,
    campaign: Campaign,
    declared: ImportSpec,
    filename: str,
    data: bytes,
    *,
    language: str,
) -> Job:
    """The upload checked and kept by a job (the page's and the API's): its outcome
    lists the rows kept or every bad row. The file's name is as sent (any length, any
    characters): it is cleaned before the job's title and audit record hold it."""
    filename = clean_name(filename)
    return start_job(
        session,
        actor,
        IMPORT_TABLE_JOB,
        {
            "campaign_id": campaign.id,
            "import_id": declared.id,
            "filename": filename,
            "user_id": actor.id,
            "language": language,
        },
        title=_("%(table)s: %(name)s", table=declared.title.get(language), name=filename),
        files={UPLOAD: data},
        scope_unit=campaign.owner_unit,
    )


def campaign_import(context: JobContext, params: dict[str, Any]) -> JobResult:
    """The upload checked and kept in a worker (a results file of a big city takes a
    while); its report — rows kept or every bad row — is the job's outcome, in the
    language the upload was made in."""
    with in_language(params.get("language")):
        return _campaign_import(context, params)


def _campaign_import(context: JobContext, params: dict[str, Any]) -> JobResult:
    actor = db.session.get(User, params["user_id"])
    campaign = db.session.get(Campaign, params["campaign_id"])
    if actor is None or campaign is None:
        raise JobFailed(_("The account or the campaign of this import no longer exists."))
    path = context.folder / UPLOAD
    context.progress(_("Checking the file"), 0, 2)
    report = import_table(
        db.session(),
        actor,
        campaign,
        params["import_id"],
        params["filename"],
        path.read_bytes(),
        spec=spec_of(campaign.form_version),
    )
    if report.ok:
        context.progress(_("Writing"), 1, 2)
        db.session.commit()
    else:
        db.session.rollback()
        # Told to the coordinators who run the campaign (its owner unit and above).
        record_refused(
            db.session(),
            actor,
            report,
            context.job_id,
            "table",
            params["filename"],
            [campaign.owner_unit],
            campaign=campaign.id,
            table=params["import_id"],
        )
        db.session.commit()
    path.unlink(missing_ok=True)  # the upload is not kept once read: its rows are
    context.progress(_("Done"), 2, 2)
    return JobResult(
        outcome={
            "ok": report.ok,
            "dry_run": False,
            "created": report.created,
            "updated": 0,
            "unchanged": 0,
            "errors": [asdict(e) for e in report.errors],
        }
    )
