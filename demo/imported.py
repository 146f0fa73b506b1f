"""Imported tables for the demo campaigns: plausible rows for the five tables the city
forms declare (ВПР, ЕГЭ, the ШНОР list, admissions, employment), generic rows for any
other, from its declared columns."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from collector.audit import record
from collector.models import (
    Campaign,
    ImportBatch,
    ImportedRow,
    OrgUnit,
)
from collector.models.base import utcnow
from collector.publishing.versions import spec_of
from collector.schema.spec import Column, ImportSpec
from demo.answers import PHRASES, UnitFacts
from demo.campaigns import city_coordinator, part_of, unit_facts

Row = dict[str, Any]

SUBJECTS = (
    "Математика",
    "Физика",
    "Информатика",
    "Химия",
    "Биология",
    "История",
    "Обществознание",
    "Английский язык",
    "География",
)


def seed_imports(
    session: Session,
    campaign: Campaign,
    units: list[OrgUnit],
    rng: random.Random,
    city: OrgUnit,
) -> int:
    """A current upload of every table the form imports, as the coordinator would have
    loaded it from the other system a few weeks into the campaign."""
    spec = spec_of(campaign.form_version)
    if not spec.imports:
        return 0
    facts = unit_facts(session, units, campaign.academic_year)
    uploader = city_coordinator(session, city)
    opened = campaign.opened_at or utcnow()
    created = 0
    for imported in spec.imports:
        rows: list[Row] = []
        for unit in units:
            for data in import_rows(imported, unit, facts[unit.id], campaign.academic_year, rng):
                # The file's row number: the header is row 1.
                rows.append({"unit_id": unit.id, "row_number": len(rows) + 2, "data": data})
        if not rows:
            continue
        filename = f"{imported.id}_{campaign.academic_year}.xlsx"
        batch = ImportBatch(
            campaign_id=campaign.id,
            import_id=imported.id,
            filename=filename,
            row_count=len(rows),
            is_current=True,
            uploaded_by=uploader.id if uploader else None,
            uploaded_at=opened + timedelta(days=21, hours=rng.randint(1, 8)),
        )
        session.add(batch)
        session.flush()
        session.execute(insert(ImportedRow), [{"batch_id": batch.id, **row} for row in rows])
        event = record(
            session,
            uploader,
            "campaign.import",
            campaign,
            table=imported.id,
            filename=filename,
            rows=len(rows),
            demo=True,
        )
        event.at = batch.uploaded_at
        created += len(rows)
    return created


def import_rows(
    imported: ImportSpec, unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random
) -> list[Row]:
    """The unit's rows of an imported table: from what the demo knows of the tables of
    the Tomsk and Omsk forms when their columns are still the ones it knows, otherwise
    generic rows made from the declared columns."""
    maker = _MAKERS.get(imported.id)
    if maker is not None:
        rows = maker(unit, facts, year, rng)
        if all(_fits(imported, row) for row in rows):
            return rows
    return _generic_rows(imported, unit, facts, year, rng)


def _fits(imported: ImportSpec, row: Row) -> bool:
    columns = {c.id: c for c in imported.columns}
    if not set(row) <= set(columns):
        return False
    if any(c.required and c.id not in row for c in imported.columns):
        return False
    for key, value in row.items():
        column = columns[key]
        if column.type == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return False
            if column.min is not None and value < column.min:
                return False
            if column.max is not None and value > column.max:
                return False
        elif column.type in ("text", "long_text") and not isinstance(value, str):
            return False
        elif column.type not in ("integer", "text", "long_text"):
            return False
    return True


def _vpr_rows(unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random) -> list[Row]:
    """ВПР of the profile classes: a row per class and subject (ФИС ОКО)."""
    rows = []
    for grade in (10, 11):
        pupils = facts.figure("pupils", (grade,))
        if not pupils or rng.random() < 0.3:
            continue
        for letter in "АБ"[: rng.randint(1, 2)]:
            for subject in rng.sample(SUBJECTS, rng.randint(1, 2)):
                participants = min(pupils, rng.randint(16, 27))
                confirmed = part_of(rng, participants, 0.55, 0.85)
                lowered = part_of(rng, participants - confirmed, 0.3, 0.8)
                rows.append(
                    {
                        "school_name": unit.name,
                        "subject": subject,
                        "class_name": f"{grade}{letter}",
                        "participants": participants,
                        "lowered": lowered,
                        "confirmed": confirmed,
                        "raised": participants - confirmed - lowered,
                    }
                )
    return rows


def _ege_rows(unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random) -> list[Row]:
    """ЕГЭ in the profile subjects: a row per subject, for schools with an 11th grade."""
    graduates = facts.figure("graduates", (11,))
    ovz = facts.figure("pupils_ovz", (11,))
    if not graduates:
        return []
    rows = []
    for subject in rng.sample(SUBJECTS[:7], rng.randint(2, 4)):
        sat = max(1, part_of(rng, graduates, 0.1, 0.35))
        high = part_of(rng, sat, 0.08, 0.35)
        excellent = part_of(rng, sat, 0.15, 0.45)
        ovz_sat = rng.randint(0, min(ovz, 2))
        rows.append(
            {
                "school_name": unit.name,
                "subject": subject,
                "profile_sat": sat,
                "profile_passed": sat - min(sat, rng.choice((0, 0, 0, 1, 2))),
                "profile_high": high,
                "excellent_sat": excellent,
                "excellent_high": min(high, part_of(rng, excellent, 0.4, 0.8)),
                "ovz_sat": ovz_sat,
                "ovz_passed": ovz_sat - min(ovz_sat, rng.choice((0, 0, 1))),
            }
        )
    return rows


def _shnor_rows(unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random) -> list[Row]:
    """The list of schools with low results: a few ordinary schools of the city."""
    if unit.school_type not in (None, "general") or rng.random() > 0.15:
        return []
    return [{"school_name": unit.name, "list_year": year - rng.choice((0, 0, 1))}]


def _admission_rows(unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random) -> list[Row]:
    """Where the graduates of grades 9 and 11 went (the admission monitoring); an empty
    cell is no such graduates."""
    row: Row = {}
    grade9, grade11 = facts.figure("graduates", (9,)), facts.figure("graduates", (11,))
    if grade9:
        row["g9_poo"] = poo = part_of(rng, grade9, 0.25, 0.55)
        row["g9_poo_profile"] = part_of(rng, poo, 0.5, 0.85)
    if grade11:
        row["g11_profile"] = profile = part_of(rng, grade11, 0.4, 0.75)
        row["g11_ovo_profile"] = higher = part_of(rng, profile, 0.6, 0.85)
        row["g11_ovo_omsk_profile"] = part_of(rng, higher, 0.55, 0.8)
        row["g11_competence"] = part_of(rng, grade11, 0.0, 0.05)
    return [row] if row else []


def _employment_rows(unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random) -> list[Row]:
    """Pupils employed through the employment centres; schools with nobody are left out."""
    if rng.random() < 0.35:
        return []
    row = {
        "employed_7_9": part_of(rng, facts.figure("pupils", (8, 9)), 0.01, 0.08),
        "employed_10_11": part_of(rng, facts.figure("pupils", (10, 11)), 0.03, 0.12),
    }
    return [row] if any(row.values()) else []


_MAKERS: Mapping[str, Callable[[OrgUnit, UnitFacts, int, random.Random], list[Row]]] = {
    "vpr_results": _vpr_rows,
    "ege_results": _ege_rows,
    "shnor_list": _shnor_rows,
    "admissions": _admission_rows,
    "employment": _employment_rows,
}


def _generic_rows(
    imported: ImportSpec, unit: OrgUnit, facts: UnitFacts, year: int, rng: random.Random
) -> list[Row]:
    """Rows of a table the demo knows nothing about: one per unit (several when a column
    names a subject or a class); the first whole-number column a count of tens, the
    next ones parts of it («из них …» a part of the column before)."""
    listed = any(_names(c, "subject", "предмет", "class", "класс") for c in imported.columns)
    rows = []
    for index in range(rng.randint(2, 3) if listed else 1):
        row: Row = {}
        whole: int | None = None
        previous: int | None = None
        for column in imported.columns:
            value = _generic_cell(column, unit, year, index, rng, whole, previous)
            if value is None:
                continue
            row[column.id] = value
            if column.type == "integer":
                whole = value if whole is None else whole
                if not column.label.ru.lower().startswith("из них"):
                    previous = value
        rows.append(row)
    return rows


def _names(column: Column, *words: str) -> bool:
    text = f"{column.id} {column.file_header} {column.label.ru}".lower()
    return any(word in text for word in words)


def _generic_cell(
    column: Column,
    unit: OrgUnit,
    year: int,
    index: int,
    rng: random.Random,
    whole: int | None,
    previous: int | None,
) -> Any:
    low = int(column.min) if column.min is not None else 0
    if column.type == "integer":
        if column.min is not None and column.min >= 1900:
            return max(low, min(year, int(column.max or year)))
        if whole is None:
            value = low + rng.randint(10, 40)
        elif column.label.ru.lower().startswith("из них") and previous is not None:
            value = part_of(rng, previous, 0.3, 0.9)
        else:
            value = part_of(rng, whole, 0.2, 0.9)
        return max(low, min(value, int(column.max)) if column.max is not None else value)
    if column.type in ("decimal", "percent"):
        high = float(column.max) if column.max is not None else 100.0
        return round(rng.uniform(max(low, high * 0.2), high * 0.9), 1)
    if column.type == "yes_no":
        return rng.random() < 0.7
    if column.type == "single_choice" and column.options:
        return rng.choice(column.options).value
    if column.type == "date":
        return date(year + 1, 5, 20).isoformat()
    if _names(column, "school", "наименование", "name"):
        return unit.name
    if _names(column, "subject", "предмет"):
        return SUBJECTS[(index + rng.randint(0, 2)) % len(SUBJECTS)]
    if _names(column, "class", "класс"):
        return f"{rng.choice((9, 10, 11))}{'АБВ'[index % 3]}"
    return rng.choice(PHRASES) if column.required else None
