"""What every import returns, and the steps the imports share: reading the file,
checking its header, finding units by code."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.formats import count_text
from collector.models import OrgUnit, User
from collector.units.tabular import DEFAULT_LIMITS, Table, TableError, TableLimits, read_table

T = TypeVar("T")
# Keeps IN (...) lists well below every driver's limit on bound parameters.
CHUNK = 500


# The audit action of an import refused (and the webhook event it makes).
IMPORT_REFUSED = "import.refused"


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in the file; 0 for the file as a whole
    column: str | None
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    # Units: rows; figures: cells. Counted on a dry run too (what would be written).
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def finish(self) -> ImportReport:
        """Errors in file order (stable: a row's errors keep the order they were found)."""
        self.errors.sort(key=lambda e: e.row)
        return self


def chunks(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    size = size or CHUNK
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def units_by_code(session: Session, codes: Iterable[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for batch in chunks(sorted(set(codes))):
        found.update(
            (u.code, u) for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(batch)))
        )
    return found


def table_limits() -> TableLimits:
    """The app's TABLE_MAX_* settings; the defaults outside an app (scripts)."""
    if not has_app_context():
        return DEFAULT_LIMITS
    config = current_app.config
    return TableLimits(
        max_rows=config.get("TABLE_MAX_ROWS", DEFAULT_LIMITS.max_rows),
        max_columns=config.get("TABLE_MAX_COLUMNS", DEFAULT_LIMITS.max_columns),
        max_cells=config.get("TABLE_MAX_CELLS", DEFAULT_LIMITS.max_cells),
        max_uncompressed_bytes=config.get(
            "TABLE_MAX_UNCOMPRESSED_BYTES", DEFAULT_LIMITS.max_uncompressed_bytes
        ),
        max_zip_entries=config.get("TABLE_MAX_ZIP_ENTRIES", DEFAULT_LIMITS.max_zip_entries),
        max_compression_ratio=config.get(
            "TABLE_MAX_COMPRESSION_RATIO", DEFAULT_LIMITS.max_compression_ratio
        ),
    )


def read(filename: str, data: bytes, aliases: dict[str, str], report: ImportReport) -> Table | None:
    try:
        return read_table(filename, data, aliases, table_limits())
    except TableError as error:
        # The reading limits' messages are English ids: shown in the interface language,
        # a limit in its digits («100 000», «100,000»).
        if has_app_context():
            message = error.text(_, count_text)
        else:
            message = str(error)
        report.error(error.row or 0, None, message)
        return None


def check_columns(
    table: Table, required: Iterable[str], known: Container[str], report: ImportReport
) -> bool:
    """Header problems are reported on the header row; True when there are none."""
    for column in required:
        if column not in table.columns:
            report.error(
                table.header_row, column, _("The column «%(column)s» is missing.", column=column)
            )
    for column in table.columns:
        if column not in known:
            report.error(table.header_row, column, _("Unknown column «%(column)s».", column=column))
    return report.ok


def template_csv(columns: list[str], example: list[str]) -> bytes:
    """A template with a BOM and `;`, as Russian Excel opens it without asking."""
    return (";".join(columns) + "\r\n" + ";".join(example) + "\r\n").encode("utf-8-sig")


def record_refused(
    session: Session,
    actor: User,
    report: ImportReport,
    job_id: str,
    kind: str,
    filename: str,
    territory: Iterable[OrgUnit],
    **details: object,
) -> None:
    """An import refused (not a dry run: that only checks) leaves an audit record, which
    tells the webhooks of the territory ("import.refused"): the caller commits it."""
    record(
        session,
        actor,
        IMPORT_REFUSED,
        None,
        kind=kind,
        job=job_id,
        filename=filename[:255],
        errors=len(report.errors),
        units=[unit.id for unit in territory],
        **details,
    )
