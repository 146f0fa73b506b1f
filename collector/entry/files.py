"""Keeping the files of file questions (collector.schema.kinds.files): an upload becomes a
file in the file store (collector.storage: a folder or an object storage) and a
stored_file row, and the answer its descriptor; a section sent without a new file keeps
the one it had, one sent with «Remove the file» ticked has none (the history keeps the
earlier one); the same file sent again (an autosave carries the chosen file each time) is
not kept twice. Downloads go to those who may read the report: its unit's respondents,
and the coordinators who review or export it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.orm import Session

from collector.auth.permissions import Action
from collector.auth.services import can
from collector.entry.services import Entry
from collector.errors import NotInScope
from collector.models import OrgUnit, StoredFile, User
from collector.schema.kinds import kind_of
from collector.schema.kinds.files import REMOVED, FileKind, Upload, is_descriptor, mime_type
from collector.storage import FILE_ID, Opened, file_store

DOWNLOAD_PATH = "/entry/files/"
READERS = (Action.FILL_REPORT, Action.REVIEW_REPORTS, Action.EXPORT)


def keep_uploads(
    session: Session,
    user: User,
    entry: Entry,
    answers: dict[str, Any],
    field_ids: Collection[str],
    config: Mapping[str, Any],
) -> dict[str, Any]:
    """The section's answers with each upload kept and replaced by its descriptor (the
    file is written before the answer is saved; a save refused after it leaves a file
    no answer names, never an answer without its file)."""
    kept = dict(answers)
    for spec in entry.spec.fields:
        if spec.id not in field_ids or not isinstance(kind_of(spec.type), FileKind):
            continue
        before = entry.answers.get(spec.id)
        value = kept.get(spec.id)
        if isinstance(value, Upload):
            digest = hashlib.sha256(value.content).hexdigest()
            if (
                isinstance(before, dict)
                and before.get("sha256") == digest
                and is_descriptor(before)
            ):
                kept[spec.id] = before
            else:
                kept[spec.id] = _store(session, user, entry, spec.id, value, digest, config)
        elif value is REMOVED:
            kept.pop(spec.id, None)  # no answer now; the history keeps the one before
        elif value is None and before is not None:
            kept[spec.id] = before
    return kept


def _store(
    session: Session,
    user: User,
    entry: Entry,
    field_id: str,
    upload: Upload,
    digest: str,
    config: Mapping[str, Any],
) -> dict[str, Any]:
    file_id = secrets.token_hex(16)
    file_store(config).put(file_id, upload.content)
    session.add(
        StoredFile(
            id=file_id,
            unit_id=entry.unit.id,
            form_id=entry.spec.id,
            field_id=field_id,
            name=upload.name,
            type=upload.type,
            size=len(upload.content),
            sha256=digest,
            created_by=user.id,
        )
    )
    return {
        "file": file_id,
        "name": upload.name,
        "type": upload.type,
        "size": len(upload.content),
        "sha256": digest,
        # The workbook lists it by name with this link.
        "link": str(config["PUBLIC_BASE_URL"]).rstrip("/") + DOWNLOAD_PATH + file_id,
    }


def readable_file(
    session: Session, user: User, file_id: str, config: Mapping[str, Any]
) -> tuple[StoredFile, Opened, str]:
    """The file, opened for reading, and its MIME type, for a user who may read its
    report; anyone else is told it does not exist."""
    stored = session.get(StoredFile, file_id) if FILE_ID.fullmatch(file_id) else None
    unit = session.get(OrgUnit, stored.unit_id) if stored is not None else None
    if stored is None or unit is None or not any(can(user, a, unit) for a in READERS):
        raise NotInScope(file_id)
    opened = file_store(config).open(stored.id)
    if opened is None:
        raise NotInScope(file_id)
    return stored, opened, mime_type(stored.type)
