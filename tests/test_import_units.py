"""Importing org units: every bad row reported by number, nothing half-imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import AuditEvent, OrgUnit, Role, UnitType
from collector.units import importing
from collector.units.importing import import_units, units_template_csv
from collector.units.tree import TreeError
from tests.test_tabular import xlsx

GOOD = """code;name;type;parent_code;short_name;timezone
40;Калужская область;регион;;;Europe/Moscow
40-M-1;Городской округ «Город Калуга»;городской округ;40;Калуга;
40-S-2;МБОУ «Лицей № 9»;школа;40-M-1;Лицей № 9;
40-S-1;МБОУ «СОШ № 1»;school;40-M-1;;
"""


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def snapshot() -> list[tuple[object, ...]]:
    """Everything an import may change, to show that a failed one changed nothing."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            OrgUnit.code,
            OrgUnit.name,
            OrgUnit.unit_type,
            OrgUnit.parent_id,
            OrgUnit.path,
            OrgUnit.depth,
            OrgUnit.short_name,
            OrgUnit.timezone,
            OrgUnit.address,
        ).order_by(OrgUnit.code)
    )
    return [tuple(row) for row in rows]


def unit(code: str) -> OrgUnit:
    found = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    assert found is not None, code
    return found


def run(text: str | bytes, actor=None, name: str = "units.csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    report = import_units(db.session, actor, name, data, **kwargs)
    if report.ok and not report.dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def where(report) -> list[tuple[int, str | None]]:
    return [(e.row, e.column) for e in report.errors]


def test_good_file_imports_every_row(app):
    report = run(GOOD)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    lyceum, city, region = unit("40-S-2"), unit("40-M-1"), unit("40")
    assert lyceum.name == "МБОУ «Лицей № 9»" and lyceum.short_name == "Лицей № 9"
    assert lyceum.type is UnitType.SCHOOL and city.type is UnitType.MUNICIPALITY
    assert lyceum.parent_id == city.id and lyceum.path == f"{city.path}{lyceum.id}/"
    assert city.path == f"/{region.id}/{city.id}/" and lyceum.depth == 2
    assert region.timezone == "Europe/Moscow" and lyceum.timezone is None


def test_reimport_creates_and_updates_nothing_and_a_changed_name_updates(app):
    run(GOOD)
    before = snapshot()
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before
    renamed = run(GOOD.replace("МБОУ «СОШ № 1»", "МАОУ «СОШ № 1»"))
    assert (renamed.created, renamed.updated, renamed.unchanged) == (0, 1, 3)
    assert unit("40-S-1").name == "МАОУ «СОШ № 1»"


def test_parents_may_follow_their_children(app):
    lines = GOOD.strip().split("\n")
    report = run("\n".join([lines[0], *reversed(lines[1:])]))
    assert report.ok, report.errors
    assert unit_count() == 4
    assert unit("40-S-1").path.startswith(unit("40-M-1").path)


def test_bad_rows_are_each_reported_and_nothing_is_imported(app, tree):
    before = snapshot()
    text = GOOD + (
        "S-A1;МКОУ «СОШ № 1» (переименована);школа;M-A;;\n"  # row 6: fine on its own
        "40-S-1;Повтор кода;школа;40-M-1;;\n"  # row 7
        ";Без кода;школа;40-M-1;;\n"  # row 8
        "40-S-3;Школа;пекарня;40-M-1;;\n"  # row 9
        "40-S-4;Школа;школа;NOPE;;\n"  # row 10
        "40-S-5;Школа;школа;40-S-1;;\n"  # row 11: a school under a school
        "40-S-6;Школа;школа;40-M-1;;Mars/Olympus\n"  # row 12
        "40-S-7;;школа;40-M-1;;America\n"  # row 13: two errors
    )
    report = run(text)
    assert where(report) == [
        (7, "code"),
        (8, "code"),
        (9, "type"),
        (10, "parent_code"),
        (11, "parent_code"),
        (12, "timezone"),
        (13, "name"),
        (13, "timezone"),
    ]
    # Messages come in the interface language (Russian by default).
    assert report.errors[0].message == "Код повторяет строку 5."
    assert "NOPE" in report.errors[3].message
    assert snapshot() == before


def test_every_russian_and_english_type_word(app):
    words = {
        "municipality": ["муниципальное образование", "Район", "городской округ", "МУНИЦИПАЛИТЕТ"],
        "school": ["школа", "общеобразовательная организация", "SCHOOL"],
        "kindergarten": ["детский сад", "ДОО"],
        "supplementary": ["организация дополнительного образования", "УДО"],
        "college": ["колледж", "ПОО", "техникум"],
        "university": ["вуз", "ОО ВО"],
        "other": ["прочее", "other"],
    }
    codes = {f"{key}-{n}": (key, word) for key, ws in words.items() for n, word in enumerate(ws)}
    lines = ["code;name;type;parent_code", "40;Калужская область;область;"]
    lines += [f"{code};Организация;{word};40" for code, (_key, word) in codes.items()]
    assert run("\n".join(lines)).ok
    stored = dict(db.session.execute(select(OrgUnit.code, OrgUnit.unit_type)).all())
    assert stored == {"40": "region", **{code: key for code, (key, _w) in codes.items()}}


def test_cycles_are_reported_on_each_of_their_rows(app):
    text = (
        "code;name;type;parent_code\n"
        "A;А;municipality;B\n"  # row 2
        "B;Б;municipality;A\n"  # row 3
        "C;В;municipality;C\n"  # row 4: its own parent
        "S;Школа;school;A\n"  # row 5: below the cycle, not placeable, not blamed
        "X;Икс;пекарня;\n"  # row 6: still checked
    )
    report = run(text)
    assert where(report) == [
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "parent_code"),
        (6, "type"),
    ]
    assert "A → B → A" in report.errors[0].message or "B → A → B" in report.errors[0].message
    assert "C → C" in report.errors[2].message
    assert unit_count() == 0


def test_a_child_of_a_bad_row_is_not_blamed_for_it(app):
    report = run("code;name;type;parent_code\nR;Регион;пекарня;\nM;Район;район;R\n")
    assert where(report) == [(2, "type")]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("M-X;Район в районе;район;M-A", "parent_code"),
        ("S-X1;Школа без родителя;школа;", "parent_code"),
        ("R-X;Регион в регионе;регион;R1", "parent_code"),
        ("S-X2;Школа под школой;школа;S-A1", "parent_code"),
        ("S-A1;МКОУ «СОШ № 1»;kindergarten;M-A", "type"),
    ],
)
def test_wrong_parent_type_or_changed_type(app, tree, line, column):
    before = snapshot()
    report = run(f"code;name;type;parent_code\n{line}\n")
    assert where(report) == [(2, column)]
    assert snapshot() == before


def test_move_through_import(app, tree):
    report = run("code;name;type;parent_code\nS-A1;МКОУ «СОШ № 1»;school;M-B\n")
    assert report.ok and (report.updated, report.created) == (1, 0)
    moved, mun_b = unit("S-A1"), unit("M-B")
    assert moved.parent_id == mun_b.id and moved.path == f"{mun_b.path}{moved.id}/"


def test_move_under_a_parent_created_by_the_same_file(app, tree):
    report = run(
        "code;name;type;parent_code\nS-A1;МКОУ «СОШ № 1»;школа;M-NEW\nM-NEW;Новый округ;район;R1\n"
    )
    assert report.ok, report.errors
    assert unit("S-A1").path == f"{unit('M-NEW').path}{unit('S-A1').id}/"


def test_optional_columns_left_out_or_empty_keep_what_is_stored(app, tree):
    run(
        "code;name;type;parent_code;address;timezone\nS-A1;МКОУ «СОШ № 1»;school;M-A;ул. Мира, 1;\n"
    )
    assert unit("S-A1").address == "ул. Мира, 1"
    report = run("code;name;type;parent_code\nS-A1;МКОУ «СОШ № 1»;school;M-A\n")
    assert (report.updated, report.unchanged) == (0, 1)
    run("code;name;type;parent_code;address\nS-A1;МКОУ «СОШ № 1»;school;M-A;\n")
    assert unit("S-A1").address == "ул. Мира, 1"
    report = run(
        "code;name;type;parent_code;timezone\nS-A1;МКОУ «СОШ № 1»;school;M-A;Europe/Samara\n"
    )
    assert report.updated == 1 and unit("S-A1").timezone == "Europe/Samara"


def test_too_long_values_are_reported_not_truncated(app, tree):
    report = run(
        "code;name;type;parent_code;short_name;address\n"
        f"{'К' * 65};{'Н' * 501};школа;M-A;{'С' * 201};{'А' * 501}\n"
    )
    assert where(report) == [(2, "code"), (2, "name"), (2, "short_name"), (2, "address")]


def test_actor_outside_scope_imports_nothing(app, tree, make_user):
    coordinator = make_user(Role.REGIONAL_COORDINATOR, tree["mun_a"])
    before = snapshot()
    report = run(
        "code;name;type;parent_code\n"
        "S-NEW1;Школа в своём районе;school;M-A\n"  # row 2: fine
        "S-NEW2;Школа в чужом районе;school;M-B\n"  # row 3: parent outside
        "S-B1;Переименование чужой;school;M-B\n"  # row 4: unit outside
        "R9;Новый регион;region;\n"  # row 5: only an installation-wide admin
        "S-A2;МКОУ «СОШ № 2»;school;M-B\n"  # row 6: own school moved out
        "S-NEW3;Школа под новой;school;S-NEW1\n",  # row 7: a school under a school
        actor=coordinator,
    )
    assert where(report) == [
        (3, "parent_code"),
        (4, "code"),
        (5, "parent_code"),
        (6, "parent_code"),
        (7, "parent_code"),
    ]
    outside = report.errors[0].message
    assert outside == "Эта организация вне вашей зоны ответственности."
    # Nothing about the unit outside the scope is revealed.
    assert all("Обнинск" not in e.message and "Лицей" not in e.message for e in report.errors)
    assert snapshot() == before


def test_scope_of_region_and_installation(app, tree, make_user):
    region_user = make_user(Role.REGIONAL_COORDINATOR, tree["region"])
    admin = make_user(Role.ADMIN, None)
    school = "code;name;type;parent_code\nS-N;Новая школа;school;M-B\n"
    assert run(school, actor=region_user).ok
    new_region = "code;name;type;parent_code\nR9;Новый регион;регион;\n"
    assert where(run(new_region, actor=region_user)) == [(2, "parent_code")]
    assert run(new_region, actor=admin).ok
    assert unit("R9").parent_id is None and unit("R9").path == f"/{unit('R9').id}/"


def test_dry_run_counts_and_writes_nothing(app, tree):
    before = snapshot()
    report = run(GOOD + "S-A1;Переименована;школа;M-A;;\n", dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (4, 1, 0)
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_successful_import_is_audited(app, make_user, tree):
    admin = make_user(Role.ADMIN, None)
    run(GOOD, actor=admin, name="Калуга.csv")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "units.import"))
    assert event is not None and event.user_id == admin.id and event.object_type == "import"
    assert event.details == {"filename": "Калуга.csv", "created": 4, "updated": 0}


def test_a_failure_while_writing_undoes_the_whole_file(app, tree, monkeypatch):
    before = snapshot()
    real_add_unit = importing.add_unit
    calls = []

    def failing_add_unit(*args, **kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 3:
            raise TreeError("simulated")
        return real_add_unit(*args, **kwargs)

    monkeypatch.setattr(importing, "add_unit", failing_add_unit)
    report = import_units(db.session, None, "units.csv", GOOD.encode())
    # Parents are created first, in file order: the third unit created is row 4's.
    assert calls[-1] == "40-S-2" and where(report) == [(4, "parent_code")]
    assert (report.created, report.updated) == (0, 0)
    # The savepoint is gone; the session goes on, and what it commits is what was there.
    db.session.commit()
    assert snapshot() == before


def test_cp1251_file_keeps_cyrillic(app, tree):
    text = (
        "Код;Наименование;Тип;Код вышестоящей;Адрес\nS-Ё;Ёлкинская СОШ «Знание»;школа;M-A;д. Ёлки\n"
    )
    assert run(text.encode("cp1251")).ok
    school = unit("S-Ё")
    assert (school.name, school.address) == ("Ёлкинская СОШ «Знание»", "д. Ёлки")


def test_xlsx_errors_name_excel_rows(app):
    data = xlsx(
        [
            ["Код", "Наименование", "Тип", "Код вышестоящей"],
            ["40", "Калужская область", "регион", ""],
            [],
            ["40-M", "Район", "район", 40],
            ["40-S", "", "школа", "40-M"],
            [],
            ["40-S2", "Школа", "пекарня", "40-M"],
        ]
    )
    report = run(data, name="units.xlsx")
    assert where(report) == [(5, "name"), (7, "type")]
    assert unit_count() == 0


def test_xlsx_good_file_with_numeric_codes(app):
    data = xlsx(
        [
            ["Код", "Наименование", "Тип", "Родитель"],
            [40, "Калужская область", "регион", ""],
            [4001, "Район", "район", 40],
        ]
    )
    assert run(data, name="units.xlsx").ok
    assert unit("4001").parent_id == unit("40").id


def test_unreadable_file_is_one_error_on_no_row(app):
    report = run(b"code;name\n", name="units.txt")
    assert [(e.row, e.column) for e in report.errors] == [(0, None)]


def test_missing_and_unknown_columns(app):
    report = run("code;name;colour\nA;Б;синий\n")
    assert set(where(report)) == {(1, "type"), (1, "parent_code"), (1, "colour")}


def test_template_imports_once_its_parent_exists(app, make_unit):
    region = make_unit(UnitType.REGION, code="40")
    make_unit(UnitType.MUNICIPALITY, region, code="40-M-KALUGA")
    data = units_template_csv()
    assert data.startswith("\ufeff".encode())
    report = run(data)
    assert report.ok and report.created == 1, report.errors


def test_school_type_by_key_or_russian_word(app):
    report = run(
        "Код;Наименование;Тип;Код вышестоящей;Вид ОО\n"
        "55;Омская область;регион;;\n"
        "55-M;Город Омск;городской округ;55;\n"
        "55-S-1;БОУ «Школа-интернат № 1»;школа;55-M;школа-интернат\n"
        "55-S-2;БОУ «Адаптивная школа № 2»;школа;55-M;adaptive\n"
        "55-S-3;БОУ «Лицей № 64»;школа;55-M;Лицей\n"
    )
    assert report.ok, report.errors
    assert [unit(c).school_type for c in ("55-S-1", "55-S-2", "55-S-3", "55-M")] == [
        "boarding",
        "adaptive",
        "lyceum",
        None,
    ]
    report = run("code;name;type;parent_code;school_type\n55-S-4;Школа;школа;55-M;колледж\n")
    assert where(report) == [(2, "school_type")]
    assert "«колледж»" in report.errors[0].message
