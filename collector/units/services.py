"""Reading and changing org units and their figures, always on behalf of a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import can, require
from collector.errors import NotInScope
from collector.models import OrgUnit, ReferenceFigure, UnitType, User
from collector.models.units import IN_TREE_ORDER, subtree_clause
from collector.unit_catalog import FIGURE_KINDS, part_violations
from collector.units.tree import TreeError, add_unit, move_unit

PAGE_SIZE = 100


class UnitChangeError(ValueError):
    """A change the user asked for that cannot be made; the message is for the user,
    `field` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class UnitData:
    code: str
    name: str
    short_name: str | None = None
    timezone: str | None = None
    address: str | None = None
    is_active: bool = True
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    school_type: str | None = None


def current_academic_year(today: date | None = None) -> int:
    """The academic year starts on 1 September: in May 2026 it is 2025/2026."""
    today = today or date.today()
    return today.year if today.month >= 9 else today.year - 1


def get_unit(session: Session, actor: User, unit_id: int, action: Action) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotInScope(unit_id)
    require(actor, action, unit)
    return unit


def children_of(
    session: Session, unit: OrgUnit, search: str = "", page: int = 1
) -> tuple[list[OrgUnit], int]:
    """Direct children, or with a search text every unit of the subtree whose name or
    code contains it; with the total count for paging."""
    where: ColumnElement[bool]
    if search:
        needle = f"%{search.lower()}%"
        where = subtree_clause(unit.path, include_self=False) & (
            func.lower(OrgUnit.name).like(needle) | func.lower(OrgUnit.code).like(needle)
        )
    else:
        where = OrgUnit.parent_id == unit.id
    total = session.scalar(select(func.count()).select_from(OrgUnit).where(where)) or 0
    # In the tree's order (numbers in names as numbers), one page read.
    rows = session.scalars(
        select(OrgUnit)
        .where(where)
        .order_by(*IN_TREE_ORDER)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return list(rows), total


def _check_data(session: Session, data: UnitData, unit: OrgUnit | None) -> None:
    clash = session.scalar(select(OrgUnit.id).where(OrgUnit.code == data.code))
    if clash is not None and (unit is None or clash != unit.id):
        raise UnitChangeError("code", _("Another organisation already has this code."))
    if data.timezone:
        try:
            ZoneInfo(data.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UnitChangeError("timezone", _("Unknown time zone.")) from None


def create_child(
    session: Session, actor: User, parent: OrgUnit, unit_type: UnitType, data: UnitData
) -> OrgUnit:
    require(actor, Action.EDIT_UNIT, parent)
    _check_data(session, data, None)
    try:
        unit = add_unit(
            session,
            parent=parent,
            unit_type=unit_type,
            code=data.code,
            name=data.name,
            short_name=data.short_name,
            timezone=data.timezone,
            address=data.address,
            is_active=data.is_active,
            contact_name=data.contact_name,
            contact_email=data.contact_email,
            contact_phone=data.contact_phone,
            school_type=data.school_type,
        )
    except TreeError:
        raise UnitChangeError(
            "unit_type", _("An organisation of this type cannot be placed here.")
        ) from None
    record(session, actor, "unit.create", unit, code=unit.code, name=unit.name)
    return unit


def update_unit(
    session: Session, actor: User, unit: OrgUnit, data: UnitData, parent_code: str | None
) -> None:
    require(actor, Action.EDIT_UNIT, unit)
    _check_data(session, data, unit)
    before = {"code": unit.code, "name": unit.name, "parent_id": unit.parent_id}
    unit.code, unit.name, unit.short_name = data.code, data.name, data.short_name
    unit.timezone, unit.address, unit.is_active = data.timezone, data.address, data.is_active
    unit.contact_name, unit.contact_email = data.contact_name, data.contact_email
    unit.contact_phone, unit.school_type = data.contact_phone, data.school_type
    if parent_code is not None and (unit.parent is None or unit.parent.code != parent_code):
        new_parent = session.scalar(select(OrgUnit).where(OrgUnit.code == parent_code))
        if new_parent is None:
            raise UnitChangeError("parent_code", _("No organisation has this code."))
        if not can(actor, Action.EDIT_UNIT, new_parent):
            raise UnitChangeError("parent_code", _("That organisation is outside your scope."))
        try:
            move_unit(session, unit, new_parent)
        except TreeError:
            raise UnitChangeError(
                "parent_code", _("The organisation cannot be moved there.")
            ) from None
    record(session, actor, "unit.update", unit, before=before, code=data.code, name=data.name)


FigureValues = dict[tuple[str, int], int]


def figures_of(session: Session, unit: OrgUnit, year: int) -> FigureValues:
    rows = session.execute(
        select(ReferenceFigure.figure, ReferenceFigure.grade, ReferenceFigure.value).where(
            ReferenceFigure.unit_id == unit.id, ReferenceFigure.academic_year == year
        )
    )
    return {(figure, grade): value for figure, grade, value in rows}


def years_with_figures(session: Session, unit: OrgUnit) -> list[int]:
    return list(
        session.scalars(
            select(ReferenceFigure.academic_year)
            .where(ReferenceFigure.unit_id == unit.id)
            .distinct()
            .order_by(ReferenceFigure.academic_year.desc())
        )
    )


def default_year(session: Session, unit: OrgUnit) -> int:
    """The newest academic year the unit has figures for, else the current one."""
    years = years_with_figures(session, unit)
    return years[0] if years else current_academic_year()


def save_figures(
    session: Session,
    actor: User,
    unit: OrgUnit,
    year: int,
    values: dict[tuple[str, int], int | None],
) -> list[str]:
    """Replace the unit's figures for the year with `values` (None clears a figure).
    Returns messages for parts that exceed their totals; nothing is saved then."""
    require(actor, Action.EDIT_FIGURES, unit)
    known = {key: value for key, value in values.items() if value is not None}
    unknown = [key for key in known if key[0] not in FIGURE_KINDS]
    if unknown:
        raise ValueError(f"unknown figures {unknown}")
    problems = [
        _(
            "%(part)s (%(part_value)d) exceeds %(total)s (%(total_value)d).",
            part=v.part_column,
            part_value=v.part_value,
            total=v.total_column,
            total_value=v.total_value,
        )
        for v in part_violations(known)
    ]
    if problems:
        return problems
    before = figures_of(session, unit, year)
    session.execute(
        delete(ReferenceFigure).where(
            ReferenceFigure.unit_id == unit.id, ReferenceFigure.academic_year == year
        )
    )
    session.add_all(
        ReferenceFigure(unit_id=unit.id, academic_year=year, figure=f, grade=g, value=v)
        for (f, g), v in known.items()
    )
    changed = {
        f"{f}:{g}": [before.get((f, g)), known.get((f, g))]
        for f, g in set(before) | set(known)
        if before.get((f, g)) != known.get((f, g))
    }
    record(session, actor, "figures.update", unit, year=year, changed=changed)
    return []
