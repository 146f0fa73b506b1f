"""`flask files clean [--dry-run] [--grace-hours N]`: remove the attached files no report
needs any more (collector.entry.orphans says which); run it from cron, say daily."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from collector.backup.cli import size_text
from collector.entry.orphans import orphaned_files, remove_orphans
from collector.extensions import db
from collector.models.base import utcnow
from collector.storage import FileStore, StorageUnavailable, file_store

MIN_GRACE_HOURS = 1

files_cli = AppGroup("files", help="The files attached to answers (file questions).")


@files_cli.command("clean")
@click.option(
    "--dry-run", is_flag=True, help="Only list the files that would be removed; remove none."
)
@click.option(
    "--grace-hours",
    type=click.IntRange(min=MIN_GRACE_HOURS, max=24 * 365),
    default=None,
    help="Spare files younger than this (default FILE_ORPHAN_GRACE_HOURS, 24).",
)
def clean_command(dry_run: bool, grace_hours: int | None) -> None:
    """Remove the stored files that no answer and no version in a report's history names,
    once older than the grace period (a file being attached now is younger)."""
    # The setting is bounded as the option is: a grace of nothing would take the file of an
    # upload whose answer is being saved this very moment.
    hours = grace_hours or max(MIN_GRACE_HOURS, int(current_app.config["FILE_ORPHAN_GRACE_HOURS"]))
    store = file_store(current_app.config)
    try:
        _clean(store, hours, dry_run)
    except StorageUnavailable as error:
        # What was removed before stays removed; the rest is found again next time.
        raise click.ClickException(f"The file store did not answer: {error}") from None


def _clean(store: FileStore, hours: int, dry_run: bool) -> None:
    orphans = orphaned_files(db.session(), store, now=utcnow(), grace=timedelta(hours=hours))
    for orphan in orphans:
        size = size_text(orphan.size) if orphan.size is not None else "-"
        name = orphan.name if orphan.name is not None else "(no record)"
        click.echo(f"{orphan.file_id}  {orphan.written:%Y-%m-%d %H:%M} UTC  {size}  {name}")
    if dry_run:
        click.echo(f"{len(orphans)} files would be removed from {store.place} (dry run).")
        return
    remove_orphans(db.session(), store, orphans)
    click.echo(f"{len(orphans)} files removed from {store.place}.")
