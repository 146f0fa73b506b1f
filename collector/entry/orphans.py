"""Files no report needs any more (`flask files clean`): kept in the file store
(collector.storage) but named by no answer and by no version in a report's history.

They come from saves that did not happen: a file is written before its answer is saved
(collector.entry.files), so a save refused after it (a conflict, a lost connection)
leaves a file no answer names, with or without its stored_file row. A file that was
replaced or removed is not one of them: the report's history (its audit records) names
it, and it stays downloadable for those who read that history.

A grace period spares the files being attached right now: a file written, its answer
not yet committed, is younger than it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collector.models import AuditEvent, FormResponse, StoredFile
from collector.schema.kinds.files import is_descriptor
from collector.storage import FileStore
from collector.units.import_report import chunks


@dataclass(frozen=True)
class Orphan:
    file_id: str
    # From its stored_file row; None when there is none (a save that failed to commit).
    name: str | None
    size: int | None
    written: datetime


def named_files(value: Any) -> Iterator[str]:
    """The ids of the files a stored answer (or an audit record's details) names."""
    if is_descriptor(value):
        yield value["file"]
    elif isinstance(value, dict):
        for inner in value.values():
            yield from named_files(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from named_files(inner)


def _named_in_reports(session: Session, unit_ids: set[int]) -> set[str]:
    """Every file the reports of these units name: in their answers now, or in any
    version their history keeps."""
    named: set[str] = set()
    response_ids: list[int] = []
    for units in chunks(sorted(unit_ids)):
        rows = session.execute(
            select(FormResponse.id, FormResponse.answers).where(FormResponse.unit_id.in_(units))
        )
        for response_id, answers in rows:
            response_ids.append(response_id)
            named.update(named_files(answers))
    for responses in chunks(response_ids):
        details = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.object_type == FormResponse.__tablename__,
                AuditEvent.object_id.in_(responses),
            )
        )
        for detail in details:
            named.update(named_files(detail))
    return named


def orphaned_files(
    session: Session, store: FileStore, *, now: datetime, grace: timedelta
) -> list[Orphan]:
    """The files older than `grace` that nothing names, oldest first."""
    cutoff = now - grace
    written = {kept.file_id: kept.written for kept in store.files()}
    rows = {row.id: row for row in session.scalars(select(StoredFile))}
    found: list[Orphan] = []
    # Without a row no answer can name a file: its row is saved with the answer.
    for file_id, at in written.items():
        if file_id not in rows and at < cutoff:
            found.append(Orphan(file_id, None, None, at))
    old_rows = [
        row
        for row in rows.values()
        if row.created_at < cutoff and written.get(row.id, row.created_at) < cutoff
    ]
    if old_rows:
        named = _named_in_reports(session, {row.unit_id for row in old_rows})
        found += [
            Orphan(row.id, row.name, row.size, written.get(row.id, row.created_at))
            for row in old_rows
            if row.id not in named
        ]
    return sorted(found, key=lambda orphan: (orphan.written, orphan.file_id))


def remove_orphans(session: Session, store: FileStore, orphans: list[Orphan]) -> None:
    """Forget the rows first (committed), then the bytes: a file left behind by a failure
    between the two is found again the next time, never an answer without its file."""
    for ids in chunks(o.file_id for o in orphans if o.name is not None):
        session.execute(delete(StoredFile).where(StoredFile.id.in_(ids)))
    session.commit()
    for orphan in orphans:
        store.remove(orphan.file_id)
