"""The two ways into the imports: `flask units import …` (no actor: the installation) and
the web page (the logged-in user, scope per row). Both write all rows or none."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from flask import g
from flask.globals import request_ctx
from sqlalchemy import func, select

from collector.extensions import db
from collector.models import OrgUnit, Role, UnitType
from collector.units.cli import units_cli
from tests.conftest import login_as
from tests.test_import_figures import stored
from tests.test_import_units import GOOD, unit_count


@pytest.fixture
def cli(app):
    """A runner for `flask units …` as the real command line has it: pytest-flask pushes a
    request context for every test, the command line has none (and so no language chosen
    by a session or user)."""
    if "units" not in app.cli.commands:
        app.cli.add_command(units_cli)
    request_context = request_ctx._get_current_object()
    request_context.pop()
    vars(g).clear()
    yield app.test_cli_runner()
    request_context.push()


def test_cli_import_reports_rows_and_exit_code(app, cli, tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code;name;type;parent_code\nX;;school;40\n", encoding="cp1251")
    failed = cli.invoke(args=["units", "import", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}: row 2: name: Наименование не заполнено." in failed.output
    assert unit_count() == 0
    checked = cli.invoke(args=["units", "import", str(good), "--dry-run"])
    assert checked.exit_code == 0 and "dry run" in checked.output and unit_count() == 0
    result = cli.invoke(args=["units", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert f"{good}: imported; 4 created, 0 updated, 0 unchanged." in result.output
    assert db.session.scalar(select(func.count()).where(OrgUnit.unit_type == UnitType.SCHOOL)) == 2


def test_cli_file_level_error_has_no_row(app, cli, tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = cli.invoke(args=["units", "import", str(empty)])
    assert result.exit_code == 1
    assert f"{empty}: В файле нет ни заголовка, ни строк." in result.output


def test_cli_import_figures_exit_codes(app, tree, cli, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code;year;pupils_1\nS-A1;2025;-3\n", encoding="utf-8")
    failed = cli.invoke(args=["units", "import-figures", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}: row 2: pupils_1: «-3»" in failed.output
    good = tmp_path / "good.csv"
    good.write_text("code;year;pupils_1\nS-A1;2025;3\n", encoding="utf-8")
    result = cli.invoke(args=["units", "import-figures", str(good)])
    assert result.exit_code == 0, result.output
    assert stored() == {(tree["school_a1"].id, 2025, "pupils", 1): 3}


def imported(client, response) -> str:
    """The import runs as a job: follow it to its end and give its page."""
    assert response.status_code == 302, response.status_code
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    deadline = time.monotonic() + 20
    while client.get(f"/jobs/{job_id}/status").get_json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    db.session.expire_all()
    return client.get(f"/jobs/{job_id}").get_data(as_text=True)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_import_page_lists_bad_rows_and_imports_nothing(client, tree, people):
    login_as(client, people["region"])
    data = "code;name;type;parent_code\nS-N1;Новая школа;school;M-A\nS-N2;;school;M-A\n"
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(data.encode("cp1251")), "units.csv")},
        content_type="multipart/form-data",
    )
    body = imported(client, response)
    assert 'data-testid="import-errors"' in body and "<td>3</td>" in body
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is None
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(data.split("S-N2")[0].encode()), "u.csv")},
        content_type="multipart/form-data",
    )
    assert "Создано: 1" in imported(client, response)
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "S-N1")) is not None


def test_templates_download_with_bom(client, people):
    login_as(client, people["admin"])
    response = client.get("/units/import/template-units.csv")
    assert response.data.startswith("\ufeff".encode())
    assert "code;name;type;parent_code" in response.data.decode("utf-8-sig")
    response = client.get("/units/import/template-figures.csv")
    assert response.data.decode("utf-8-sig").startswith("code;year;pupils_1;")


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_figures_page_checks_scope_per_row(client, tree, make_user):
    # The page needs IMPORT_UNITS somewhere: a coordinator bound to one municipality.
    login_as(client, make_user(Role.REGIONAL_COORDINATOR, tree["mun_a"]))
    data = "Код;Учебный год;pupils_1\nS-A1;2025/2026;20\nS-B1;2025/2026;20\n"
    response = client.post(
        "/units/import",
        data={"kind": "figures", "file": (io.BytesIO(data.encode("cp1251")), "f.csv")},
        content_type="multipart/form-data",
    )
    body = imported(client, response)
    assert "<td>3</td>" in body and "<td>2</td>" not in body
    assert stored() == {}
