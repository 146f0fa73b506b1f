"""Files no report needs (issue 27): `flask files clean` removes the stored files that no
answer and no version in a report's history names, once older than the grace period; a
dry run lists them and removes nothing; a file just written is spared."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from collector.entry.orphans import named_files, orphaned_files, remove_orphans
from collector.extensions import db
from collector.models import FormResponse, StoredFile
from collector.storage import FolderStore, S3Store, file_store
from tests.conftest import login_as
from tests.test_file_questions import PDF, report, send  # noqa: F401 (the fixture)
from tests.test_file_storage import bucket  # noqa: F401 (the fixture)

DAY_AGO = datetime.now(UTC) - timedelta(days=1)


def age(folder: Path, file_id: str, at: datetime = DAY_AGO) -> None:
    """Make a file and its row as old as `at` (a store keeps when a file was written)."""
    path = FolderStore(folder).path(file_id)
    if path.exists():
        os.utime(path, (at.timestamp(), at.timestamp()))
    db.session.execute(update(StoredFile).where(StoredFile.id == file_id).values(created_at=at))
    db.session.commit()


def test_named_files_finds_descriptors_anywhere_in_an_answer_or_a_record():
    one, two = "1" * 32, "2" * 32
    details = {
        "changes": {
            "plan_file": [{"file": one, "name": "a.pdf"}, None],
            "rows": [{"photo": {"file": two, "name": "b.png"}}],
        },
        "note": {"file": 3, "name": "not a descriptor: its id is no text"},
    }
    assert sorted(named_files(details)) == [one, two]
    assert list(named_files(None)) == [] and list(named_files("x")) == []


@pytest.fixture
def folder(app, tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "FILE_FOLDER", str(tmp_path / "files"))
    return tmp_path / "files"


def test_clean_removes_what_nothing_names_and_spares_the_rest(
    app,
    client,
    report,  # noqa: F811 (the fixture imported above)
    people,
    folder,
):
    campaign, response = report
    login_as(client, people["school"])
    # Attached, then replaced: the first stays named by the history, the second by the answer.
    send(client, response, 0, PDF, "первый.pdf")
    send(client, response, 1, PDF.replace(b"1.4", b"1.7"), "второй.pdf")
    db.session.expire_all()
    rows = {row.name: row.id for row in db.session.scalars(select(StoredFile))}
    assert sorted(rows) == ["второй.pdf", "первый.pdf"]
    # A save refused after its file was written (a conflict, a lost connection): the file
    # is there, its row and answer never were.
    refused = secrets.token_hex(16)
    FolderStore(folder).put(refused, PDF)
    # A row of this unit that neither the report nor its history names (as when its report
    # went with a deleted campaign).
    lost = secrets.token_hex(16)
    FolderStore(folder).put(lost, PDF)
    db.session.add(
        StoredFile(
            id=lost,
            unit_id=response.unit_id,
            form_id="x",
            field_id="y",
            name="ничей.pdf",
            type="pdf",
            size=len(PDF),
            sha256="0" * 64,
            created_by=None,
        )
    )
    db.session.commit()
    for file_id in [*rows.values(), refused, lost]:
        age(folder, file_id)
    # One being attached right now: written, its save not yet committed.
    young = secrets.token_hex(16)
    FolderStore(folder).put(young, PDF)

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["files", "clean", "--dry-run", "--grace-hours", "1"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[-1] == f"2 files would be removed from {folder} (dry run)."
    listed = sorted(line.split()[0] for line in lines[:-1])
    assert listed == sorted([refused, lost])
    assert "ничей.pdf" in dry.output and "(no record)" in dry.output
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 5  # nothing removed

    done = runner.invoke(args=["files", "clean", "--grace-hours", "1"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-1] == f"2 files removed from {folder}."
    assert {p.name for p in folder.rglob("*") if p.is_file()} == {*rows.values(), young}
    db.session.expire_all()
    assert db.session.get(StoredFile, lost) is None
    assert sorted(r.name for r in db.session.scalars(select(StoredFile))) == [
        "второй.pdf",
        "первый.pdf",
    ]
    # Both kept files still download: the answer's and the history's.
    for file_id in rows.values():
        got = client.get(f"/entry/files/{file_id}")
        assert got.status_code == 200
        got.close()
    # Nothing left to clean.
    again = runner.invoke(args=["files", "clean", "--grace-hours", "1"])
    assert again.output.splitlines()[-1] == f"0 files removed from {folder}."


def test_the_grace_period_spares_a_file_younger_than_it(app, folder, monkeypatch):
    file_id = secrets.token_hex(16)
    FolderStore(folder).put(file_id, PDF)
    age(folder, file_id, datetime.now(UTC) - timedelta(hours=23))
    store = file_store(app.config)
    now = datetime.now(UTC)
    assert orphaned_files(db.session, store, now=now, grace=timedelta(hours=24)) == []
    found = orphaned_files(db.session, store, now=now, grace=timedelta(hours=22))
    assert [o.file_id for o in found] == [file_id]
    ran = app.test_cli_runner().invoke(args=["files", "clean", "--grace-hours", "0"])
    assert ran.exit_code == 2 and "0 is not in the range" in ran.output
    # Nor by the setting: a file written this minute (its answer being saved) is spared.
    just_now = secrets.token_hex(16)
    FolderStore(folder).put(just_now, PDF)
    for setting in (0, -5):
        monkeypatch.setitem(app.config, "FILE_ORPHAN_GRACE_HOURS", setting)
        ran = app.test_cli_runner().invoke(args=["files", "clean"])
        assert ran.exit_code == 0 and just_now not in ran.output  # (the older one goes)
        assert FolderStore(folder).path(just_now).is_file()


def test_clean_works_on_the_object_storage(
    app,
    client,
    report,  # noqa: F811 (the fixtures imported above)
    people,
    bucket,  # noqa: F811
):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF)
    store = file_store(app.config)
    assert isinstance(store, S3Store)
    stray = secrets.token_hex(16)
    store.put(stray, PDF)
    db.session.expire_all()
    named = db.session.get(FormResponse, response.id).answers["plan_file"]["file"]
    # The bucket says when each object was written: an hour on, both are past a minute's
    # grace, and only the stray one is unnamed.
    later = datetime.now(UTC) + timedelta(hours=1)
    found = orphaned_files(db.session, store, now=later, grace=timedelta(minutes=1))
    assert [(o.file_id, o.name) for o in found] == [(stray, None)]
    remove_orphans(db.session, store, found)
    assert sorted(k.file_id for k in store.files()) == [named]


def test_clean_says_so_when_the_object_storage_does_not_answer(app, bucket):  # noqa: F811
    bucket.delete_bucket(Bucket="collector-files")  # gone (or its credentials revoked)
    ran = app.test_cli_runner().invoke(args=["files", "clean", "--grace-hours", "1"])
    assert ran.exit_code == 1
    assert "Error: The file store did not answer: s3://collector-files/answers/" in ran.output
    assert ran.exception is None or isinstance(ran.exception, SystemExit)
