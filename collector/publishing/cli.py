"""`flask schemas check FILE…`, `flask schemas load [FILE…]` and `flask schemas catalogue`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from collector.extensions import db
from collector.models import OrgUnit
from collector.publishing.services import claim, publish
from collector.schema import Compiled, SchemaError, compile_text
from collector.schema.catalogue import SourceDocument, catalogue

schemas_cli = AppGroup("schemas", help="Check and publish form schemas.")


def _compile_files(files: tuple[Path, ...]) -> tuple[list[tuple[Path, Compiled]], bool]:
    compiled, failed = [], False
    for file in files:
        try:
            result = compile_text(file.read_bytes())
        except SchemaError as error:
            failed = True
            for issue in error.issues:
                click.echo(issue.line(str(file)), err=not issue.warning)
            continue
        for issue in result.warnings:
            click.echo(issue.line(str(file)) + " (warning)")
        compiled.append((file, result))
    return compiled, failed


def _schema_files(files: tuple[Path, ...]) -> tuple[Path, ...]:
    if files:
        return files
    folder = _folder() / "form_schemas"
    return tuple(p for p in sorted(folder.glob("*.json")) if p.name != "meta-schema.json")


def _folder() -> Path:
    return Path(current_app.root_path).parent


file_arguments = click.argument(
    "files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


@schemas_cli.command("check")
@file_arguments
def check(files: tuple[Path, ...]) -> None:
    """Print FILE: PATH: CODE: message for every problem; exit 1 on any error."""
    compiled, failed = _compile_files(_schema_files(files))
    for file, result in compiled:
        click.echo(f"{file}: ok ({result.spec.id}, {len(result.spec.fields)} fields)")
    if failed:
        raise click.exceptions.Exit(1)


@schemas_cli.command("load")
@file_arguments
@click.option(
    "--owner",
    "owner_code",
    default=None,
    metavar="CODE",
    help="The code of the unit (a region, a city) the forms belong to: only its territory "
    "sees them. Without it a new form is the whole installation's (everyone sees it) and "
    "a new version keeps its form's owner.",
)
def load(files: tuple[Path, ...], owner_code: str | None) -> None:
    """Publish the schemas (all of form_schemas/ when no file is named). Nothing is
    published when any file has an error. With --owner, forms already published without
    an owner are given to that unit."""
    owner = None
    if owner_code is not None:
        owner = db.session.scalar(select(OrgUnit).where(OrgUnit.code == owner_code))
        if owner is None:
            raise click.BadParameter(f"no unit has the code {owner_code}", param_hint="--owner")
    compiled, failed = _compile_files(_schema_files(files))
    if failed:
        raise click.exceptions.Exit(1)
    for file, result in compiled:
        publication = publish(db.session(), result, None, file.name, owner)
        version = publication.form_version
        state = "published" if publication.created else "unchanged"
        if owner is not None and claim(db.session(), version.form_id, owner, None):
            state += f", now owned by {owner.code}"
        elif owner is not None and version.owner_unit_id != owner.id:
            state += ", owned by another unit (not changed)"
        click.echo(f"{file}: {version.form_id} version {version.version} {state}")
    db.session.commit()


@schemas_cli.command("catalogue")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write (default docs/indicators.md).",
)
@click.option("--check", is_flag=True, help="Exit 1 when the file is not up to date.")
def catalogue_command(output: Path | None, check: bool) -> None:
    """Write the catalogue of every declared indicator, per source document."""
    compiled, failed = _compile_files(_schema_files(()))
    if failed:
        raise click.exceptions.Exit(1)
    registry = json.loads(
        (_folder() / "form_schemas" / "sources" / "documents.json").read_text(encoding="utf-8")
    )
    documents = [SourceDocument.of(raw) for raw in registry["documents"]]
    text = catalogue(documents, [result.document for _file, result in compiled])
    target = output or _folder() / "docs" / "indicators.md"
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            click.echo(f"{target} is not up to date: run flask schemas catalogue", err=True)
            raise click.exceptions.Exit(1)
        click.echo(f"{target}: up to date")
        return
    target.write_text(text, encoding="utf-8")
    click.echo(f"{target}: {len(documents)} documents")
