"""Importing org units from CSV/XLSX: every row is checked first, every bad row is
reported by its number, and nothing is written unless all rows are good.

The import services, for the web and the command line, are all reachable from here:
`import_units` (this module) and `import_figures` (collector.units.figures_import).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action, allowed
from collector.auth.services import can, grants_of
from collector.models import OrgUnit, UnitType, User
from collector.models.units import ALLOWED_PARENTS
from collector.schema.values import text_problem
from collector.unit_catalog import SCHOOL_TYPES
from collector.units.figures_import import figures_template_csv, import_figures
from collector.units.import_report import (
    ImportReport,
    RowError,
    check_columns,
    read,
    template_csv,
    units_by_code,
)
from collector.units.tabular import Table
from collector.units.tree import TreeError, add_unit, move_unit

__all__ = [
    "ImportReport",
    "RowError",
    "figures_template_csv",
    "import_figures",
    "import_units",
    "units_template_csv",
]

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
    "контактное лицо": "contact_name",
    "ответственный": "contact_name",
    "e-mail": "contact_email",
    "email": "contact_email",
    "электронная почта": "contact_email",
    "телефон": "contact_phone",
    "вид оо": "school_type",
    "тип школы": "school_type",
}

UNIT_TYPE_WORDS = {
    **{t.value: t for t in UnitType},
    "регион": UnitType.REGION,
    "область": UnitType.REGION,
    "субъект": UnitType.REGION,
    "муниципалитет": UnitType.MUNICIPALITY,
    "муниципальное образование": UnitType.MUNICIPALITY,
    "муниципальный район": UnitType.MUNICIPALITY,
    "муниципальный округ": UnitType.MUNICIPALITY,
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

# A school type by its key or its Russian name (SCHOOL_TYPES), and the usual short words.
SCHOOL_TYPE_WORDS = {
    **{key: key for key in SCHOOL_TYPES},
    **{t.label_ru.lower(): t.key for t in SCHOOL_TYPES.values()},
    "сош": "general",
    "оош": "general",
    "школа": "general",
    "гимназия": "gymnasium",
    "лицей": "lyceum",
    "адаптивная школа": "adaptive",
    "коррекционная школа": "adaptive",
    "школа-интернат": "boarding",
    "интернат": "boarding",
    "вечерняя школа": "evening",
}

UNIT_COLUMNS = (
    "code",
    "name",
    "type",
    "parent_code",
    "short_name",
    "timezone",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "school_type",
)
REQUIRED_UNIT_COLUMNS = ("code", "name", "type", "parent_code")
# Optional attributes with their column widths in org_unit (timezone: checked by name).
ATTRIBUTE_LIMITS = {
    "short_name": 200,
    "timezone": 64,
    "address": 500,
    "contact_name": 300,
    "contact_email": 254,
    "contact_phone": 64,
    "school_type": 32,
}


class Step(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class PlannedUnit:
    row: int
    code: str
    name: str
    unit_type: UnitType
    parent_code: str | None
    # Only the optional columns the row fills: an empty cell keeps what is stored.
    attributes: dict[str, str]
    step: Step = Step.UNCHANGED


@cache
def _time_zones() -> frozenset[str]:
    # A set lookup, because ZoneInfo() raises odd errors for some names ("America").
    return frozenset(available_timezones())


def _parse_unit_row(
    row_number: int, values: dict[str, str], report: ImportReport
) -> PlannedUnit | None:
    errors_before = len(report.errors)
    code, name = values.get("code", ""), values.get("name", "")
    if not code:
        report.error(row_number, "code", _("The code is empty."))
    elif len(code) > 64:
        report.error(row_number, "code", _("The code is longer than 64 characters."))
    if not name:
        report.error(row_number, "name", _("The name is empty."))
    elif len(name) > 500:
        report.error(row_number, "name", _("The name is longer than 500 characters."))
    type_text = values.get("type", "")
    unit_type = UNIT_TYPE_WORDS.get(" ".join(type_text.lower().split()))
    if unit_type is None:
        report.error(
            row_number, "type", _("Unknown organisation type «%(value)s».", value=type_text)
        )
    attributes = {key: values[key] for key in ATTRIBUTE_LIMITS if values.get(key)}
    for key, limit in ATTRIBUTE_LIMITS.items():
        if key == "timezone" and key in attributes and attributes[key] not in _time_zones():
            report.error(row_number, key, _("Unknown time zone «%(value)s».", value=values[key]))
        elif key == "school_type" and key in attributes:
            school_type = SCHOOL_TYPE_WORDS.get(" ".join(attributes[key].lower().split()))
            if school_type is None:
                report.error(
                    row_number, key, _("Unknown school type «%(value)s».", value=values[key])
                )
            else:
                attributes[key] = school_type
        elif len(attributes.get(key, "")) > limit:
            report.error(row_number, key, _("The value is longer than %(n)d characters.", n=limit))
    for key, text in values.items():
        if text_problem(text) is not None:
            report.error(row_number, key, _("The value holds control characters (such as NUL)."))
    if len(report.errors) > errors_before or unit_type is None:
        return None
    parent_code = values.get("parent_code") or None
    return PlannedUnit(row_number, code, name, unit_type, parent_code, attributes)


def _parse_unit_rows(table: Table, report: ImportReport) -> tuple[list[PlannedUnit], set[str]]:
    """The good rows, and the codes of the rows that have errors (their children are not
    checked against them: the parent's own row already tells what to fix)."""
    planned: list[PlannedUnit] = []
    failed: set[str] = set()
    first_row: dict[str, int] = {}
    for row in table.rows:
        code = row.get("code")
        if code in first_row:
            report.error(
                row.number, "code", _("The code repeats row %(row)d.", row=first_row[code])
            )
            continue
        if code:
            first_row[code] = row.number
        item = _parse_unit_row(row.number, row.values, report)
        if item is None:
            failed.add(code)
        else:
            planned.append(item)
    return planned, failed


def _creation_order(planned: list[PlannedUnit], report: ImportReport) -> list[PlannedUnit]:
    """The rows with every parent from the file before its children. Rows on a cycle are
    reported; rows below a cycle are left out (they could never be placed)."""
    by_code = {p.code: p for p in planned}
    order: list[PlannedUnit] = []
    placed: set[str] = set()  # in `order`
    done: set[str] = set()  # placed, on a cycle, or below one
    for item in planned:
        trail: list[str] = []
        code: str | None = item.code
        while code in by_code and code not in done and code not in trail:
            trail.append(code)
            code = by_code[code].parent_code
        if code is not None and code in trail:
            cycle = trail[trail.index(code) :]
            codes = " → ".join([*cycle, code])
            for member in cycle:
                report.error(
                    by_code[member].row,
                    "parent_code",
                    _("The parents form a cycle: %(codes)s.", codes=codes),
                )
            done.update(cycle)
        for member in reversed(trail):
            parent = by_code[member].parent_code
            if member not in done and (parent not in by_code or parent in placed):
                order.append(by_code[member])
                placed.add(member)
            done.add(member)
    return order


def _may(actor: User | None, action: Action, unit: OrgUnit | None) -> bool:
    """The command line (no actor) may do anything; a new region needs the action
    installation-wide."""
    if actor is None:
        return True
    if unit is None:
        return allowed(grants_of(actor), action, "")
    return can(actor, action, unit)


def _check_unit(
    item: PlannedUnit,
    by_code: dict[str, PlannedUnit],
    existing: dict[str, OrgUnit],
    actor: User | None,
) -> tuple[str, str] | None:
    """Parent, type and scope of one row: the (column, message) of its problem, or None
    with the step the write will take set on the row."""
    outside = "parent_code", _("That organisation is outside your scope.")
    parent_unit = existing.get(item.parent_code) if item.parent_code else None
    # A parent created by this file was checked on its own row; scope follows from it.
    parent_is_new = item.parent_code in by_code and parent_unit is None
    if item.parent_code in by_code:
        parent_type: UnitType | None = by_code[item.parent_code].unit_type
    elif item.parent_code and parent_unit is None:
        return "parent_code", _("No organisation has the code «%(code)s».", code=item.parent_code)
    else:
        parent_type = parent_unit.type if parent_unit is not None else None
    if parent_type not in ALLOWED_PARENTS[item.unit_type]:
        return "parent_code", _("An organisation of this type cannot be placed under that parent.")
    unit = existing.get(item.code)
    if unit is None:
        if not parent_is_new and not _may(actor, Action.IMPORT_UNITS, parent_unit):
            return outside
        item.step = Step.CREATE
        return None
    # Scope before anything about the unit itself, which the actor may not see.
    if actor is not None and not can(actor, Action.EDIT_UNIT, unit):
        return "code", _("That organisation is outside your scope.")
    if unit.type != item.unit_type:
        return "type", _("The type of an existing organisation cannot change.")
    moves = parent_is_new or (parent_unit.id if parent_unit else None) != unit.parent_id
    if moves and parent_unit is not None and parent_unit.is_within(unit):
        return "parent_code", _("An organisation cannot be moved below itself.")
    if moves and not parent_is_new and not _may(actor, Action.EDIT_UNIT, parent_unit):
        return outside
    edits = unit.name != item.name or any(
        getattr(unit, key) != value for key, value in item.attributes.items()
    )
    item.step = Step.UPDATE if moves or edits else Step.UNCHANGED
    return None


class _RowFailure(Exception):
    def __init__(self, item: PlannedUnit, message: str) -> None:
        super().__init__(message)
        self.item = item
        self.message = message


def _write_units(session: Session, order: list[PlannedUnit], existing: dict[str, OrgUnit]) -> None:
    units = dict(existing)
    for item in order:
        if item.step is Step.UNCHANGED:
            continue
        parent = units.get(item.parent_code) if item.parent_code else None
        try:
            if item.step is Step.CREATE:
                units[item.code] = add_unit(
                    session,
                    parent=parent,
                    unit_type=item.unit_type,
                    code=item.code,
                    name=item.name,
                    **item.attributes,
                )
                continue
            unit = units[item.code]
            unit.name = item.name
            for key, value in item.attributes.items():
                setattr(unit, key, value)
            if (parent.id if parent is not None else None) != unit.parent_id:
                move_unit(session, unit, parent)
        except TreeError as error:
            # The checks above should make this unreachable; if not, the row still says why.
            below = parent is not None and item.code in units and parent.is_within(units[item.code])
            message = (
                _("An organisation cannot be moved below itself.")
                if below
                else _("An organisation of this type cannot be placed under that parent.")
            )
            raise _RowFailure(item, message) from error


def import_units(
    session: Session, actor: User | None, filename: str, data: bytes, *, dry_run: bool = False
) -> ImportReport:
    """Create or update the units of a file; on any error nothing is written. The caller
    commits when the report is ok and it is not a dry run."""
    report = ImportReport(dry_run=dry_run)
    table = read(filename, data, UNIT_ALIASES, report)
    if table is None or not check_columns(table, REQUIRED_UNIT_COLUMNS, UNIT_COLUMNS, report):
        return report.finish()
    planned, failed = _parse_unit_rows(table, report)
    existing = units_by_code(
        session, [p.code for p in planned] + [p.parent_code for p in planned if p.parent_code]
    )
    by_code = {p.code: p for p in planned}
    order = _creation_order(planned, report)
    for item in order:
        problem = (
            _check_unit(item, by_code, existing, actor) if item.parent_code not in failed else None
        )
        if problem is not None:
            report.error(item.row, *problem)
    if not report.ok:
        return report.finish()
    steps = [item.step for item in order]
    report.created, report.updated = steps.count(Step.CREATE), steps.count(Step.UPDATE)
    report.unchanged = steps.count(Step.UNCHANGED)
    if dry_run:
        return report.finish()
    try:
        # A savepoint: a failure half-way undoes this import and leaves the session usable.
        with session.begin_nested():
            _write_units(session, order, existing)
            event = record(
                session,
                actor,
                "units.import",
                None,
                filename=filename,
                created=report.created,
                updated=report.updated,
            )
            event.object_type = "import"
    except _RowFailure as failure:
        report.created = report.updated = report.unchanged = 0
        report.error(failure.item.row, "parent_code", failure.message)
    return report.finish()


def units_template_csv() -> bytes:
    return template_csv(
        list(UNIT_COLUMNS),
        [
            "40-S-0001",
            "МБОУ «Средняя общеобразовательная школа № 1»",
            "школа",
            "40-M-KALUGA",
            "СОШ № 1",
            "Europe/Moscow",
            "г. Калуга, ул. Ленина, 1",
        ],
    )
