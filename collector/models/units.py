"""The org tree: region → municipality → school, and the other unit types the documents count.

Each unit stores a materialised path of ids ("/1/7/42/"), indexed, so a subtree is one
range scan on the index whatever the size of the whole tree; and its place in the tree's
natural order as text (`sort_path`), indexed, so the database sorts and pages units (and
the rows that refer to them) in that order.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from collector.models.base import Base, UTCDateTime, utcnow
from collector.natural import natural_text

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
# The same for the tree's order: compared code point by code point, as Python and SQLite
# compare, so that the database and a list sorted here agree.
SortPathString = String(1000).with_variant(String(1000, collation="C"), "postgresql")


class OrgUnit(Base):
    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint(
            "unit_type IN ('region', 'municipality', 'school', 'kindergarten', "
            "'supplementary', 'college', 'university', 'other')",
            name="unit_type",
        ),
        Index("ix_org_unit_parent_sort_path", "parent_id", "sort_path"),
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
    # The unit's place in the tree's order (see sort_segment), kept by the session on
    # every flush that adds a unit or changes its name, type, code or parent.
    sort_path: Mapped[str] = mapped_column(SortPathString, index=True)
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
# itself), then by name in natural order, then by code (two namesakes' subtrees apart).
TYPE_ORDER = {unit_type.value: rank for rank, unit_type in enumerate(UnitType)}
# Ends a name and a code inside a sort path: it sorts before every character they keep
# (control characters are dropped), so a shorter name, and a parent, come first.
SORT_END = "\x1f"
# A name's natural text is cut here: sort paths stay short enough for an index entry.
SORT_NAME_CHARS = 200


def sort_segment(unit_type: str, name: str, code: str) -> str:
    """A unit's own part of its sort path: its type's rank, its name's natural text
    (numbers as numbers), its code (namesakes apart); each unit's sort path is its
    parent's followed by this, so plain text order of sort paths is the tree's order,
    depth first."""
    rank = TYPE_ORDER.get(unit_type, len(TYPE_ORDER))
    name_text = natural_text(name)[:SORT_NAME_CHARS]
    # The code as it is (unique: no two units' sort paths are the same).
    code_text = "".join(c for c in code if c > SORT_END)
    return f"{rank:02d}{name_text}{SORT_END}{code_text}{SORT_END}"


def fill_sort_paths(rows: Iterable[dict[str, Any]]) -> None:
    """Gives rows for a bulk INSERT of units (past the session, which keeps sort paths
    of the units it adds) their sort paths; each row's parent (if any) comes before it."""
    sort_paths: dict[int | None, str] = {None: ""}
    for row in rows:
        segment = sort_segment(row["unit_type"], row["name"], row["code"])
        row["sort_path"] = sort_paths[row["id"]] = sort_paths[row["parent_id"]] + segment


# The ORDER BY terms of the tree's order (the id only breaks ties of a fixed order).
IN_TREE_ORDER = (OrgUnit.sort_path, OrgUnit.id)

TreeKey = tuple[str, int]


class UnitLike(Protocol):
    """What reports and their pages read of a unit: an OrgUnit, or its UnitRecord."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str | None: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def school_type(self) -> str | None: ...
    @property
    def path(self) -> str: ...
    @property
    def sort_path(self) -> str: ...


class UnitRecord(NamedTuple):
    """A unit's columns a report reads, without an ORM object's bookkeeping: a national
    campaign's report refers to some forty thousand units on every view, and loading
    them as OrgUnits took seconds and hundreds of MB. Its fields are OrgUnit's columns
    of the same names."""

    id: int
    code: str
    name: str
    short_name: str | None
    unit_type: str
    school_type: str | None
    path: str
    sort_path: str

    @classmethod
    def of(cls, unit: UnitLike) -> UnitRecord:
        return cls(*(getattr(unit, name) for name in cls._fields))


RECORD_COLUMNS = tuple(getattr(OrgUnit, name) for name in UnitRecord._fields)


def within_or_above(scopes: Sequence[str]) -> ColumnElement[bool]:
    """Units within any of the subtrees at `scopes`, or on the way down to one of them."""
    above = {int(i) for path in scopes for i in path.strip("/").split("/") if i}
    return or_(subtrees_clause(scopes), OrgUnit.id.in_(above))


def unit_records(
    session: Session, ids: Iterable[int], scopes: Iterable[str]
) -> dict[int, UnitRecord]:
    """The records of the units `ids`, each within one of the subtrees at `scopes` or
    above one of them. Read by subtree, not by a list of ids: forty thousand bound ids
    cost the driver more than reading the subtree's rows."""
    wanted, paths = set(ids), list(scopes)
    if not wanted or not paths:
        return {}
    rows = session.execute(select(*RECORD_COLUMNS).where(within_or_above(paths)))
    return {row.id: UnitRecord(*row) for row in rows if row.id in wanted}


def tree_key(unit: UnitLike) -> TreeKey:
    """The unit's place in the tree's order, as IN_TREE_ORDER sorts in the database."""
    return unit.sort_path, unit.id


def in_tree_order(items: Iterable[T], unit_of: Callable[[T], UnitLike] | None = None) -> list[T]:
    """`items` in the tree's order of their units (`unit_of(item)`; the items themselves
    when they are units), for lists already in hand; a query orders by IN_TREE_ORDER."""
    listed = list(items)
    own = [unit_of(item) for item in listed] if unit_of else cast(list[UnitLike], listed)
    keys = [tree_key(unit) for unit in own]
    order = sorted(range(len(listed)), key=keys.__getitem__)
    return [listed[i] for i in order]


def reprefixed(column: InstrumentedAttribute[str], old: str, new: str) -> ColumnElement[str]:
    """SQL for `column`'s value with its leading `old` replaced by `new`."""
    return literal(new, String).concat(func.substr(column, len(old) + 1))


_ORDER_ATTRIBUTES = ("name", "unit_type", "code", "parent_id", "parent")
# Only these types have children: another unit's rename touches no other row.
PARENT_TYPES = frozenset(
    parent.value for parents in ALLOWED_PARENTS.values() for parent in parents if parent
)


def _order_changed(unit: OrgUnit) -> bool:
    state = inspect(unit)
    return state.pending or any(state.attrs[key].history.has_changes() for key in _ORDER_ATTRIBUTES)


def _rewritten(unit: OrgUnit, held: str, moved: dict[int, tuple[str, str]]) -> str:
    """`held`, a sort path read before this flush, as the database holds it now that the
    subtrees in `moved` (by their unit's id: old and new beginning) were rewritten."""
    for ancestor_id in unit.ancestor_ids:
        if ancestor_id in moved:
            old, new = moved[ancestor_id]
            if held.startswith(old):
                held = new + held[len(old) :]
    return held


@event.listens_for(Session, "before_flush")
def _keep_sort_paths(session: Session, flush_context: Any, instances: Any) -> None:
    """Gives each unit added, renamed, retyped, recoded or re-hung its sort path, and its
    subtree's sort paths their new beginning (one UPDATE), parents before children. This
    is the one place sort paths are made; move_unit (which re-hangs a subtree with bulk
    UPDATEs the session does not see) rewrites their beginnings as it rewrites paths."""
    changed = sorted(
        (u for u in (*session.new, *session.dirty) if isinstance(u, OrgUnit) and _order_changed(u)),
        key=lambda u: u.depth or 0,
    )
    moved: dict[int, tuple[str, str]] = {}
    for unit in changed:
        parent = unit.parent
        if parent is None and unit.parent_id is not None:
            parent = session.get(OrgUnit, unit.parent_id)
        new = (parent.sort_path if parent is not None else "") + sort_segment(
            unit.unit_type, unit.name, unit.code
        )
        if inspect(unit).pending:
            unit.sort_path = new
            continue
        old = _rewritten(unit, unit.sort_path, moved)
        unit.sort_path = new
        if old != new and unit.unit_type in PARENT_TYPES:
            session.connection().execute(
                update(OrgUnit)
                .where(subtree_clause(unit.path, include_self=False))
                .values(sort_path=reprefixed(OrgUnit.sort_path, old, new))
            )
            moved[unit.id] = (old, new)
    if not moved:
        return
    # The other loaded units of those subtrees: as the database now holds them.
    done = set(changed)
    for other in list(session.identity_map.values()):
        if not isinstance(other, OrgUnit) or other in done:
            continue
        loaded = inspect(other).dict
        if "sort_path" not in loaded:
            continue
        if "path" not in loaded:
            session.expire(other, ["sort_path"])
            continue
        set_committed_value(other, "sort_path", _rewritten(other, loaded["sort_path"], moved))
