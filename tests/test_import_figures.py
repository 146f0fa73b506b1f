"""Importing reference figures: numbers checked, parts ≤ totals, all rows or none."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, ReferenceFigure, Role
from collector.units import import_report
from collector.units.figures_import import parse_count, parse_year
from collector.units.importing import figures_template_csv, import_figures
from tests.test_tabular import xlsx


def run(text: str | bytes, actor=None, name: str = "figures.csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    report = import_figures(db.session, actor, name, data, **kwargs)
    if report.ok and not report.dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def stored() -> dict[tuple[int, int, str, int], int]:
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


def where(report) -> list[tuple[int, str | None]]:
    return [(e.row, e.column) for e in report.errors]


def test_figures_import_and_grade_range_sums(app, tree):
    report = run(
        "code;year;pupils_6;pupils_7;pupils_8;pupils_9;pupils_10;pupils_ovz_7;graduates_9;"
        "psychologists\n"
        "S-A1;2025/2026;30;28;27;25;20;2;24;1\n"
        "S-A2;2025;10;12;;9;;;;0\n"
        "S-B1;2024-2025;100;100;100;100;100;;;\n"
    )
    assert report.ok, report.errors
    assert report.created == 8 + 4 + 5
    # A grade range is one SUM over grade BETWEEN a AND b, here pupils of grades 6–9.
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
    assert stored()[(school, 2025, "pupils_ovz", 7)] == 2
    assert stored()[(tree["school_b1"].id, 2024, "pupils", 10)] == 100


def test_reimport_updates_only_changed_cells_and_keeps_omitted_ones(app, tree):
    first = "code;year;pupils_1;pupils_2\nS-A1;2025;20;21\n"
    run(first)
    again = run(first)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    report = run("code;year;pupils_1;pupils_2\nS-A1;2025;20;\n")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    report = run("code;year;pupils_2\nS-A1;2025;23\n")
    assert (report.created, report.updated) == (0, 1)
    school = tree["school_a1"].id
    assert stored() == {(school, 2025, "pupils", 1): 20, (school, 2025, "pupils", 2): 23}


@pytest.mark.parametrize("text", ["25", "25.0", " 25 ", "25,0", "25.00"])
def test_whole_numbers_in_any_spelling(app, tree, text):
    assert run(f"code;year;pupils_1\nS-A1;2025;{text}\n").ok
    assert stored() == {(tree["school_a1"].id, 2025, "pupils", 1): 25}


def test_parse_count():
    assert parse_count("1 200") == 1200 and parse_count("0") == 0
    assert parse_count("1\u00a0200") == 1200
    for bad in ("-1", "2.5", "abc", "+3", "1e3", "", "25.", "0x10"):
        assert parse_count(bad) is None, bad


def test_every_bad_cell_is_reported_and_nothing_written(app, tree):
    run("code;year;pupils_1\nS-A1;2025;7\n")
    before = stored()
    report = run(
        "code;year;pupils_5;pupils_ovz_5;teachers_total\n"
        "S-A1;2025;25;3;40\n"  # row 2 fine
        "NOPE;2025;1;;\n"  # row 3 unknown unit
        "S-A2;20x5;1;;\n"  # row 4 bad year
        "S-B1;2025;-1;2.5;abc\n"  # row 5 three bad numbers
        "S-B2;2025;10;11;\n"  # row 6 part > total
        "S-A1;2025/2026;1;;\n"  # row 7 repeats row 2
        ";2025;1;;\n"  # row 8 no code
        "S-X;2025;1;;999999999999\n"  # row 9 absurdly large
    )
    assert where(report) == [
        (3, "code"),
        (4, "year"),
        (5, "pupils_5"),
        (5, "pupils_ovz_5"),
        (5, "teachers_total"),
        (6, "pupils_ovz_5"),
        (7, "code"),
        (8, "code"),
        (9, "teachers_total"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(5, "pupils_5")] == "«-1» — не целое число не меньше 0."
    assert "2.5" in messages[(5, "pupils_ovz_5")] and "abc" in messages[(5, "teachers_total")]
    assert "pupils_ovz_5 (11)" in messages[(6, "pupils_ovz_5")]
    assert "строку 2" in messages[(7, "code")]
    assert stored() == before


@pytest.mark.parametrize(
    ("columns", "values", "column"),
    [
        ("pupils_3;pupils_ovz_3", "10;11", "pupils_ovz_3"),
        ("pupils_3;pupils_disabled_3", "10;11", "pupils_disabled_3"),
        ("pupils_9;graduates_9", "20;21", "graduates_9"),
        ("pupils_11;graduates_11", "20;21", "graduates_11"),
    ],
)
def test_part_cannot_exceed_its_total(app, tree, columns, values, column):
    report = run(f"code;year;{columns}\nS-A1;2025;{values}\n")
    assert where(report) == [(2, column)]
    assert run(
        f"code;year;{columns}\nS-A1;2025;{values.replace('11', '10').replace('21', '20')}\n"
    ).ok


def test_part_is_checked_against_stored_totals(app, tree):
    assert run("code;year;pupils_9\nS-A1;2025;20\n").ok
    report = run("code;year;graduates_9\nS-A1;2025;21\n")
    assert where(report) == [(2, "graduates_9")]
    assert "graduates_9 (21)" in report.errors[0].message
    assert "pupils_9 (20)" in report.errors[0].message
    # Another year has no total stored: nothing to compare with.
    assert run("code;year;graduates_9\nS-A1;2026;21\n").ok


def test_lowering_a_total_below_a_stored_part_is_reported_on_the_total(app, tree):
    assert run("code;year;pupils_4;pupils_ovz_4\nS-A1;2025;20;5\n").ok
    report = run("code;year;pupils_4\nS-A1;2025;4\n")
    assert where(report) == [(2, "pupils_4")]
    assert run("code;year;pupils_4;pupils_ovz_4\nS-A1;2025;4;4\n").ok


def test_unknown_columns_are_named_on_row_one(app, tree):
    report = run("code;year;pupils_13;teachers_of_magic\nS-A1;2025;1;1\n")
    assert set(where(report)) == {(1, "pupils_13"), (1, "teachers_of_magic")}
    assert any("teachers_of_magic" in e.message for e in report.errors)


def test_a_cell_outside_the_header_is_reported_on_its_row(app, tree):
    report = run("code;year;pupils_1\nS-A1;2025;1\nS-A2;2025;1;7\n")
    assert where(report) == [(3, None)] and stored() == {}


def test_a_repeat_of_a_bad_row_is_reported_too(app, tree):
    report = run("code;year;pupils_1\nS-A1;2025;x\nS-A1;2025/2026;1\n")
    assert where(report) == [(2, "pupils_1"), (3, "code")]


def test_missing_year_column(app, tree):
    assert where(run("code;pupils_1\nS-A1;1\n")) == [(1, "year")]


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2025", 2025),
        ("2025/2026", 2025),
        ("2025-2026", 2025),
        ("2025 / 2026", 2025),
        ("2000", 2000),
        ("2100", 2100),
        ("2025/2027", None),
        ("1999", None),
        ("2101", None),
        ("1812", None),
        ("год", None),
        ("", None),
    ],
)
def test_years(text, year):
    assert parse_year(text) == year


def test_actor_may_only_touch_units_in_scope(app, tree, make_user):
    school_user = make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"])
    report = run("code;year;pupils_1\nS-A1;2025;20\nS-A2;2025;20\nS-X;2025;5\n", actor=school_user)
    assert where(report) == [(3, "code"), (4, "code")]
    assert stored() == {}


def test_municipal_coordinator_edits_figures_of_own_schools(app, tree, make_user):
    coordinator = make_user(Role.MUNICIPAL_COORDINATOR, tree["mun_a"])
    report = run("code;year;pupils_1\nS-A1;2025;20\nS-B1;2025;20\n", actor=coordinator)
    assert where(report) == [(3, "code")]
    assert run("code;year;pupils_1\nS-A1;2025;20\nS-A2;2025;20\n", actor=coordinator).ok


def test_dry_run_counts_and_writes_nothing(app, tree):
    run("code;year;pupils_1\nS-A1;2025;20\n")
    report = run("code;year;pupils_1;pupils_2\nS-A1;2025;21;22\nS-A2;2025;1;\n", dry_run=True)
    assert report.ok and (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert stored() == {(tree["school_a1"].id, 2025, "pupils", 1): 20}


def test_a_successful_import_is_audited(app, tree):
    run("code;year;pupils_1\nS-A1;2025;20\n", name="цифры.csv")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "figures.import"))
    assert event is not None and event.user_id is None and event.object_type == "import"
    assert event.details == {"filename": "цифры.csv", "created": 1, "updated": 0}


def test_xlsx_figures(app, tree):
    data = xlsx([["Код", "Учебный год", "pupils_1", "pupils_2"], ["S-A1", "2025/2026", 25.0, 2.5]])
    assert where(run(data, name="f.xlsx")) == [(2, "pupils_2")]
    data = xlsx([["Код", "Учебный год", "pupils_1"], [], ["S-A1", 2025, 25.0]])
    assert run(data, name="f.xlsx").ok
    assert stored() == {(tree["school_a1"].id, 2025, "pupils", 1): 25}


def test_many_units_are_looked_up_in_chunks(app, tree, monkeypatch):
    monkeypatch.setattr(import_report, "CHUNK", 2)
    codes = ["S-A1", "S-A2", "S-B1", "S-B2", "S-X"]
    text = "code;year;pupils_1\n" + "".join(f"{code};2025;{n}\n" for n, code in enumerate(codes))
    assert run(text).ok
    report = run(text.replace(";4\n", ";40\n"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)


def test_template_imports_for_an_existing_school(app, tree, make_unit):
    make_unit(parent=tree["mun_a"], code="40-S-0001")
    data = figures_template_csv()
    assert data.startswith("\ufeff".encode())
    report = run(data)
    assert report.ok and report.created == 11 + 5, report.errors
