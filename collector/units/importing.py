"""Importing org units and reference figures from CSV/XLSX: every row is checked first,
every bad row is reported by its number, and nothing is written unless all rows are good."""

from __future__ import annotations

import io
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action, allowed
from collector.auth.services import can, grants_of
from collector.models import OrgUnit, UnitType, User
from collector.models.units import ALLOWED_PARENTS
from collector.units.tabular import Table, TableError, read_table
from collector.units.tree import add_unit, move_unit


@dataclass(frozen=True)
class RowError:
    row: int  # 0 for the file as a whole
    column: str | None
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))


UNIT_ALIASES = {
    "код": "code",
    "наименование": "name",
    "полное наименование": "name",
    "тип": "type",
    "код вышестоящей": "parent_code",
    "код вышестоящей организации": "parent_code",
    "родитель": "parent_code",
    "краткое наименование": "short_name",
    "часовой пояс": "timezone",
    "адрес": "address",
}

UNIT_TYPE_WORDS = {
    **{t.value: t for t in UnitType},
    "регион": UnitType.REGION,
    "область": UnitType.REGION,
    "субъект": UnitType.REGION,
    "муниципалитет": UnitType.MUNICIPALITY,
    "муниципальное образование": UnitType.MUNICIPALITY,
    "муниципальный район": UnitType.MUNICIPALITY,
    "район": UnitType.MUNICIPALITY,
    "городской округ": UnitType.MUNICIPALITY,
    "школа": UnitType.SCHOOL,
    "общеобразовательная организация": UnitType.SCHOOL,
    "оо": UnitType.SCHOOL,
    "детский сад": UnitType.KINDERGARTEN,
    "доо": UnitType.KINDERGARTEN,
    "организация дополнительного образования": UnitType.SUPPLEMENTARY,
    "удо": UnitType.SUPPLEMENTARY,
    "одо": UnitType.SUPPLEMENTARY,
    "колледж": UnitType.COLLEGE,
    "техникум": UnitType.COLLEGE,
    "поо": UnitType.COLLEGE,
    "вуз": UnitType.UNIVERSITY,
    "оо во": UnitType.UNIVERSITY,
    "университет": UnitType.UNIVERSITY,
    "прочее": UnitType.OTHER,
    "иная организация": UnitType.OTHER,
}

UNIT_COLUMNS = ("code", "name", "type", "parent_code", "short_name", "timezone", "address")
REQUIRED_UNIT_COLUMNS = ("code", "name", "type", "parent_code")


@dataclass
class PlannedUnit:
    row: int
    code: str
    name: str
    unit_type: UnitType
    parent_code: str | None
    attributes: dict[str, str | None]


def read(filename: str, data: bytes, aliases: dict[str, str], report: ImportReport) -> Table | None:
    try:
        return read_table(filename, data, aliases)
    except TableError as error:
        report.error(0, None, str(error))
        return None


def check_columns(
    table: Table, required: Iterable[str], known: Container[str], report: ImportReport
) -> bool:
    """Header problems are reported on row 1; True when there are none."""
    for column in required:
        if column not in table.columns:
            report.error(1, column, _("The column «%(column)s» is missing.", column=column))
    for column in table.columns:
        if column not in known:
            report.error(1, column, _("Unknown column «%(column)s».", column=column))
    return report.ok


def _parse_unit_rows(table: Table, report: ImportReport) -> list[PlannedUnit]:
    planned: list[PlannedUnit] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        code, name = row.get("code"), row.get("name")
        problems = len(report.errors)
        if not code:
            report.error(row.number, "code", _("The code is empty."))
        elif len(code) > 64:
            report.error(row.number, "code", _("The code is longer than 64 characters."))
        elif code in first_row:
            report.error(
                row.number, "code", _("The code repeats row %(row)d.", row=first_row[code])
            )
        else:
            first_row[code] = row.number
        if not name:
            report.error(row.number, "name", _("The name is empty."))
        elif len(name) > 500:
            report.error(row.number, "name", _("The name is longer than 500 characters."))
        unit_type = UNIT_TYPE_WORDS.get(" ".join(row.get("type").lower().split()))
        if unit_type is None:
            report.error(
                row.number,
                "type",
                _("Unknown organisation type «%(value)s».", value=row.get("type")),
            )
        timezone = row.get("timezone") or None
        if timezone:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                report.error(
                    row.number, "timezone", _("Unknown time zone «%(value)s».", value=timezone)
                )
        if len(report.errors) == problems and unit_type is not None:
            planned.append(
                PlannedUnit(
                    row=row.number,
                    code=code,
                    name=name,
                    unit_type=unit_type,
                    parent_code=row.get("parent_code") or None,
                    attributes={
                        "short_name": row.get("short_name") or None,
                        "timezone": timezone,
                        "address": row.get("address") or None,
                    },
                )
            )
    return planned


def _may_place(actor: User | None, parent: OrgUnit | None, action: Action) -> bool:
    if actor is None:
        return True
    if parent is None:
        return allowed(grants_of(actor), action, "")
    return can(actor, action, parent)


def _check_units(
    planned: list[PlannedUnit],
    existing: dict[str, OrgUnit],
    actor: User | None,
    report: ImportReport,
) -> list[PlannedUnit]:
    """Checks parents, types and scope; returns the rows in an order that creates every
    parent before its children."""
    by_code = {p.code: p for p in planned}
    graph = {p.code: {p.parent_code} if p.parent_code in by_code else set() for p in planned}
    try:
        order = [by_code[code] for code in TopologicalSorter(graph).static_order()]
    except CycleError as error:
        cycle = [str(c) for c in error.args[1]]
        for code in dict.fromkeys(cycle):
            report.error(
                by_code[code].row,
                "parent_code",
                _("The parents form a cycle: %(codes)s.", codes=" → ".join(cycle)),
            )
        return []
    for item in order:
        unit = existing.get(item.code)
        parent_type: UnitType | None = None
        parent_unit = existing.get(item.parent_code) if item.parent_code else None
        if item.parent_code in by_code:
            parent_type = by_code[item.parent_code].unit_type
        elif item.parent_code:
            if parent_unit is None:
                report.error(
                    item.row,
                    "parent_code",
                    _("No organisation has the code «%(code)s».", code=item.parent_code),
                )
                continue
            parent_type = parent_unit.type
        if parent_type not in ALLOWED_PARENTS[item.unit_type]:
            report.error(
                item.row,
                "parent_code",
                _("An organisation of this type cannot be placed under that parent."),
            )
            continue
        # A parent created by this file is checked on its own row: scope follows from it.
        parent_checked = item.parent_code in by_code and item.parent_code not in existing
        if unit is None:
            if not parent_checked and not _may_place(actor, parent_unit, Action.IMPORT_UNITS):
                report.error(item.row, "parent_code", _("That organisation is outside your scope."))
            continue
        if unit.type != item.unit_type:
            report.error(item.row, "type", _("The type of an existing organisation cannot change."))
        elif actor is not None and not can(actor, Action.EDIT_UNIT, unit):
            report.error(item.row, "code", _("That organisation is outside your scope."))
        elif item.parent_code != (unit.parent.code if unit.parent else None):
            if parent_unit is not None and parent_unit.is_within(unit):
                report.error(
                    item.row, "parent_code", _("An organisation cannot be moved below itself.")
                )
            elif not parent_checked and not _may_place(actor, parent_unit, Action.EDIT_UNIT):
                report.error(item.row, "parent_code", _("That organisation is outside your scope."))
    return order


def _write_units(
    session: Session, order: list[PlannedUnit], existing: dict[str, OrgUnit], report: ImportReport
) -> None:
    units = dict(existing)
    for item in order:
        parent = units.get(item.parent_code) if item.parent_code else None
        unit = units.get(item.code)
        if unit is None:
            units[item.code] = add_unit(
                session,
                parent=parent,
                unit_type=item.unit_type,
                code=item.code,
                name=item.name,
                **item.attributes,
            )
            report.created += 1
            continue
        changed = unit.name != item.name or any(
            getattr(unit, key) != value for key, value in item.attributes.items()
        )
        unit.name = item.name
        for key, value in item.attributes.items():
            setattr(unit, key, value)
        if (parent.id if parent else None) != unit.parent_id:
            move_unit(session, unit, parent)
            changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def import_units(
    session: Session, actor: User | None, filename: str, data: bytes, *, dry_run: bool = False
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    table = read(filename, data, UNIT_ALIASES, report)
    if table is None:
        return report
    if not check_columns(table, REQUIRED_UNIT_COLUMNS, set(UNIT_COLUMNS), report):
        return report
    planned = _parse_unit_rows(table, report)
    codes = {p.code for p in planned} | {p.parent_code for p in planned if p.parent_code}
    existing = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    order = _check_units(planned, existing, actor, report)
    if report.errors or dry_run:
        return report
    _write_units(session, order, existing, report)
    record(
        session,
        actor,
        "units.import",
        None,
        filename=filename,
        created=report.created,
        updated=report.updated,
    )
    return report


def template_csv(columns: list[str], example: list[str]) -> bytes:
    """A template with a BOM and `;`, as Russian Excel opens it without asking."""
    buffer = io.StringIO()
    buffer.write(";".join(columns) + "\r\n" + ";".join(example) + "\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def units_template_csv() -> bytes:
    return template_csv(
        list(UNIT_COLUMNS),
        [
            "40-S-0001",
            "МБОУ «Средняя общеобразовательная школа № 1»",
            "школа",
            "40-M-KALUGA",
            "СОШ № 1",
            "",
            "г. Калуга, ул. Ленина, 1",
        ],
    )
