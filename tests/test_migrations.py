"""Migrations: one head, and the migrated database matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from collector.extensions import db, migrate


def test_there_is_one_head(app):
    config = migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_build_the_schema_the_models_describe(app):
    # The session fixture ran every migration from empty to head on this database.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
