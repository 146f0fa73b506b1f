"""Operations on the org tree that keep materialised paths right."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collector.models.units import (
    ALLOWED_PARENTS,
    OrgUnit,
    UnitType,
    reprefixed,
    sort_segment,
    subtree_clause,
)


class TreeError(ValueError):
    """A change that would break the tree (wrong parent type, a cycle)."""


def check_parent(unit_type: UnitType, parent: OrgUnit | None) -> None:
    parent_type = parent.type if parent is not None else None
    if parent_type not in ALLOWED_PARENTS[unit_type]:
        raise TreeError(f"a unit of type {unit_type} cannot be placed under {parent_type}")


def add_unit(
    session: Session,
    *,
    parent: OrgUnit | None,
    unit_type: UnitType,
    code: str,
    name: str,
    **attributes: object,
) -> OrgUnit:
    """Create a unit under `parent` and give it its path (needs its id, hence the flush)."""
    check_parent(unit_type, parent)
    unit = OrgUnit(
        parent=parent,
        unit_type=unit_type.value,
        code=code,
        name=name,
        depth=parent.depth + 1 if parent is not None else 0,
        **attributes,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent is not None else '/'}{unit.id}/"
    session.flush()
    return unit


def move_unit(session: Session, unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Re-hang a unit and its subtree with one UPDATE of their paths and sort paths."""
    check_parent(unit.type, new_parent)
    if new_parent is not None and new_parent.is_within(unit):
        raise TreeError("a unit cannot be moved below itself")
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent is not None else '/'}{unit.id}/"
    if new_path == old_path:
        return
    depth_shift = new_path.count("/") - old_path.count("/")
    session.flush()
    old_sort_path = unit.sort_path
    new_sort_path = (new_parent.sort_path if new_parent is not None else "") + sort_segment(
        unit.unit_type, unit.name, unit.code
    )
    session.execute(
        update(OrgUnit)
        .where(subtree_clause(old_path))
        .values(
            path=reprefixed(OrgUnit.path, old_path, new_path),
            sort_path=reprefixed(OrgUnit.sort_path, old_sort_path, new_sort_path),
            depth=OrgUnit.depth + depth_shift,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OrgUnit)
        .where(OrgUnit.id == unit.id)
        .values(parent_id=new_parent.id if new_parent is not None else None)
        .execution_options(synchronize_session=False)
    )
    # The bulk UPDATE bypassed the identity map: reload what is loaded.
    session.expire_all()


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """Root first, by primary key from the path: no recursive query."""
    ids = unit.ancestor_ids
    if not ids:
        return []
    found = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def effective_timezone(session: Session, unit: OrgUnit, default: str) -> str:
    if unit.timezone:
        return unit.timezone
    for ancestor in reversed(ancestors(session, unit)):
        if ancestor.timezone:
            return ancestor.timezone
    return default


def children_counts(session: Session, parent_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(OrgUnit.parent_id, func.count())
        .where(OrgUnit.parent_id.in_(parent_ids))
        .group_by(OrgUnit.parent_id)
    )
    return {parent_id: count for parent_id, count in rows if parent_id is not None}
