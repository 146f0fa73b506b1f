"""Importing reference figures (pupils by grade, staff) per unit and academic year."""

from __future__ import annotations

import re
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action
from collector.auth.services import can
from collector.models import OrgUnit, ReferenceFigure, User
from collector.units.catalog import FIGURE_COLUMNS, column_name, part_violations
from collector.units.importing import ImportReport, check_columns, read, template_csv

FIGURE_ALIASES = {"код": "code", "учебный год": "year", "год": "year"}
_YEAR = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{4}))?$")
_WHOLE = re.compile(r"^\d+(?:\.0+)?$")

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
    text = text.replace(" ", "").replace("\u00a0", "")
    return int(float(text)) if _WHOLE.match(text) else None


def import_figures(
    session: Session, actor: User | None, filename: str, data: bytes, *, dry_run: bool = False
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    table = read(filename, data, FIGURE_ALIASES, report)
    if table is None:
        return report
    if not check_columns(table, ("code", "year"), {"code", "year", *FIGURE_COLUMNS}, report):
        return report
    value_columns = [c for c in table.columns if c not in ("code", "year")]

    codes = {row.get("code") for row in table.rows}
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    given: dict[Key, int] = {}
    rows_of: dict[tuple[int, int], int] = {}
    for row in table.rows:
        errors_before = len(report.errors)
        unit = units.get(row.get("code"))
        if unit is None or (actor is not None and not can(actor, Action.VIEW_UNIT, unit)):
            report.error(
                row.number,
                "code",
                _("No organisation has the code «%(code)s».", code=row.get("code")),
            )
        elif actor is not None and not can(actor, Action.EDIT_FIGURES, unit):
            report.error(row.number, "code", _("That organisation is outside your scope."))
        year = parse_year(row.get("year"))
        if year is None:
            report.error(
                row.number,
                "year",
                _(
                    "«%(value)s» is not an academic year such as 2025 or 2025/2026.",
                    value=row.get("year"),
                ),
            )
        values: dict[tuple[str, int], int] = {}
        for column in value_columns:
            text = row.get(column)
            if not text:
                continue
            count = parse_count(text)
            if count is None:
                report.error(
                    row.number, column, _("«%(value)s» is not a whole number ≥ 0.", value=text)
                )
            else:
                values[FIGURE_COLUMNS[column]] = count
        if len(report.errors) > errors_before or unit is None or year is None:
            continue
        if (unit.id, year) in rows_of:
            report.error(
                row.number,
                "code",
                _("The organisation and year repeat row %(row)d.", row=rows_of[(unit.id, year)]),
            )
            continue
        rows_of[(unit.id, year)] = row.number
        given.update({(unit.id, year, f, g): v for (f, g), v in values.items()})

    stored = _stored(session, rows_of)
    # Parts are checked against totals as they will stand: stored values, overridden by
    # the file's.
    merged: dict[tuple[int, int], dict[tuple[str, int], int]] = defaultdict(dict)
    for (u, y, f, g), (_row_id, v) in stored.items():
        merged[(u, y)][(f, g)] = v
    for (u, y, f, g), v in given.items():
        merged[(u, y)][(f, g)] = v
    for unit_year, number in rows_of.items():
        for violation in part_violations(merged[unit_year]):
            report.error(
                number,
                violation.part_column,
                _(
                    "%(part)s (%(part_value)d) exceeds %(total)s (%(total_value)d).",
                    part=violation.part_column,
                    part_value=violation.part_value,
                    total=violation.total_column,
                    total_value=violation.total_value,
                ),
            )
    if report.errors or dry_run:
        return report
    _write(session, given, stored, report)
    record(
        session,
        actor,
        "figures.import",
        None,
        filename=filename,
        created=report.created,
        updated=report.updated,
    )
    return report


def _stored(session: Session, rows_of: dict[tuple[int, int], int]) -> dict[Key, tuple[int, int]]:
    """Existing figures of the units and years in the file: key -> (row id, value)."""
    if not rows_of:
        return {}
    unit_ids = {u for u, _y in rows_of}
    years = {y for _u, y in rows_of}
    rows = session.execute(
        select(
            ReferenceFigure.id,
            ReferenceFigure.unit_id,
            ReferenceFigure.academic_year,
            ReferenceFigure.figure,
            ReferenceFigure.grade,
            ReferenceFigure.value,
        ).where(ReferenceFigure.unit_id.in_(unit_ids), ReferenceFigure.academic_year.in_(years))
    )
    return {(u, y, f, g): (i, v) for i, u, y, f, g, v in rows if (u, y) in rows_of}


def _write(
    session: Session,
    given: dict[Key, int],
    stored: dict[Key, tuple[int, int]],
    report: ImportReport,
) -> None:
    inserts, updates = [], []
    for (unit_id, year, figure, grade), value in given.items():
        existing = stored.get((unit_id, year, figure, grade))
        if existing is None:
            inserts.append(
                {
                    "unit_id": unit_id,
                    "academic_year": year,
                    "figure": figure,
                    "grade": grade,
                    "value": value,
                }
            )
        elif existing[1] != value:
            updates.append({"id": existing[0], "value": value})
        else:
            report.unchanged += 1
    if inserts:
        session.execute(insert(ReferenceFigure), inserts)
    if updates:
        session.execute(update(ReferenceFigure), updates)
    report.created, report.updated = len(inserts), len(updates)


def figures_template_csv() -> bytes:
    columns = ["code", "year"] + [column_name("pupils", g) for g in range(1, 12)]
    columns += ["pupils_ovz_9", "graduates_9", "graduates_11", "teachers_total", "psychologists"]
    example = ["40-S-0001", "2025/2026", *["25"] * 11, "1", "24", "20", "38", "1"]
    return template_csv(columns, example)
