"""Backups are proven (issue 21): a backup of a database holding responses, form versions,
audit records and an uploaded table is restored into a new empty database, on SQLite and
on PostgreSQL, and every one of them is found there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from collector.backup.services import BackupError, create_backup, restore_backup
from collector.extensions import db
from tests.campaigns.factories import new_campaign
from tests.campaigns.test_imports import HEADER, results_form, upload
from tests.conftest import scratch_postgres_database
from tests.reports.fixtures import answered_campaign

# A backup reads the database, and a restore fills another, through engines of their own.
pytestmark = pytest.mark.committed

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TABLES = ("form_response", "form_version", "audit_event", "imported_row", "import_batch")


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new database of the same kind as the suite's, with nothing in it."""
    if db.engine.url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    with scratch_postgres_database("collector_restore") as url:
        yield url


def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a backup must keep, in a comparable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = {}
            for table in TABLES:
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                found[table] = sorted(tuple(str(v) for v in row) for row in rows)
            return found
    finally:
        engine.dispose()


def test_a_backup_restored_into_an_empty_database_holds_everything(
    app, tree, people, tmp_path, empty_database
):
    # Two schools' reports accepted, two not started; an uploaded table of results.
    reports = {key: (True, 1, 2, "accepted") for key in ("school_a1", "school_b1")}
    campaign = answered_campaign(tree, people, results_form(), reports)
    assert upload(people, campaign, HEADER + "S-A1;Физика;10;9\nS-B1;Химия «Б»;4;4\n").ok
    db.session.commit()
    source = db.engine.url.render_as_string(hide_password=False)
    before = contents(source)
    assert all(before[table] for table in TABLES), {t: len(r) for t, r in before.items()}

    made = create_backup(source, tmp_path / "backup" / "collector.bak")
    assert made.path.exists() and made.size > 0
    restored = restore_backup(
        empty_database,
        made.path,
        overwrite=False,
        previous_folder=tmp_path / "previous",
        migrations=MIGRATIONS,
        now=datetime.now(UTC),
    )
    assert restored.previous is None
    assert contents(empty_database) == before


def test_restore_refuses_a_database_with_data_and_a_file_that_is_no_backup(
    app, tree, people, tmp_path
):
    new_campaign(tree, people, deadline=datetime(2026, 5, 30, 23, 59), opened=True)
    db.session.commit()
    url = db.engine.url.render_as_string(hide_password=False)
    made = create_backup(url, tmp_path / "collector.bak")
    with pytest.raises(BackupError, match="--yes"):
        restore_backup(
            url,
            made.path,
            overwrite=False,
            previous_folder=tmp_path / "previous",
            migrations=MIGRATIONS,
            now=datetime.now(UTC),
        )
    foreign = tmp_path / "notes.bak"
    foreign.write_text("не резервная копия", encoding="utf-8")
    with pytest.raises(BackupError):
        restore_backup(
            url,
            foreign,
            overwrite=True,
            previous_folder=tmp_path / "previous",
            migrations=MIGRATIONS,
            now=datetime.now(UTC),
        )
    with pytest.raises(BackupError, match="never overwrites"):
        create_backup(url, made.path)


def test_a_backup_keeps_the_attached_files_and_a_restore_puts_back_the_missing(app, tmp_path):
    from collector.backup.files import files_beside, restore_files
    from collector.storage import FolderStore

    folder = tmp_path / "files"
    app.config["FILE_FOLDER"] = str(folder)

    def file_path(_config, file_id):
        return FolderStore(folder).path(file_id)

    kept = {
        "a" * 32: b"%PDF-1.7 the order approving the plan",
        "b" * 32: b"\x89PNG\r\n\x1a\n the career corner",
    }
    for file_id, content in kept.items():
        path = file_path(app.config, file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    target = tmp_path / "backup" / "collector.bak"
    made = app.test_cli_runner().invoke(args=["backup", "create", "--to", str(target)])
    assert made.exit_code == 0, made.output
    assert "2 attached files" in made.output
    beside = files_beside(target)
    assert {p.name for p in beside.rglob("*") if p.is_file()} == set(kept)
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in beside.rglob("*") if p.is_file())
    # One file lost from the folder, the other changed meanwhile: only the lost one
    # comes back (a file's name is its random id: one there is the one the rows name).
    lost, present = list(kept)
    file_path(app.config, lost).unlink()
    file_path(app.config, present).write_bytes(b"kept as it is")
    assert restore_files(target, folder) == 1
    assert file_path(app.config, lost).read_bytes() == kept[lost]
    assert file_path(app.config, present).read_bytes() == b"kept as it is"
    # A second backup to the same name is refused, files and all.
    again = app.test_cli_runner().invoke(args=["backup", "create", "--to", str(target)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_a_backup_restored_over_a_database_at_head_replaces_it(
    app, tree, people, tmp_path, empty_database
):
    """The everyday restore: over a database migrated to head (on PostgreSQL it holds
    the functions of the data stamp's triggers, which the dump creates again). The
    restored database marks changes again."""
    from flask_migrate import upgrade

    from collector import create_app
    from tests.conftest import make_config

    reports = {key: (True, 1, 2, "accepted") for key in ("school_a1", "school_b1")}
    campaign = answered_campaign(tree, people, results_form(), reports)
    db.session.commit()
    source = db.engine.url.render_as_string(hide_password=False)
    before = contents(source)
    made = create_backup(source, tmp_path / "backup" / "collector.bak")
    target = create_app(make_config(empty_database))
    with target.app_context():
        upgrade()
        db.engine.dispose()
    restore_backup(
        empty_database,
        made.path,
        overwrite=True,
        previous_folder=tmp_path / "previous",
        migrations=MIGRATIONS,
        now=datetime.now(UTC),
    )
    assert contents(empty_database) == before
    # The triggers of the data stamp are in place again: a change marks the campaign.
    engine = sa.create_engine(empty_database)
    try:
        with engine.begin() as conn:
            marks = "SELECT mark FROM campaign_data_version WHERE campaign_id = :id"
            before_change = conn.execute(sa.text(marks), {"id": campaign.id}).all()
            conn.execute(
                sa.text("UPDATE form_response SET status = status WHERE campaign_id = :id"),
                {"id": campaign.id},
            )
        with engine.connect() as conn:
            assert conn.execute(sa.text(marks), {"id": campaign.id}).all() != before_change
    finally:
        engine.dispose()
