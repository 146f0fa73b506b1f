"""`flask units import FILE` and `flask units import-figures FILE`: all rows or none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from collector.extensions import db
from collector.models import User
from collector.units.figures_import import import_figures
from collector.units.importing import ImportReport, import_units

units_cli = AppGroup("units", help="Import org units and their reference figures.")

Importer = Callable[..., ImportReport]


def _run(importer: Importer, file: Path, dry_run: bool) -> None:
    session: Session = db.session
    actor: User | None = None  # the command line acts for the installation
    report = importer(session, actor, file.name, file.read_bytes(), dry_run=dry_run)
    for error in report.errors:
        where = f"row {error.row}" if error.row else "file"
        column = f": {error.column}" if error.column else ""
        click.echo(f"{file}: {where}{column}: {error.message}", err=True)
    if not report.ok:
        session.rollback()
        raise click.exceptions.Exit(1)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{file}: no errors; {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged {verb} written."
    )


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
