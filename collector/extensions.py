"""Extension singletons, bound to the app in create_app, and engine-wide settings."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, Pool

from collector import json_codec
from collector.models.base import Base

# What SQLite hands a function defined in Python, and takes back.
SQLiteValue = str | bytes | int | float | None

# Stored JSON (answers, documents) is decoded by orjson, on SQLite and PostgreSQL alike
# (SQLALCHEMY_ENGINE_OPTIONS may add to these, not drop them).
db = SQLAlchemy(model_class=Base, engine_options={"json_deserializer": json_codec.loads})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: only the endpoints that need one (login) are limited.
limiter = Limiter(key_func=get_remote_address)


# A pooled connection idle this long is tried before it is handed out (a database
# restarted overnight would fail the morning's first requests). One in steady use is not:
# SQLAlchemy's pool_pre_ping tries every checkout, a round trip on every request (a sixth
# of a survey answer's); a connection cut while in use fails its request with the 503 page,
# and SQLAlchemy then drops the pool's other connections, so the retry finds a fresh one.
PING_AFTER_IDLE_SECONDS = 1.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        # The driver may have begun a transaction for it: hand the connection out clean.
        dbapi_connection.rollback()
    except Exception as error:  # noqa: BLE001 - any failure: the pool tries a new connection
        raise DisconnectionError(f"a pooled connection did not answer: {error}") from error


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked; WAL lets readers run beside one writer.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # SQLite's own lower() folds ASCII only; searches must fold Cyrillic too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: SQLiteValue) -> SQLiteValue:
    return value.lower() if isinstance(value, str) else value
