"""Publishing compiled form schemas as immutable versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.models import FormVersion, OrgUnit, User
from collector.schema import Compiled


def checksum(document: dict[str, Any]) -> str:
    body = {key: value for key, value in document.items() if key != "version"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Publication:
    form_version: FormVersion
    created: bool


def publish(
    session: Session,
    compiled: Compiled,
    actor: User | None,
    source_file: str | None = None,
    owner: OrgUnit | None = None,
) -> Publication:
    """Store the form as a new version unless its newest version has the same content.

    The new version belongs to `owner` (the unit it was designed for; its territory sees
    and is offered it), else to its previous version's owner; a form's first version
    published without an owner is the whole installation's (offered to everyone)."""
    form_id = compiled.spec.id
    digest = checksum(compiled.document)
    latest = session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )
    if latest is not None and latest.checksum == digest:
        return Publication(latest, created=False)
    number = (
        session.scalar(select(func.max(FormVersion.version)).where(FormVersion.form_id == form_id))
        or 0
    ) + 1
    document = dict(compiled.document, version=number)
    version = FormVersion(
        form_id=form_id,
        version=number,
        title=compiled.spec.title.ru[:500],
        kind=compiled.spec.kind,
        document=document,
        checksum=digest,
        source_file=source_file,
        published_by=actor.id if actor is not None else None,
        owner_unit_id=owner.id
        if owner is not None
        else latest.owner_unit_id
        if latest is not None
        else None,
    )
    session.add(version)
    session.flush()
    record(session, actor, "form.publish", version, form_id=form_id, version=number)
    return Publication(version, created=True)


def claim(session: Session, form_id: str, owner: OrgUnit, actor: User | None) -> int:
    """Give the versions of a form published without an owner to `owner` (a form loaded
    before its territory was named); the versions another unit owns stay its. Returns
    how many versions were given."""
    versions = session.scalars(
        select(FormVersion).where(
            FormVersion.form_id == form_id, FormVersion.owner_unit_id.is_(None)
        )
    ).all()
    for version in versions:
        version.owner_unit_id = owner.id
    if versions:
        record(session, actor, "form.claim", owner, form_id=form_id, versions=len(versions))
    return len(versions)
