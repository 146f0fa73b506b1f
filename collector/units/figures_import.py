"""Importing reference figures (pupils by grade, staff) per unit and academic year.

A wide file: one row per unit and year, one column per figure and grade (FIGURE_COLUMNS).
An empty cell is "not given": what is stored stays. Parts (pupils with ОВЗ, graduates)
are checked against their totals as they will stand after the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import can
from collector.models import ReferenceFigure, User
from collector.unit_catalog import FIGURE_COLUMNS, column_name, part_violations
from collector.units.import_report import (
    ImportReport,
    check_columns,
    chunks,
    read,
    template_csv,
    units_by_code,
)
from collector.units.tabular import Table, TableRow

FIGURE_ALIASES = {"код": "code", "учебный год": "year", "год": "year"}
_YEAR = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{4}))?$")
# "25", "25.0" (Excel), "25,0" (Russian Excel), "1 200" (thousands grouped).
_WHOLE = re.compile(r"^(\d+)(?:[.,]0+)?$")
# Far above any real count, and inside PostgreSQL's integer.
MAX_COUNT = 100_000_000

Figure = tuple[str, int]  # figure key, grade
Key = tuple[int, int, str, int]  # unit id, year, figure, grade


def parse_year(text: str) -> int | None:
    """2025, "2025/2026" or "2025-2026" -> 2025; None when it is not such a year."""
    match = _YEAR.match(text.strip())
    if not match:
        return None
    start = int(match.group(1))
    if match.group(2) and int(match.group(2)) != start + 1:
        return None
    return start if 2000 <= start <= 2100 else None


def parse_count(text: str) -> int | None:
    """A whole number ≥ 0, or None."""
    match = _WHOLE.match("".join(text.split()))  # also drops no-break spaces
    return int(match.group(1)) if match else None


@dataclass
class FigureRow:
    number: int
    unit_id: int
    year: int
    values: dict[Figure, int] = field(default_factory=dict)


def _parse_values(row: TableRow, columns: list[str], report: ImportReport) -> dict[Figure, int]:
    values: dict[Figure, int] = {}
    for column in columns:
        text = row.get(column)
        if not text:
            continue
        count = parse_count(text)
        if count is None:
            report.error(
                row.number, column, _("«%(value)s» is not a whole number ≥ 0.", value=text)
            )
        elif count > MAX_COUNT:
            report.error(row.number, column, _("«%(value)s» is too large.", value=text))
        else:
            values[FIGURE_COLUMNS[column]] = count
    return values


def _parse_rows(
    session: Session, actor: User | None, table: Table, report: ImportReport
) -> list[FigureRow]:
    columns = [c for c in table.columns if c in FIGURE_COLUMNS]
    units = units_by_code(session, (row.get("code") for row in table.rows))
    parsed: list[FigureRow] = []
    first_row: dict[tuple[str, int], int] = {}
    for row in table.rows:
        errors_before = len(report.errors)
        code = row.get("code")
        unit = units.get(code)
        if not code:
            report.error(row.number, "code", _("The code is empty."))
        # A unit the actor cannot see is reported as missing: its existence stays hidden.
        elif unit is None or (actor is not None and not can(actor, Action.VIEW_UNIT, unit)):
            message = _("No organisation has the code «%(code)s».", code=code)
            report.error(row.number, "code", message)
        elif actor is not None and not can(actor, Action.EDIT_FIGURES, unit):
            report.error(row.number, "code", _("That organisation is outside your scope."))
        year = parse_year(row.get("year"))
        if year is None:
            message = _(
                "«%(value)s» is not an academic year such as 2025 or 2025/2026.",
                value=row.get("year"),
            )
            report.error(row.number, "year", message)
        # Repeats are found whatever else is wrong with either row.
        elif code and (code, year) in first_row:
            message = _(
                "The organisation and year repeat row %(row)d.", row=first_row[(code, year)]
            )
            report.error(row.number, "code", message)
        elif code:
            first_row[(code, year)] = row.number
        values = _parse_values(row, columns, report)
        if len(report.errors) > errors_before or unit is None or year is None:
            continue
        parsed.append(FigureRow(row.number, unit.id, year, values))
    return parsed


def _stored(session: Session, rows: list[FigureRow]) -> dict[Key, tuple[int, int]]:
    """Existing figures of the units and years in the file: key -> (row id, value)."""
    wanted = {(r.unit_id, r.year) for r in rows}
    years = sorted({r.year for r in rows})
    found: dict[Key, tuple[int, int]] = {}
    for batch in chunks(sorted({r.unit_id for r in rows})):
        result = session.execute(
            select(
                ReferenceFigure.id,
                ReferenceFigure.unit_id,
                ReferenceFigure.academic_year,
                ReferenceFigure.figure,
                ReferenceFigure.grade,
                ReferenceFigure.value,
            ).where(ReferenceFigure.unit_id.in_(batch), ReferenceFigure.academic_year.in_(years))
        )
        found.update({(u, y, f, g): (i, v) for i, u, y, f, g, v in result if (u, y) in wanted})
    return found


def _check_parts(
    rows: list[FigureRow], stored: dict[Key, tuple[int, int]], report: ImportReport
) -> None:
    """Parts against totals as they will stand: stored values overridden by the file's.
    Only pairs the row gives a value of are checked: a row is not blamed for what is
    already stored and it does not touch."""
    merged: dict[tuple[int, int], dict[Figure, int]] = {}
    for (unit_id, year, figure, grade), (_id, value) in stored.items():
        merged.setdefault((unit_id, year), {})[(figure, grade)] = value
    for row in rows:
        values = {**merged.get((row.unit_id, row.year), {}), **row.values}
        given = {column_name(f, g) for f, g in row.values}
        for violation in part_violations(values):
            if not {violation.part_column, violation.total_column} & given:
                continue
            message = _(
                "%(part)s (%(part_value)d) exceeds %(total)s (%(total_value)d).",
                part=violation.part_column,
                part_value=violation.part_value,
                total=violation.total_column,
                total_value=violation.total_value,
            )
            # On the cell the row gives: the part, or else the total it lowered.
            column = (
                violation.part_column if violation.part_column in given else violation.total_column
            )
            report.error(row.number, column, message)


def _plan(
    rows: list[FigureRow], stored: dict[Key, tuple[int, int]], report: ImportReport
) -> tuple[list[dict[str, int | str]], list[dict[str, int]]]:
    """The rows to insert and the (id, value) pairs to update; counts them in the report."""
    inserts: list[dict[str, int | str]] = []
    updates: list[dict[str, int]] = []
    for row in rows:
        for (figure, grade), value in row.values.items():
            existing = stored.get((row.unit_id, row.year, figure, grade))
            if existing is None:
                inserts.append(
                    {
                        "unit_id": row.unit_id,
                        "academic_year": row.year,
                        "figure": figure,
                        "grade": grade,
                        "value": value,
                    }
                )
            elif existing[1] != value:
                updates.append({"id": existing[0], "value": value})
            else:
                report.unchanged += 1
    report.created, report.updated = len(inserts), len(updates)
    return inserts, updates


def import_figures(
    session: Session, actor: User | None, filename: str, data: bytes, *, dry_run: bool = False
) -> ImportReport:
    """Create or update reference figures; on any error nothing is written. The caller
    commits when the report is ok and it is not a dry run."""
    report = ImportReport(dry_run=dry_run)
    table = read(filename, data, FIGURE_ALIASES, report)
    known = {"code", "year", *FIGURE_COLUMNS}
    if table is None or not check_columns(table, ("code", "year"), known, report):
        return report.finish()
    rows = _parse_rows(session, actor, table, report)
    stored = _stored(session, rows)
    _check_parts(rows, stored, report)
    if not report.ok:
        return report.finish()
    inserts, updates = _plan(rows, stored, report)
    if dry_run:
        return report.finish()
    # A savepoint: a failure half-way undoes this import and leaves the session usable.
    with session.begin_nested():
        if inserts:
            session.execute(insert(ReferenceFigure), inserts)
        if updates:
            session.execute(update(ReferenceFigure), updates)
        event = record(
            session,
            actor,
            "figures.import",
            None,
            filename=filename,
            created=report.created,
            updated=report.updated,
        )
        event.object_type = "import"
    return report.finish()


def figures_template_csv() -> bytes:
    columns = ["code", "year"] + [column_name("pupils", g) for g in range(1, 12)]
    columns += ["pupils_ovz_9", "graduates_9", "graduates_11", "teachers_total", "psychologists"]
    example = ["40-S-0001", "2025/2026", *["25"] * 11, "1", "24", "20", "38", "1"]
    return template_csv(columns, example)
