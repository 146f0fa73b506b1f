"""Fixtures: a fresh database per test session (SQLite or PostgreSQL, migrated from empty
to head), one app per distinct config shared by the tests, factories and login help.

Each test runs inside one database transaction that is rolled back at its end: the
application's own commits and rollbacks act on savepoints within it (see `rolled_back`).
A test whose data must be seen by other connections, threads or processes (a live server,
a job worker thread, a backup's own engine) is marked `@pytest.mark.committed`: it really
commits, and every table is emptied after it. Under pytest-xdist (`make test` runs `-n
auto`) each worker is a session of its own: its own database, job folder and Limiter."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from flask import Flask, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from flask_sqlalchemy.session import _app_ctx_id
from werkzeug.security import generate_password_hash

from collector import create_app, json_codec
from collector.config import DefaultConfig
from collector.extensions import db, limiter
from collector.jobs.dispatch import shutdown as shutdown_jobs
from collector.logs import configure_logging
from collector.models import OrgUnit, Role, RoleAssignment, UnitType, User
from collector.units.tree import add_unit

DEFAULT_PASSWORD = "correct horse battery"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("COLLECTOR_TEST_DB", "sqlite"),
        help="database backend the suite runs against",
    )


def need_service(reason: str) -> None:
    """A test that needs a missing service is skipped locally and fails in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    backend = request.config.getoption("--db")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'collector-test.sqlite'}"
        return
    with scratch_postgres_database("collector_test") as url:
        yield url


@contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[str]:
    """A new empty PostgreSQL database on the test server, dropped afterwards; skipped
    with the reason (failed in CI) when the server does not answer."""
    admin_engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect():
            pass
    except sa.exc.OperationalError as error:
        admin_engine.dispose()
        need_service(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


# Job files of the test session; removed at exit.
JOB_FOLDER = tempfile.mkdtemp(prefix="collector-jobs-")
atexit.register(shutil.rmtree, JOB_FOLDER, True)
# Files attached to answers in the test session; removed at exit.
FILE_FOLDER = tempfile.mkdtemp(prefix="collector-files-")
atexit.register(shutil.rmtree, FILE_FOLDER, True)


def make_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "JOB_FOLDER": JOB_FOLDER,
        "FILE_FOLDER": FILE_FOLDER,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """Runs every migration from an empty database to head, once per session."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        # Self-references (unit -> parent) are checked at commit, not row by row.
        conn.execute(sa.text("PRAGMA defer_foreign_keys = ON"))
        for table in tables:
            conn.execute(table.delete())


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test config overrides; a test module may override this fixture."""
    return {}


class FreshRequestClient(FlaskClient):
    """Requests reuse the app context the test holds, and with it `g`, where Flask-Login
    caches the user and Flask-Babel the locale: empty it so each request starts clean,
    as on a real server."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        vars(g).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g).clear()


class _ThreadCheck:
    """The one connection of a rolled-back test is the test thread's: work in another
    thread (a job worker, a live server) cannot share it. Such a test must be marked
    `committed`; the first use from another thread is refused and the test fails."""

    def __init__(self) -> None:
        self.owner = threading.get_ident()
        self.refused: list[str] = []

    def check(self) -> None:
        if threading.get_ident() != self.owner:
            message = (
                f"thread {threading.current_thread().name!r} used the rolled-back test's "
                "database connection: mark the test @pytest.mark.committed"
            )
            self.refused.append(message)
            raise RuntimeError(message)


class _JoinedSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the app's engine and ignores the session's own
    `bind` (pallets-eco/flask-sqlalchemy#1167); this one uses the bound connection for any
    app on the test database (the test's app, and the extra apps of `make_app`). An app
    configured with another database (a closed port, a missing file) keeps its engine."""

    thread_check: _ThreadCheck

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: sa.Engine | sa.Connection | None = None,
        **kwargs: Any,
    ) -> sa.Engine | sa.Connection:
        connection = self.bind
        if bind is None and isinstance(connection, sa.Connection):
            if self._db.engine.url == connection.engine.url:
                self.thread_check.check()
                return connection
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _sqlite_no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3 would begin transactions itself, only before DML, and never before a
    # SAVEPOINT: a savepoint would then live outside the test's transaction.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def rollback_engine(migrated_database: str) -> Iterator[sa.Engine]:
    """The engine of the rolled-back tests' connections. On SQLite it emits BEGIN itself
    (SQLAlchemy's recipe for savepoints with pysqlite, "Transactions with SQLite and the
    sqlite3 driver"), which the app's engine, used by committed tests, does not."""
    # Decoding stored JSON as the app's engine does (collector.extensions).
    engine = sa.create_engine(
        migrated_database,
        json_deserializer=json_codec.loads,
        **DefaultConfig.SQLALCHEMY_ENGINE_OPTIONS,
    )
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_no_implicit_begin)
        sa.event.listen(engine, "begin", _sqlite_begin)
    yield engine
    engine.dispose()


@contextmanager
def joined_session(connection: sa.Connection) -> Iterator[_ThreadCheck]:
    """`db.session`, for the while, joined to the transaction `connection` is in
    (SQLAlchemy's "Joining a Session into an External Transaction"): the application's
    commit() and rollback() act on savepoints (join_transaction_mode="create_savepoint")."""
    thread_check = _ThreadCheck()
    session_class = type("JoinedSession", (_JoinedSession,), {"thread_check": thread_check})
    original = db.session
    options = {
        **original.session_factory.kw,
        "bind": connection,
        "join_transaction_mode": "create_savepoint",
    }
    db.session = sa_orm.scoped_session(
        sa_orm.sessionmaker(class_=session_class, **options), scopefunc=_app_ctx_id
    )
    try:
        yield thread_check
    finally:
        # Each app context removed its session when it ended.
        db.session = original


@contextmanager
def rolled_back(connection: sa.Connection) -> Iterator[_ThreadCheck]:
    """`db.session` joined to a transaction of `connection` rolled back at the end: the
    connection's outer transaction, or a savepoint in the one a module's tests share."""
    if connection.in_transaction():
        transaction: sa.Transaction = connection.begin_nested()
    else:
        transaction = connection.begin()
    try:
        with joined_session(connection) as thread_check:
            yield thread_check
    finally:
        transaction.rollback()


@pytest.fixture(scope="module")
def module_transaction(rollback_engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction for a whole module, rolled back after its last test. A module
    fixture may store in it (through `world_app`) a world its tests only read; each test
    of the module then runs in a savepoint of it, rolled back at the test's end."""
    with rollback_engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@contextmanager
def world_app(
    apps: dict[str, Flask], database_url: str, connection: sa.Connection
) -> Iterator[Flask]:
    """The shared app, in an app context whose `db.session` stores in the module's
    transaction (`module_transaction`): for module fixtures that build a world once."""
    application = _app_for(apps, database_url, {})
    with joined_session(connection) as thread_check, application.app_context():
        yield application
    if thread_check.refused:
        pytest.fail(thread_check.refused[0], pytrace=False)


@pytest.fixture(scope="session")
def shared_apps() -> Iterator[dict[str, Flask]]:
    """The apps of the session, one per distinct `app_config`."""
    apps: dict[str, Flask] = {}
    yield apps
    for application in apps.values():
        shutdown_jobs(application)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _app_for(apps: dict[str, Flask], database_url: str, overrides: dict[str, Any]) -> Flask:
    key = repr(sorted(overrides.items()))
    application = apps.get(key)
    if application is None:
        application = create_app(make_config(database_url, **overrides))
        application.test_client_class = FreshRequestClient
        apps[key] = application
        return application
    # What create_app sets for the whole process, as a new app per test would set it
    # again: the one Limiter's storage and settings (fresh counters in memory) and the
    # logging format. Extra apps made in an earlier test may have changed them.
    limiter.init_app(application)
    configure_logging(
        application.config.get("LOG_FORMAT", "text"), application.config.get("LOG_LEVEL", "INFO")
    )
    return application


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    shared_apps: dict[str, Flask],
    migrated_database: str,
    app_config: dict[str, Any],
) -> Iterator[Flask]:
    application = _app_for(shared_apps, migrated_database, app_config)
    # A test may set the app's config; the next test gets it as it was.
    saved_config = dict(application.config)
    try:
        if request.node.get_closest_marker("committed"):
            if "module_transaction" in request.fixturenames:
                pytest.fail("a committed test cannot share its module's transaction")
            with application.app_context():
                yield application
                shutdown_jobs(application)
                empty_all_tables()
            return
        shared = "module_transaction" in request.fixturenames
        with (
            nullcontext(request.getfixturevalue("module_transaction"))
            if shared
            else request.getfixturevalue("rollback_engine").connect()
        ) as connection:
            with rolled_back(connection) as thread_check, application.app_context():
                yield application
                shutdown_jobs(application)
        if thread_check.refused:
            pytest.fail(thread_check.refused[0], pytrace=False)
    finally:
        application.config.clear()
        application.config.update(saved_config)


@pytest.fixture
def make_app(migrated_database: str) -> Iterator[Callable[..., Flask]]:
    """Extra apps on the test database (a second worker, other settings); their
    connections are closed afterwards."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        application = create_app(make_config(migrated_database, **overrides))
        made.append(application)
        return application

    yield factory
    for application in made:
        shutdown_jobs(application)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def password_hash(password: str) -> str:
    # scrypt is slow by design; hash each distinct test password once per session.
    if password not in _hash_cache:
        _hash_cache[password] = generate_password_hash(password)
    return _hash_cache[password]


@pytest.fixture
def make_unit(app: Flask) -> Callable[..., OrgUnit]:
    def factory(
        unit_type: UnitType | str = UnitType.SCHOOL,
        parent: OrgUnit | None = None,
        name: str | None = None,
        code: str | None = None,
        **attributes: Any,
    ) -> OrgUnit:
        unit_type = UnitType(unit_type)
        n = next(_counter)
        unit = add_unit(
            db.session,
            parent=parent,
            unit_type=unit_type,
            code=code or f"{unit_type.value}-{n}",
            name=name or f"Организация {n}",
            **attributes,
        )
        db.session.commit()
        return unit

    return factory


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def factory(
        role: Role | str | None = None,
        unit: OrgUnit | None = None,
        username: str | None = None,
        password: str = DEFAULT_PASSWORD,
        full_name: str | None = None,
        **attributes: Any,
    ) -> User:
        n = next(_counter)
        user = User(
            username=username or f"user{n}",
            full_name=full_name or f"Иванов Иван {n}",
            password_hash=password_hash(password),
            session_version=1,
            **attributes,
        )
        if role is not None:
            user.roles.append(RoleAssignment(role=Role(role).value, unit=unit))
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def tree(make_unit: Callable[..., OrgUnit]) -> dict[str, OrgUnit]:
    """Two regions; the first with two municipalities of two schools each."""
    region = make_unit(UnitType.REGION, name="Калужская область", code="R1")
    other_region = make_unit(UnitType.REGION, name="Томская область", code="R2")
    mun_a = make_unit(UnitType.MUNICIPALITY, region, name="Бабынинский район", code="M-A")
    mun_b = make_unit(UnitType.MUNICIPALITY, region, name="Город Обнинск", code="M-B")
    return {
        "region": region,
        "other_region": other_region,
        "mun_a": mun_a,
        "mun_b": mun_b,
        "school_a1": make_unit(UnitType.SCHOOL, mun_a, name="МКОУ «СОШ № 1»", code="S-A1"),
        "school_a2": make_unit(UnitType.SCHOOL, mun_a, name="МКОУ «СОШ № 2»", code="S-A2"),
        "school_b1": make_unit(UnitType.SCHOOL, mun_b, name="МБОУ «Лицей № 1»", code="S-B1"),
        "school_b2": make_unit(UnitType.SCHOOL, mun_b, name="МБОУ «Гимназия № 2»", code="S-B2"),
        "other_school": make_unit(UnitType.SCHOOL, other_region, name="МАОУ «СОШ № 7»", code="S-X"),
    }


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user: User | str, password: str = DEFAULT_PASSWORD) -> Any:
        username = user.username if isinstance(user, User) else user
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self) -> Any:
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def login_as(client: FlaskClient, user: User) -> None:
    """Log a user in as a login would: a server-side session record, and the cookie session
    naming it beside what Flask-Login keeps."""
    from collector.auth.services import start_session
    from collector.auth.views import SESSION_ID_KEY

    session_id = start_session(db.session, user, client.application.permanent_session_lifetime)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[SESSION_ID_KEY] = session_id


@pytest.fixture
def people(tree: dict[str, OrgUnit], make_user: Callable[..., User]) -> dict[str, User]:
    """One user per role, bound to the `tree` units."""
    return {
        "admin": make_user(Role.ADMIN, None, username="admin"),
        "region": make_user(Role.REGIONAL_COORDINATOR, tree["region"], username="region"),
        "other_region": make_user(
            Role.REGIONAL_COORDINATOR, tree["other_region"], username="tomsk"
        ),
        "municipal": make_user(Role.MUNICIPAL_COORDINATOR, tree["mun_a"], username="mun"),
        "school": make_user(Role.SCHOOL_RESPONDENT, tree["school_a1"], username="school"),
    }
