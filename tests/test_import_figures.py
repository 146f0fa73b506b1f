"""Importing reference figures: numbers checked, parts ≤ totals, all rows or none."""

from __future__ import annotations

from sqlalchemy import func, select

from collector.extensions import db
from collector.models import ReferenceFigure, Role
from collector.units.figures_import import import_figures, parse_year
from tests.test_tabular import xlsx


def run(text, actor=None, name="figures.csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    report = import_figures(db.session, actor, name, data, **kwargs)
    db.session.commit() if report.ok else db.session.rollback()
    return report


def stored() -> dict[tuple[str, int, str, int], int]:
    rows = db.session.execute(
        select(
            ReferenceFigure.unit_id,
            ReferenceFigure.academic_year,
            ReferenceFigure.figure,
            ReferenceFigure.grade,
            ReferenceFigure.value,
        )
    )
    return {(u, y, f, g): v for u, y, f, g, v in rows}


def test_figures_import_and_grade_range_sums(app, tree):
    report = run(
        "code;year;pupils_6;pupils_7;pupils_8;pupils_9;pupils_10;pupils_ovz_7;graduates_9;"
        "psychologists\n"
        "S-A1;2025/2026;30;28;27;25;20;2;24;1\n"
        "S-A2;2025;10;12;;9;;;;0\n"
    )
    assert report.ok, report.errors
    assert report.created == 8 + 4
    grades_6_to_9 = db.session.scalar(
        select(func.sum(ReferenceFigure.value)).where(
            ReferenceFigure.figure == "pupils",
            ReferenceFigure.grade.between(6, 9),
            ReferenceFigure.academic_year == 2025,
        )
    )
    assert grades_6_to_9 == (30 + 28 + 27 + 25) + (10 + 12 + 9)
    school = tree["school_a1"].id
    assert stored()[(school, 2025, "psychologists", 0)] == 1


def test_reimport_updates_only_changed_cells_and_keeps_omitted_ones(app, tree):
    run("code;year;pupils_1;pupils_2\nS-A1;2025;20;21\n")
    report = run("code;year;pupils_1;pupils_2\nS-A1;2025;20;\n")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    report = run("code;year;pupils_2\nS-A1;2025;23\n")
    assert (report.created, report.updated) == (0, 1)
    assert stored()[(tree["school_a1"].id, 2025, "pupils", 2)] == 23


def test_every_bad_cell_is_reported_and_nothing_written(app, tree):
    report = run(
        "code;year;pupils_5;pupils_ovz_5;teachers_total\n"
        "S-A1;2025;25;3;40\n"  # row 2 fine
        "NOPE;2025;1;;\n"  # row 3 unknown unit
        "S-A2;20x5;1;;\n"  # row 4 bad year
        "S-B1;2025;-1;2.5;abc\n"  # row 5 three bad numbers
        "S-B2;2025;10;11;\n"  # row 6 part > total
        "S-A1;2025/2026;1;;\n"  # row 7 repeats row 2
    )
    assert sorted((e.row, e.column) for e in report.errors) == [
        (3, "code"),
        (4, "year"),
        (5, "pupils_5"),
        (5, "pupils_ovz_5"),
        (5, "teachers_total"),
        (6, "pupils_ovz_5"),
        (7, "code"),
    ]
    assert stored() == {}


def test_part_is_checked_against_stored_totals(app, tree):
    assert run("code;year;pupils_9\nS-A1;2025;20\n").ok
    report = run("code;year;graduates_9\nS-A1;2025;21\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "graduates_9")]
    assert "graduates_9 (21)" in report.errors[0].message
    assert "pupils_9 (20)" in report.errors[0].message


def test_unknown_column_is_named(app, tree):
    report = run("code;year;pupils_13;teachers_of_magic\nS-A1;2025;1;1\n")
    assert {(e.row, e.column) for e in report.errors} == {
        (1, "pupils_13"),
        (1, "teachers_of_magic"),
    }


def test_actor_may_only_touch_units_in_scope(app, tree, make_user):
    school_user = make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"])
    report = run("code;year;pupils_1\nS-A1;2025;20\nS-A2;2025;20\nS-X;2025;5\n", actor=school_user)
    assert [(e.row, e.column) for e in report.errors] == [(3, "code"), (4, "code")]
    assert stored() == {}


def test_xlsx_figures(app, tree):
    data = xlsx([["Код", "Учебный год", "pupils_1"], ["S-A1", "2025/2026", 25.0]])
    assert run(data, name="f.xlsx").ok
    assert stored() == {(tree["school_a1"].id, 2025, "pupils", 1): 25}


def test_years():
    assert parse_year("2025") == 2025
    assert parse_year("2025/2026") == 2025
    assert parse_year("2025-2026") == 2025
    assert parse_year("2025/2027") is None
    assert parse_year("1812") is None
    assert parse_year("год") is None
