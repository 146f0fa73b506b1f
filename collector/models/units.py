"""The org tree: region → municipality → school, and the other unit types the documents count.

Each unit stores a materialised path of ids ("/1/7/42/"), indexed, so a subtree is one
range scan on the index whatever the size of the whole tree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    case,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from collector.models.base import Base, UTCDateTime, utcnow
from collector.natural import NaturalKey, natural_key

T = TypeVar("T")


class UnitType(enum.StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    SUPPLEMENTARY = "supplementary"
    COLLEGE = "college"
    UNIVERSITY = "university"
    OTHER = "other"


# Which types may sit directly under which. Colleges, universities and supplementary
# education may belong to a municipality or directly to the region (regional subordination).
ALLOWED_PARENTS: dict[UnitType, frozenset[UnitType | None]] = {
    UnitType.REGION: frozenset({None}),
    UnitType.MUNICIPALITY: frozenset({UnitType.REGION}),
    UnitType.SCHOOL: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
    UnitType.KINDERGARTEN: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
    UnitType.SUPPLEMENTARY: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
    UnitType.COLLEGE: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
    UnitType.UNIVERSITY: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
    UnitType.OTHER: frozenset({UnitType.MUNICIPALITY, UnitType.REGION}),
}

# On PostgreSQL the path column uses the "C" collation: locale collations ignore
# punctuation, which would break the byte-wise range that selects a subtree.
PathString = String(255).with_variant(String(255, collation="C"), "postgresql")


class OrgUnit(Base):
    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint(
            "unit_type IN ('region', 'municipality', 'school', 'kindergarten', "
            "'supplementary', 'college', 'university', 'other')",
            name="unit_type",
        ),
        Index("ix_org_unit_parent_name", "parent_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    unit_type: Mapped[str] = mapped_column(String(32))
    # Stable external code (e.g. the region's own code or ИНН) used to match imports.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(200))
    # IANA time zone for deadlines; a unit without one uses its nearest ancestor's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    # A school's type (collector.unit_catalog.SCHOOL_TYPES): gymnasium, adaptive school…
    school_type: Mapped[str | None] = mapped_column(String(32))
    # Whom a coordinator calls or writes to about the unit's reports (and reminders go to).
    contact_name: Mapped[str | None] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    path: Mapped[str] = mapped_column(PathString, index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.unit_type} {self.name!r}>"

    @property
    def type(self) -> UnitType:
        return UnitType(self.unit_type)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit's parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)

    def subtree_clause(self, include_self: bool = True) -> ColumnElement[bool]:
        return subtree_clause(self.path, include_self)


def subtree_clause(path: str, include_self: bool = True) -> ColumnElement[bool]:
    """Units whose path starts with `path`, as an index-friendly range: every such path
    lies in [path, path with its final "/" replaced by "0"), since "0" follows "/"."""
    upper = path[:-1] + "0"
    clause = (OrgUnit.path >= path) & (OrgUnit.path < upper)
    if not include_self:
        clause = clause & (OrgUnit.path != path)
    return clause


def subtrees_clause(paths: Iterable[str]) -> ColumnElement[bool]:
    """Units within any of the subtrees at `paths`."""
    return or_(*(subtree_clause(path) for path in paths))


def subtree_ids_select(path: str) -> Select[int]:
    return select(OrgUnit.id).where(subtree_clause(path))


# Siblings come by type (municipalities before the schools and colleges of the region
# itself), then by name.
TYPE_ORDER = {unit_type.value: rank for rank, unit_type in enumerate(UnitType)}

TreeKey = tuple[tuple[int, NaturalKey], ...]


def tree_key(unit: OrgUnit, ancestors: Mapping[int, OrgUnit]) -> TreeKey:
    """The unit's place in the tree's order: depth first, a parent before its children,
    siblings by type and then by name in natural order (numbers as numbers). `ancestors`
    holds the unit's ancestors by id (those missing, outside what is shown, are passed)."""
    chain = [ancestors[i] for i in unit.ancestor_ids if i in ancestors] + [unit]
    return tuple((TYPE_ORDER.get(u.unit_type, len(TYPE_ORDER)), natural_key(u.name)) for u in chain)


def in_tree_order(
    session: Session, items: Iterable[T], unit_of: Callable[[T], OrgUnit] | None = None
) -> list[T]:
    """`items` in the tree's order of their units (`unit_of(item)`; the items themselves
    when they are units). Their ancestors are read in one query."""
    listed = list(items)
    own = [unit_of(item) for item in listed] if unit_of else cast(list[OrgUnit], listed)
    ancestors = {u.id: u for u in own}
    wanted = {i for unit in own for i in unit.ancestor_ids} - set(ancestors)
    if wanted:
        ancestors |= {
            u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(wanted)))
        }
    keys = [tree_key(unit, ancestors) for unit in own]
    order = sorted(range(len(listed)), key=keys.__getitem__)
    return [listed[i] for i in order]


def tree_rank(
    session: Session,
    unit_ids: Select[tuple[int]],
    column: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[Any] | InstrumentedAttribute[int]:
    """An ORDER BY term putting rows in the tree's order of the unit `column` holds, for
    a query whose rows are too many to sort in Python (answers streamed to a workbook):
    the units `unit_ids` selects are read, put in order, and ranked in a CASE."""
    units = in_tree_order(session, session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids))))
    if not units:
        return column
    return case({u.id: n for n, u in enumerate(units)}, value=column, else_=len(units))
