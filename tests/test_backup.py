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
