"""Making and restoring a backup of Collector's database, without Flask.

What is backed up is the database alone: it holds everything that cannot be computed
again (units, users, forms and their versions, campaigns, every response and its history,
registry records, the audit, and the tables uploaded for campaigns: `import_batch` and
`imported_row` keep each accepted file's rows; the file itself is not kept). The job
folder holds only what is made again or thrown away: export files (kept a day), copies
of uploads waiting for their import job, report snapshots (caches of indicators). The
secret key (instance/config.py) is configuration, kept once with the server's settings.

SQLite is copied with its online backup API, PostgreSQL with `pg_dump` in custom format:
both give one consistent state while the app keeps running. A file is checked after it
is written and before it is restored (read through to the end), so a backup that exists
is one that can be restored."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why and what to do."""


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"

    @property
    def suffix(self) -> str:
        return ".sqlite" if self is Backend.SQLITE else ".dump"

    @property
    def label(self) -> str:
        return "SQLite" if self is Backend.SQLITE else "PostgreSQL"


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    backend: Backend


class RevisionState(StrEnum):
    CURRENT = "current"  # the code's head: ready
    OLDER = "older"  # a revision the code knows, before its head: `flask db upgrade`
    UNKNOWN = "unknown"  # made by newer code (or another branch)
    MISSING = "missing"  # no revision recorded


@dataclass(frozen=True)
class RevisionCheck:
    state: RevisionState
    database: str | None
    heads: tuple[str, ...]

    @property
    def advice(self) -> str:
        heads = ", ".join(self.heads)
        if self.state is RevisionState.CURRENT:
            return f"The database is at the code's migration revision ({heads}): ready to use."
        if self.state is RevisionState.OLDER:
            return (
                f"The database is at revision {self.database}, older than the code's {heads}: "
                "run `flask --app wsgi db upgrade` before starting the app."
            )
        if self.state is RevisionState.UNKNOWN:
            return (
                f"The database is at revision {self.database}, which this code does not know "
                f"(its head is {heads}): the backup was made by a newer version of Collector; "
                "run that version (do not downgrade)."
            )
        return (
            "The database records no migration revision: it is not a complete Collector "
            "database; do not start the app on it."
        )


@dataclass(frozen=True)
class Restored:
    backend: Backend
    # The data the restore replaced, saved first (None when the database was empty).
    previous: Backup | None
    revision: RevisionCheck


def backend_of(url: str | URL) -> Backend:
    name = make_url(url).get_backend_name()
    try:
        return Backend(name)
    except ValueError:
        raise BackupError(f"Backups know SQLite and PostgreSQL, not {name!r}.") from None


def default_backup_path(
    folder: Path, url: str | URL, now: datetime, prefix: str = "collector"
) -> Path:
    """collector-20260115T183000Z.sqlite (or .dump), the time in UTC."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{prefix}-{stamp}{backend_of(url).suffix}"


def create_backup(url: str | URL, target: Path) -> Backup:
    """Write a consistent copy of the database at `url` to `target` (which must not exist),
    readable by its owner only, and read it back through before naming it done."""
    backend = backend_of(url)
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file.")
    if target.parent != Path() and not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    # Created here, so that the copy of personal data is private from its first byte.
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as error:
        raise BackupError(f"cannot write {partial}: {error.strerror}") from None
    try:
        if backend is Backend.SQLITE:
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _pg_dump(make_url(url), partial)
        verify_backup(partial, backend)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, backend)


def backup_kind(path: Path) -> Backend:
    """Which database a backup file is of, by its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return Backend.SQLITE
    if head.startswith(PG_CUSTOM_MAGIC):
        return Backend.POSTGRESQL
    raise BackupError(
        f"{path} is not a Collector backup: neither a SQLite database nor a pg_dump "
        "custom-format archive."
    )


def verify_backup(path: Path, backend: Backend | None = None) -> Backend:
    """Read the whole file: a SQLite copy passes its integrity check, an archive is read
    through by pg_restore; either must hold Collector's migration table."""
    kind = backup_kind(path)
    if backend is not None and kind is not backend:
        raise BackupError(f"{path} is a {kind.label} backup, not a {backend.label} one.")
    if kind is Backend.SQLITE:
        _verify_sqlite(path)
    else:
        _verify_pg_archive(path)
    return kind


def database_has_data(url: str | URL) -> bool:
    """Whether any table but the migration revision holds a row."""
    with _connection(url) as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != VERSION_TABLE]
        return any(
            conn.execute(sa.select(sa.literal(1)).select_from(sa.table(t)).limit(1)).first()
            for t in tables
        )


def restore_backup(
    url: str | URL,
    source: Path,
    *,
    overwrite: bool,
    previous_folder: Path,
    migrations: Path,
    now: datetime,
) -> Restored:
    """Put the backup `source` in place of the database at `url`. A database with data is
    replaced only with `overwrite`, and its data is backed up to `previous_folder` first.
    Runs no migration: the result says how the restored revision stands to the code's."""
    backend = backend_of(url)
    kind = backup_kind(source)
    if kind is not backend:
        raise BackupError(
            f"{source} is a {kind.label} backup and the configured database is "
            f"{backend.label}: a backup is restored into the kind of database it was made "
            "from."
        )
    verify_backup(source, backend)
    previous = None
    if database_has_data(url):
        if not overwrite:
            raise BackupError(
                "The database has data: restoring replaces all of it. Run again with --yes "
                "to replace it (it is backed up first)."
            )
        previous = create_backup(
            url, default_backup_path(previous_folder, url, now, "before-restore")
        )
    if backend is Backend.SQLITE:
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _pg_restore(make_url(url), source, previous)
    return Restored(backend, previous, check_revision(url, migrations))


def check_revision(url: str | URL, migrations: Path) -> RevisionCheck:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations))
    script = ScriptDirectory.from_config(config)
    heads = tuple(script.get_heads())
    with _connection(url) as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return RevisionCheck(RevisionState.MISSING, None, heads)
        found = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        revisions = list(found)
    if len(revisions) != 1:
        return RevisionCheck(RevisionState.MISSING, None, heads)
    revision = revisions[0]
    if revision in heads:
        return RevisionCheck(RevisionState.CURRENT, revision, heads)
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    state = RevisionState.OLDER if known else RevisionState.UNKNOWN
    return RevisionCheck(state, revision, heads)


def libpq_connection(url: str | URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string for a SQLAlchemy PostgreSQL URL, and the environment a
    client tool runs with: the password goes in PGPASSWORD, never on a command line."""
    parsed = make_url(url)
    words = {
        "host": parsed.host,
        "port": str(parsed.port) if parsed.port is not None else None,
        "dbname": parsed.database,
        "user": parsed.username,
    }
    # Query parameters (sslmode, a socket directory as host, …) are libpq's own: psycopg
    # hands them over as they are.
    for key, value in parsed.query.items():
        words[key] = value if isinstance(value, str) else value[-1]
    conninfo = " ".join(f"{key}={_libpq_quote(value)}" for key, value in words.items() if value)
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = parsed.password
    return conninfo, environment


def _libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@contextmanager
def _connection(url: str | URL) -> Iterator[Connection]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.OperationalError as error:
        raise BackupError(f"cannot reach the database: {error.orig}") from None
    finally:
        engine.dispose()


def _sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("The SQLite database is not a plain file: nothing to back up.")
    return Path(database)


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    try:
        with closing(_sqlite_readonly(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.execute("PRAGMA busy_timeout = 10000")
            # One step: the copy is of one moment even while the app writes.
            src.backup(dst)
            # A single self-contained file, whatever journal the live database uses.
            dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from None


def _verify_sqlite(path: Path) -> None:
    try:
        with closing(_sqlite_readonly(path)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (VERSION_TABLE,),
            ).fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
    if problems != ["ok"]:
        raise BackupError(f"{path} is damaged: {'; '.join(problems[:5])}")
    if has_version is None:
        raise BackupError(f"{path} is a SQLite database but not Collector's (no {VERSION_TABLE}).")


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(_sqlite_readonly(source)) as src, closing(sqlite3.connect(target)) as dst:
            dst.execute("PRAGMA busy_timeout = 10000")
            # The copy replaces every page of the target in one write transaction: the
            # database is either the old one or the backup, never a mixture.
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"The restore into {target} failed: {error}") from None


def _run(tool: str, arguments: list[str], environment: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(  # noqa: S603 (fixed tool, arguments as a list)
            [tool, *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools of the server's "
            "major version (postgresql-client)."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def _pg_dump(url: URL, target: Path) -> None:
    conninfo, environment = libpq_connection(url)
    # One snapshot of the whole database (pg_dump's own transaction): consistent while
    # the app writes.
    _run(
        "pg_dump",
        ["--format=custom", "--no-password", f"--file={target}", f"--dbname={conninfo}"],
        environment,
    )


def _verify_pg_archive(path: Path) -> None:
    try:
        listing = _run("pg_restore", ["--list", str(path)])
        # Reading every data block, as a restore would, proves the archive is whole.
        _run("pg_restore", [f"--file={os.devnull}", str(path)])
    except BackupError as error:
        raise BackupError(f"{path} is not a readable pg_dump archive: {error}") from None
    # A listing line: "215; 1259 16386 TABLE public alembic_version postgres".
    if not re.search(rf"^\d+; \d+ \d+ TABLE \S+ {VERSION_TABLE} ", listing, re.MULTILINE):
        raise BackupError(f"{path} is a pg_dump archive but not Collector's (no {VERSION_TABLE}).")


def _pg_restore(url: URL, source: Path, previous: Backup | None) -> None:
    _pg_empty(url)
    conninfo, environment = libpq_connection(url)
    try:
        # One transaction: a failure leaves the database empty, not half restored. Objects
        # belong to the app's own database user, whoever owned them where the dump was made.
        _run(
            "pg_restore",
            [
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={conninfo}",
                str(source),
            ],
            environment,
        )
    except BackupError as error:
        saved = f" The data it replaced is in {previous.path}." if previous else ""
        raise BackupError(f"{error}\nThe database is left empty.{saved}") from None


def _pg_empty(url: URL) -> None:
    """Drop what the schema holds (tables, views, functions, sequences, types), so that the archive
    is restored into the same empty database whatever version of the schema was there."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # Another process holding a table waits the restore out no longer than this.
            conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            for kind, query in _PG_OBJECTS:
                names = list(conn.execute(sa.text(query)).scalars())
                if names:
                    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
                    conn.execute(sa.text(f"DROP {kind} IF EXISTS {quoted} CASCADE"))
    except sa.exc.DBAPIError as error:
        raise BackupError(f"cannot empty the database before the restore: {error.orig}") from None
    finally:
        engine.dispose()


_PG_OBJECTS = (
    ("VIEW", "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"),
    ("TABLE", "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"),
    # The triggers' functions (migration 0023), not those an extension owns.
    (
        "FUNCTION",
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.prokind = 'f' AND NOT EXISTS ("
        "SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
    ),
    (
        "SEQUENCE",
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()",
    ),
    (
        "TYPE",
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')",
    ),
)
