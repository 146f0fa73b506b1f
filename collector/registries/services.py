"""Registries: the records units keep in a registry form (a professional trial, a profile
class), who may keep and see them, each change kept as a revision and audited, the public
list of published records, and a campaign's confirmation of a unit's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, not_, or_, select, true
from sqlalchemy.orm import Session, joinedload, object_session

from collector.audit import record
from collector.auth.permissions import ROLE_ACTIONS, Action, covers, owner_in_territory
from collector.auth.services import can, require, scope_clause
from collector.campaigns.lifecycle import Move, MoveRefused
from collector.campaigns.services import CampaignError, DeadlinePassed, move_response
from collector.entry.services import Entry, NotEditable, Problem, problems
from collector.errors import ActionForbidden, NotInScope
from collector.models import (
    FormVersion,
    OrgUnit,
    RegistryRecord,
    RegistryRevision,
    ResponseState,
    User,
)
from collector.models.base import utcnow
from collector.models.registries import ACTIVE, ARCHIVED
from collector.models.units import IN_TREE_ORDER, subtrees_clause
from collector.publishing.versions import latest_versions, offered_versions, spec_of
from collector.reports.services import places
from collector.schema.evaluate import visible_field_ids
from collector.schema.kinds import shown_publicly
from collector.schema.spec import FieldSpec, FormSpec

# How many units a coordinator may pick from when adding a record for one of them.
MAX_UNIT_CHOICES = 3000


@dataclass(frozen=True)
class Registry:
    version: FormVersion  # the newest: new records and edits use it
    spec: FormSpec

    @property
    def form_id(self) -> str:
        return self.version.form_id

    @property
    def territory(self) -> OrgUnit | None:
        """The unit the registry belongs to (the one it was designed for): records are
        kept only for units of its subtree. None for a form an admin loaded from a file:
        every unit."""
        if self.version.owner_unit_id is None:
            return None
        session = object_session(self.version)
        owner = session.get(OrgUnit, self.version.owner_unit_id) if session else None
        if owner is None:  # not to be read: refuse every unit rather than open to all
            raise NotInScope(self.version.owner_unit_id)
        return owner


def registries(session: Session, user: User | None = None) -> list[Registry]:
    """Every registry (for the public pages), or those of the user's territory."""
    versions = latest_versions(session) if user is None else offered_versions(session, user)
    return [Registry(v, spec_of(v)) for v in versions if v.kind == "registry"]


def registry(session: Session, form_id: str, user: User | None = None) -> Registry:
    """A registry by its form id; with a user, only one of the user's territory (another
    territory's is not said to exist)."""
    found = next((r for r in registries(session, user) if r.form_id == form_id), None)
    if found is None:
        raise NotInScope(form_id)
    return found


def _keeps(role: str, spec: FormSpec) -> bool:
    """A role keeps a registry's records where it is granted: an admin always; otherwise
    a role that fills reports and that the registry names (or any, if it names none)."""
    if role == "admin":
        return True
    named = not spec.roles or role in spec.roles
    return named and Action.FILL_REPORT in ROLE_ACTIONS.get(role, frozenset())


def in_territory(kept: Registry, unit: OrgUnit) -> bool:
    territory = kept.territory
    return territory is None or covers(territory.path, unit.path)


def territory_clause(kept: Registry) -> ColumnElement[bool]:
    """A WHERE clause on OrgUnit: the units of the registry's territory."""
    territory = kept.territory
    return true() if territory is None else territory.subtree_clause()


def may_keep(user: User, kept: Registry, unit: OrgUnit) -> bool:
    """The one rule for adding, editing, publishing, archiving and restoring a record:
    the unit lies in the registry's territory and is of a kind it names, and the user is
    its own staff (a grant reaching the unit whose role keeps the registry)."""
    return (
        in_territory(kept, unit)
        and unit.unit_type in kept.spec.unit_types
        and any(
            covers(grant.unit_path, unit.path) and _keeps(grant.role, kept.spec)
            for grant in user.roles
        )
    )


class OutsideTerritory(ActionForbidden):
    """The unit is seen by the user but lies outside the registry's territory."""


def require_keep(user: User, kept: Registry, unit: OrgUnit) -> None:
    """`may_keep` or an exception: NotInScope (404) for a unit the user does not see,
    OutsideTerritory for one outside the registry's territory, ActionForbidden else."""
    require(user, Action.VIEW_UNIT, unit)
    if not in_territory(kept, unit):
        raise OutsideTerritory(Action.FILL_REPORT)
    if not may_keep(user, kept, unit):
        raise ActionForbidden(Action.FILL_REPORT)


def keeping_refusal(user: User, kept: Registry) -> str:
    """Why the user may add no record here, in words: the territory when the user keeps
    records of this kind only outside it, else the role."""
    territory = kept.territory
    keeping = [g.unit_path for g in user.roles if _keeps(g.role, kept.spec)]
    if territory is None or not keeping or owner_in_territory(keeping, territory.path):
        return _("Your role does not allow you to keep records in this registry.")
    return _(
        "This registry belongs to %(unit)s: records are kept in it only by the staff of "
        "its organisations.",
        unit=territory.name,
    )


def holder_units(session: Session, user: User, kept: Registry) -> list[OrgUnit]:
    """The units the user may add records for (`may_keep` as a query): those of the
    registry's unit types within its territory under a grant whose role keeps it (none
    at all for a coordinator of a school registry, without reading a unit)."""
    spec = kept.spec
    paths = [grant.unit_path for grant in user.roles if _keeps(grant.role, spec)]
    if not paths:
        return []
    query = select(OrgUnit).where(
        OrgUnit.unit_type.in_(spec.unit_types),
        OrgUnit.is_active.is_(True),
        territory_clause(kept),
    )
    if "" not in paths:  # an installation-wide grant reaches every unit
        query = query.where(subtrees_clause(paths))
    return list(session.scalars(query.order_by(*IN_TREE_ORDER).limit(MAX_UNIT_CHOICES)))


def oversees(user: User, kept: Registry) -> bool:
    """The coordinators of the unit the registry belongs to answer for all it holds:
    they see, and may archive, a record an older version let in from outside its
    territory (such a record is never on the public page)."""
    territory = kept.territory
    return territory is not None and can(user, Action.REVIEW_REPORTS, territory)


def _stray(kept: Registry, found: RegistryRecord) -> bool:
    return not in_territory(kept, found.unit)


def _visible_clause(user: User, kept: Registry) -> ColumnElement[bool]:
    """The units whose records of this registry the user sees: those in the user's
    scope, and for the registry's own coordinators also any outside its territory."""
    seen = scope_clause(user, Action.VIEW_UNIT)
    if oversees(user, kept):
        return or_(seen, not_(territory_clause(kept)))
    return seen


def records_in_scope(
    session: Session,
    user: User,
    kept: Registry,
    *,
    archived: bool = False,
    root: OrgUnit | None = None,
) -> list[RegistryRecord]:
    """The records of units the user sees (a coordinator: the subtree), active or archived."""
    query = (
        select(RegistryRecord)
        .join(OrgUnit, RegistryRecord.unit_id == OrgUnit.id)
        .where(
            RegistryRecord.form_id == kept.form_id,
            RegistryRecord.status == (ARCHIVED if archived else ACTIVE),
            _visible_clause(user, kept),
        )
        .options(joinedload(RegistryRecord.unit))
        .order_by(*IN_TREE_ORDER, RegistryRecord.title, RegistryRecord.id)
    )
    if root is not None:
        query = query.where(root.subtree_clause())
    return list(session.scalars(query))


def record_counts(session: Session, user: User) -> dict[str, int]:
    """Active records per registry among the units the user sees, in one query."""
    rows = session.execute(
        select(RegistryRecord.form_id, func.count())
        .join(OrgUnit, RegistryRecord.unit_id == OrgUnit.id)
        .where(RegistryRecord.status == ACTIVE, scope_clause(user, Action.VIEW_UNIT))
        .group_by(RegistryRecord.form_id)
    )
    return {form_id: count for form_id, count in rows}


def municipality_names(session: Session, records: Sequence[RegistryRecord]) -> dict[int, str]:
    """Unit id -> the name of the municipality it counts in (read from its path, as the
    reports place units), for the units keeping `records`."""
    placed, known = places(session, list({r.unit_id: r.unit for r in records}.values()))
    return {
        place.unit_id: known[place.municipality].name
        for place in placed
        if place.municipality is not None
    }


def record_in_scope(session: Session, user: User, kept: Registry, record_id: int) -> RegistryRecord:
    """A record of this registry that the user sees (as `records_in_scope`), or
    NotInScope."""
    found = session.get(RegistryRecord, record_id)
    if found is None or found.form_id != kept.form_id:
        raise NotInScope(record_id)
    if not can(user, Action.VIEW_UNIT, found.unit) and not (
        _stray(kept, found) and oversees(user, kept)
    ):
        raise NotInScope(record_id)
    return found


def unit_records(session: Session, form_id: str, unit_id: int) -> list[RegistryRecord]:
    return list(
        session.scalars(
            select(RegistryRecord)
            .where(
                RegistryRecord.form_id == form_id,
                RegistryRecord.unit_id == unit_id,
                RegistryRecord.status == ACTIVE,
            )
            .order_by(RegistryRecord.title, RegistryRecord.id)
        )
    )


def published_records(session: Session, kept: Registry) -> list[RegistryRecord]:
    """What the public page lists: active records of the registry's territory that their
    unit has published (a record let in from outside by an older version stays off)."""
    if kept.spec.registry is None or not kept.spec.registry.public:
        return []
    found = session.scalars(
        select(RegistryRecord)
        .join(OrgUnit, RegistryRecord.unit_id == OrgUnit.id)
        .where(
            RegistryRecord.form_id == kept.form_id,
            RegistryRecord.status == ACTIVE,
            RegistryRecord.published.is_(True),
            OrgUnit.is_active.is_(True),
            territory_clause(kept),
        )
        .options(joinedload(RegistryRecord.unit))
        .order_by(*IN_TREE_ORDER, RegistryRecord.title, RegistryRecord.id)
    )
    return list(found)


def passport_problems(spec: FormSpec, answers: dict[str, Any]) -> list[Problem]:
    """Required fields left empty and rules broken: a record is saved whole or not."""
    return problems(spec, answers, for_submission=True)


def visible_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """Hidden fields are neither validated nor stored, as in a report."""
    visible = visible_field_ids(spec, answers)
    return {k: v for k, v in answers.items() if k in visible and v is not None}


def _publishable(kept: Registry) -> bool:
    """Only a registry with a public page publishes: the flag is not kept elsewhere, so
    a registry made public later shows nobody's record unasked."""
    return kept.spec.registry is not None and kept.spec.registry.public


def may_archive(user: User, kept: Registry, found: RegistryRecord) -> bool:
    """Whether `set_archived` would let the user archive the record (for the button)."""
    return may_keep(user, kept, found.unit) or (
        found.is_active and _stray(kept, found) and oversees(user, kept)
    )


def _title(spec: FormSpec, answers: dict[str, Any]) -> str:
    assert spec.registry is not None
    value = answers.get(spec.registry.record_title)
    return str(value).strip()[:500] if value else _("(untitled)")


def _revision(found: RegistryRecord, user: User, change: str) -> RegistryRevision:
    return RegistryRevision(
        record=found,
        revision=found.revision,
        change=change,
        title=found.title,
        data=dict(found.data),
        status=found.status,
        published=found.published,
        changed_by=user.id,
        changed_at=found.updated_at,
    )


def create_record(
    session: Session,
    user: User,
    kept: Registry,
    unit: OrgUnit,
    answers: dict[str, Any],
    published: bool,
) -> RegistryRecord | list[Problem]:
    require_keep(user, kept, unit)
    published = published and _publishable(kept)
    answers = visible_answers(kept.spec, answers)
    found = passport_problems(kept.spec, answers)
    if found:
        return found
    now = utcnow()
    new = RegistryRecord(
        form_id=kept.form_id,
        form_version_id=kept.version.id,
        unit_id=unit.id,
        title=_title(kept.spec, answers),
        data=answers,
        status=ACTIVE,
        published=published,
        revision=1,
        created_by=user.id,
        created_at=now,
        updated_at=now,
    )
    new.unit = unit
    session.add(new)
    session.add(_revision(new, user, "created"))
    session.flush()
    record(session, user, "registry.create", new, form=kept.form_id, unit=unit.code)
    return new


class StaleRecord(ValueError):
    """The record was saved by someone else since the page was loaded."""


def edit_record(
    session: Session,
    user: User,
    kept: Registry,
    found: RegistryRecord,
    answers: dict[str, Any],
    published: bool,
    base_revision: int,
) -> list[Problem]:
    require_keep(user, kept, found.unit)
    published = published and _publishable(kept)
    if not found.is_active:
        raise NotEditable(found.status)
    if base_revision != found.revision:
        raise StaleRecord(found.revision)
    answers = visible_answers(kept.spec, answers)
    broken = passport_problems(kept.spec, answers)
    if broken:
        return broken
    before, was_published = dict(found.data), found.published
    if answers == before and published == was_published:
        return []  # nothing changed: no new revision
    found.data = answers
    found.title = _title(kept.spec, answers)
    found.published = published
    found.form_version_id = kept.version.id
    found.revision += 1
    found.updated_at = utcnow()
    session.add(_revision(found, user, "edited"))
    changes = {
        key: [before.get(key), answers.get(key)]
        for key in sorted(set(before) | set(answers))
        if before.get(key) != answers.get(key)
    }
    if published != was_published:
        changes["published"] = [was_published, published]
    record(session, user, "registry.edit", found, revision=found.revision, changes=changes)
    return []


def set_archived(
    session: Session, user: User, kept: Registry, found: RegistryRecord, archived: bool
) -> None:
    """Archive a record (it leaves lists, the public page and future confirmations; its
    history stays) or bring it back. The registry's own coordinators may also archive
    (not restore) a record that lies outside its territory."""
    if _stray(kept, found) and oversees(user, kept):
        if not archived:  # back in the registry, from outside its territory: no
            raise OutsideTerritory(Action.FILL_REPORT)
    else:
        require_keep(user, kept, found.unit)
    wanted = ARCHIVED if archived else ACTIVE
    if found.status == wanted:
        return
    found.status = wanted
    found.revision += 1
    found.updated_at = utcnow()
    change = "archived" if archived else "restored"
    session.add(_revision(found, user, change))
    record(session, user, f"registry.{change[:-1]}", found, revision=found.revision)


def confirmation(records: Sequence[RegistryRecord], moment: datetime) -> dict[str, Any]:
    """What a unit's confirmation keeps: each record's passport as it is now, with the
    record and revision it was read from, and when."""
    return {
        "records": [
            {**r.data, "_record": r.id, "_revision": r.revision, "_title": r.title} for r in records
        ],
        "confirmed_at": moment.isoformat(timespec="seconds"),
    }


def confirm_records(session: Session, user: User, entry: Entry) -> list[Problem]:
    """A campaign's confirmation: the unit's active records as of now become its
    response (`{"records": [...]}`), submitted as a report is."""
    response = entry.response
    if response is None or entry.campaign is None:
        raise NotInScope(entry.unit.id)
    if not entry.editable:
        raise NotEditable(entry.status)
    records = unit_records(session, entry.spec.id, entry.unit.id)
    response.answers = confirmation(records, utcnow())
    if response.status == ResponseState.NOT_STARTED:
        response.status = ResponseState.DRAFT.value  # as a first save does
    response.revision += 1
    response.updated_by, response.updated_at = user.id, utcnow()
    record(
        session,
        user,
        "registry.confirm",
        response,
        records=[r.id for r in records],
        revisions=[r.revision for r in records],
    )
    try:
        move_response(session, user, response, Move.SUBMIT)
    except DeadlinePassed:
        return [Problem(entry.spec.sections[0].id, "", _("The deadline has passed."))]
    except (CampaignError, MoveRefused):
        return [Problem(entry.spec.sections[0].id, "", _("The records cannot be confirmed now."))]
    return []


def confirmed_records(entry: Entry) -> list[dict[str, Any]]:
    """The records a confirmation holds (none before the unit confirms)."""
    rows = entry.answers.get("records") if entry.response is not None else None
    return [r for r in rows or [] if isinstance(r, dict)]


def public_fields(spec: FormSpec) -> Sequence[Any]:
    return [f for f in spec.fields if shown_publicly(f)]


@dataclass(frozen=True)
class PublicTable:
    """The public page's table: the records, the fields shown, and whether the column of
    each record's organisation is shown (not when a field already names it)."""

    records: list[RegistryRecord]
    fields: list[FieldSpec]
    unit_column: bool


def _same_name(value: Any, name: str) -> bool:
    return isinstance(value, str) and " ".join(value.split()).casefold() == (
        " ".join(name.split()).casefold()
    )


def public_table(session: Session, kept: Registry) -> PublicTable:
    """What the public page lists, and how: a registry of organisations (each record's
    name field holding its organisation's name) does not repeat the organisation in a
    column of its own."""
    records = published_records(session, kept)
    fields = list(public_fields(kept.spec))
    names_unit = bool(records) and any(
        all(_same_name(r.data.get(f.id), r.unit.name) for r in records) for f in fields
    )
    return PublicTable(records, fields, unit_column=not names_unit)
