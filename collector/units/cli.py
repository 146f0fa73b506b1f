"""`flask units import FILE` and `flask units import-figures FILE`: all rows or none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.orm import Session

from collector.extensions import db
from collector.models import User
from collector.units.importing import ImportReport, RowError, import_figures, import_units

units_cli = AppGroup("units", help="Import org units and their reference figures.")

Importer = Callable[..., ImportReport]


def error_line(file: Path, error: RowError) -> str:
    """`FILE: row N: column: message`; the parts the error has not are left out."""
    parts = [str(file)]
    if error.row:
        parts.append(f"row {error.row}")
    if error.column:
        parts.append(error.column)
    return ": ".join([*parts, error.message])


def _run(importer: Importer, file: Path, dry_run: bool) -> None:
    session: Session = db.session()
    actor: User | None = None  # the command line acts for the installation
    # No request, so no session or user to choose a language from: the installation's.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        report = importer(session, actor, file.name, file.read_bytes(), dry_run=dry_run)
    for error in report.errors:
        click.echo(error_line(file, error), err=True)
    if not report.ok:
        session.rollback()
        raise click.exceptions.Exit(1)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if dry_run:
        click.echo(f"{file}: no errors; nothing written (dry run); would be {counts}.")
    else:
        click.echo(f"{file}: imported; {counts}.")


file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
dry_run_option = click.option("--dry-run", is_flag=True, help="Only check the file.")


@units_cli.command("import")
@file_argument
@dry_run_option
def import_units_command(file: Path, dry_run: bool) -> None:
    """Create or update org units from a CSV/XLSX file."""
    _run(import_units, file, dry_run)


@units_cli.command("import-figures")
@file_argument
@dry_run_option
def import_figures_command(file: Path, dry_run: bool) -> None:
    """Create or update reference figures from a CSV/XLSX file."""
    _run(import_figures, file, dry_run)
