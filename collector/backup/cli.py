"""`flask backup create [--to PATH]` and `flask backup restore PATH [--yes]` for the
database the app is configured with (services.py says what a backup holds)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from collector.backup.files import copy_files, files_beside, restore_files
from collector.backup.services import (
    BackupError,
    RevisionState,
    create_backup,
    default_backup_path,
    restore_backup,
)
from collector.extensions import db
from collector.storage import FolderStore, file_store

backup_cli = AppGroup("backup", help="Back up the database and restore a backup.")
# With FILE_STORAGE = "s3" the attached files are not copied: a bucket is kept by the
# object storage's own means (versioning, replication), and a copy through this machine
# of every file at every backup would be the slowest part of it.
OBJECT_STORAGE_NOTE = (
    "The attached files live in the object storage ({place}) and are not copied: "
    "keep them with the bucket's own versioning or replication."
)


def backup_folder() -> Path:
    """BACKUP_FOLDER (COLLECTOR_BACKUP_FOLDER) or instance/backups."""
    configured = current_app.config.get("BACKUP_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def database_url() -> str:
    # The engine's URL: Flask-SQLAlchemy has already placed a relative SQLite path in the
    # instance folder.
    return db.engine.url.render_as_string(hide_password=False)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for larger in ("MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}"


@backup_cli.command("create")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: instance/backups/collector-<UTC time>.sqlite|.dump).",
)
def create_command(target: Path | None) -> None:
    """Write a consistent backup of the database (safe while the app runs)."""
    url = database_url()
    try:
        target = target or default_backup_path(backup_folder(), url, datetime.now(UTC))
        made = create_backup(url, target)
        store = file_store(current_app.config)
        files = copy_files(store.folder, made.path) if isinstance(store, FolderStore) else None
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{made.path} ({size_text(made.size)})")
    if files is None:
        click.echo(OBJECT_STORAGE_NOTE.format(place=store.place))
    elif files:
        click.echo(f"{files_beside(made.path)} ({files} attached files)")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that has data (saved first).")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with a backup. Stop the app and the job workers first. Runs no
    migration: says whether `flask db upgrade` is needed."""
    url = database_url()
    # The app's own pooled connections would hold the tables the restore replaces.
    db.session.remove()
    db.engine.dispose()
    try:
        restored = restore_backup(
            url,
            source,
            overwrite=yes,
            previous_folder=backup_folder(),
            migrations=Path(current_app.extensions["migrate"].directory),
            now=datetime.now(UTC),
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if restored.previous is not None:
        click.echo(f"The data replaced was saved to {restored.previous.path}.")
    click.echo(f"Restored {source} into the {restored.backend.label} database.")
    store = file_store(current_app.config)
    if isinstance(store, FolderStore):
        files = restore_files(source, store.folder)
        if files:
            click.echo(f"{files} attached files put back from {files_beside(source)}.")
    else:
        click.echo(OBJECT_STORAGE_NOTE.format(place=store.place))
    if restored.revision.state in (RevisionState.CURRENT, RevisionState.OLDER):
        click.echo(restored.revision.advice)
    else:
        raise click.ClickException(restored.revision.advice)
