"""Published form versions as the rest of the application reads them: the newest version
of each form (all, or those in a user's territory), and a version's compiled spec."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.auth.permissions import owner_in_territory
from collector.auth.services import territory_paths
from collector.models import FormVersion, OrgUnit, User
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


# The path given to an owner not read (deleted meanwhile): a prefix of no unit's path, so
# the form falls in nobody's territory (an admin's only) rather than everyone's.
_UNREAD = "\x00"


def owner_paths(session: Session, versions: Iterable[FormVersion]) -> dict[int, str]:
    """The paths of the units owning these versions, by unit id, read in one query."""
    ids = {v.owner_unit_id for v in versions if v.owner_unit_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(ids)))
    return {unit_id: path for unit_id, path in rows}


def _owner_path(version: FormVersion, paths: dict[int, str]) -> str | None:
    if version.owner_unit_id is None:
        return None
    return paths.get(version.owner_unit_id, _UNREAD)


def in_territory(
    session: Session, unit_paths: Sequence[str], versions: Sequence[FormVersion]
) -> list[FormVersion]:
    """Those of `versions` (in their order) whose owner is in the territory of the units
    at `unit_paths`."""
    paths = owner_paths(session, versions)
    return [v for v in versions if owner_in_territory(unit_paths, _owner_path(v, paths))]


def offered_versions(session: Session, user: User) -> list[FormVersion]:
    """The newest version of each form in the user's territory: the forms the user sees
    and is offered (to fill, to run a campaign with, to keep records in)."""
    return in_territory(session, territory_paths(user), latest_versions(session))


def is_offered(session: Session, user: User, version: FormVersion) -> bool:
    return bool(in_territory(session, territory_paths(user), [version]))
