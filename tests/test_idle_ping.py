"""A pooled connection is tried before use only after it has been idle: one whose
database went away meanwhile is replaced without the request seeing it, and one in
steady use costs no extra round trip."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from collector import extensions
from tests.conftest import POSTGRES_ADMIN_URL, scratch_postgres_database


def backend_of(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def terminate(pid: int) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.fixture
def engine():
    with scratch_postgres_database("collector_ping") as url:
        made = sa.create_engine(url, pool_size=1, max_overflow=0)
        yield made
        made.dispose()


def test_an_idle_connection_whose_server_went_away_is_replaced_unseen(engine, monkeypatch):
    first = backend_of(engine)
    terminate(first)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The only pooled connection is dead; the checkout tries it and takes a new one.
    assert backend_of(engine) != first


def test_a_connection_in_steady_use_is_not_tried_and_a_cut_fails_once(engine, monkeypatch):
    first = backend_of(engine)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600.0)
    terminate(first)
    # Not tried (it was used a moment ago): the request that meets the cut fails, as the
    # 503 page tells the user, and SQLAlchemy drops the connection ...
    with pytest.raises(sa.exc.OperationalError), engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    # ... so that the retry gets a new one.
    assert backend_of(engine) != first
