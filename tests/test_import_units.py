"""Importing org units: every bad row reported by number, nothing half-imported."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from collector.extensions import db
from collector.models import OrgUnit, Role, UnitType
from collector.units.importing import import_units
from tests.test_tabular import xlsx

GOOD = """code;name;type;parent_code;short_name;timezone
40;Калужская область;регион;;;Europe/Moscow
40-M-1;Городской округ «Город Калуга»;городской округ;40;Калуга;
40-S-2;МБОУ «Лицей № 9»;школа;40-M-1;Лицей № 9;
40-S-1;МБОУ «СОШ № 1»;school;40-M-1;;
"""


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def run(text: str, actor=None, name: str = "units.csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    report = import_units(db.session, actor, name, data, **kwargs)
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def test_good_file_imports_every_row(app):
    report = run(GOOD)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (4, 0)
    lyceum = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "40-S-2"))
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "40-M-1"))
    assert lyceum.name == "МБОУ «Лицей № 9»" and lyceum.short_name == "Лицей № 9"
    assert lyceum.parent_id == city.id and lyceum.path == f"{city.path}{lyceum.id}/"


def test_reimport_changes_nothing_and_a_changed_name_updates(app):
    run(GOOD)
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    renamed = run(GOOD.replace("МБОУ «СОШ № 1»", "МАОУ «СОШ № 1»"))
    assert (renamed.created, renamed.updated, renamed.unchanged) == (0, 1, 3)


def test_parents_may_follow_their_children(app):
    lines = GOOD.strip().split("\n")
    assert run("\n".join([lines[0], *reversed(lines[1:])])).ok
    assert unit_count() == 4


def test_bad_rows_are_each_reported_and_nothing_is_imported(app):
    text = GOOD + (
        "40-S-1;Повтор кода;школа;40-M-1;;\n"  # row 6
        ";Без кода;школа;40-M-1;;\n"  # row 7
        "40-S-3;Школа;пекарня;40-M-1;;\n"  # row 8
        "40-S-4;Школа;школа;NOPE;;\n"  # row 9
        "40-S-5;Школа;школа;40-S-1;;\n"  # row 10: a school under a school
        "40-S-6;Школа;школа;40-M-1;;Mars/Olympus\n"  # row 11
    )
    report = run(text)
    assert sorted((e.row, e.column) for e in report.errors) == [
        (6, "code"),
        (7, "code"),
        (8, "type"),
        (9, "parent_code"),
        (10, "parent_code"),
        (11, "timezone"),
    ]
    assert "строк" in report.errors[0].message or "row" in report.errors[0].message
    assert unit_count() == 0


def test_cycle_is_reported(app):
    text = "code;name;type;parent_code\nA;А;municipality;B\nB;Б;municipality;A\n"
    report = run(text)
    assert {e.row for e in report.errors} == {2, 3}
    assert unit_count() == 0


def test_missing_and_unknown_columns(app):
    report = run("code;name;colour\nA;Б;синий\n")
    assert {(e.row, e.column) for e in report.errors} == {
        (1, "type"),
        (1, "parent_code"),
        (1, "colour"),
    }


def test_existing_unit_cannot_change_type(app, tree):
    report = run("code;name;type;parent_code\nS-A1;Школа;kindergarten;M-A\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "type")]


def test_move_through_import(app, tree):
    report = run("code;name;type;parent_code\nS-A1;МКОУ «СОШ № 1»;school;M-B\n")
    assert report.ok and report.updated == 1
    db.session.expire_all()
    assert db.session.get(OrgUnit, tree["school_a1"].id).parent_id == tree["mun_b"].id


def test_actor_outside_scope_imports_nothing(app, tree, make_user):
    coordinator = make_user(Role.REGIONAL_COORDINATOR, tree["mun_a"])
    before = unit_count()
    report = run(
        "code;name;type;parent_code\n"
        "S-NEW1;Школа в своём районе;school;M-A\n"
        "S-NEW2;Школа в чужом районе;school;M-B\n"
        "S-B1;Переименование чужой;school;M-B\n"
        "R9;Новый регион;region;\n",
        actor=coordinator,
    )
    assert sorted((e.row, e.column) for e in report.errors) == [
        (3, "parent_code"),
        (4, "code"),
        (5, "parent_code"),
    ]
    assert unit_count() == before


def test_dry_run_writes_nothing(app):
    report = run(GOOD, dry_run=True)
    assert report.ok and unit_count() == 0


def test_xlsx_errors_name_excel_rows(app):
    data = xlsx(
        [
            ["Код", "Наименование", "Тип", "Код вышестоящей"],
            ["40", "Калужская область", "регион", ""],
            [],
            ["40-M", "Район", "район", "40"],
            ["40-S", "", "школа", "40-M"],
        ]
    )
    report = run(data, name="units.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(5, "name")]


def test_cli_import_reports_rows_and_exit_code(app, tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code;name;type;parent_code\nX;;school;40\n", encoding="cp1251")
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["units", "import", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}: row 2: name:" in failed.output
    result = runner.invoke(args=["units", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).where(OrgUnit.unit_type == UnitType.SCHOOL)) == 2


def test_import_page_lists_bad_rows_and_imports_nothing(client, tree, people):
    from tests.conftest import login_as

    login_as(client, people["region"])
    data = "code;name;type;parent_code\nS-N1;Новая школа;school;M-A\nS-N2;;school;M-A\n"
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(data.encode("cp1251")), "units.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in body and "<td>3</td>" in body
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is None
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(data.split("S-N2")[0].encode()), "u.csv")},
        content_type="multipart/form-data",
    )
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is not None


def test_templates_download_with_bom(client, people):
    from tests.conftest import login_as

    login_as(client, people["admin"])
    response = client.get("/units/import/template-units.csv")
    assert response.data.startswith("\ufeff".encode())
    assert "code;name;type;parent_code" in response.data.decode("utf-8-sig")
    # And the template itself imports (after its parent exists).
