"""Published form versions as the rest of the application reads them: the newest version
of each form, and a version's compiled spec."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.models import FormVersion
from collector.schema import compile_document
from collector.schema.spec import FormSpec

# Published versions never change, so each is compiled once per process.
_SPECS: dict[tuple[int, str], FormSpec] = {}


def spec_of(version: FormVersion) -> FormSpec:
    key = (version.id, version.checksum)
    if key not in _SPECS:
        _SPECS[key] = compile_document(version.document).spec
    return _SPECS[key]


def spec_of_id(session: Session, version_id: int, checksum: str) -> FormSpec:
    """A version's spec by its id and checksum, read from the database only the first
    time this process meets the version (a survey answer reads no document)."""
    found = _SPECS.get((version_id, checksum))
    if found is not None:
        return found
    return spec_of(session.get_one(FormVersion, version_id))


def latest_versions(session: Session) -> list[FormVersion]:
    newest = (
        select(FormVersion.form_id, func.max(FormVersion.version).label("version"))
        .group_by(FormVersion.form_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(FormVersion)
            .join(
                newest,
                (FormVersion.form_id == newest.c.form_id)
                & (FormVersion.version == newest.c.version),
            )
            .order_by(FormVersion.title)
        )
    )
