"""Migrations: one head, and the migrated database matches the models exactly."""

from __future__ import annotations

from contextlib import nullcontext

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from collector import create_app
from collector.extensions import db, migrate
from collector.models import OrgUnit
from collector.models.base import UTCDateTime, utcnow
from collector.models.units import IN_TREE_ORDER, fill_sort_paths
from tests.conftest import make_config, scratch_postgres_database


def test_there_is_one_head(app):
    config = migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_build_the_schema_the_models_describe(app):
    # The session fixture ran every migration from empty to head on this database.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


# Units as a database before 0013 holds them: made out of order, ids and text both wrong.
OLD_UNITS = [
    (1, None, "region", "R", "Калужская область", "/1/", 0),
    (2, 1, "municipality", "M-9", "Район 9", "/1/2/", 1),
    (3, 1, "municipality", "M-10", "Район 10", "/1/3/", 1),
    (4, 1, "school", "S-R", "Ёлкинская СОШ (областная)", "/1/4/", 1),
    *(
        (5 + n, 2, "school", f"S-{n}", name, f"/1/2/{5 + n}/", 2)
        for n, name in enumerate(["СОШ № 20", "СОШ № 2", "СОШ № 10", "СОШ № 1", "СОШ № 18"])
    ),
    (10, 3, "school", "S-30", "СОШ № 3", "/1/3/10/", 2),
]


def test_the_sort_path_migration_fills_what_the_model_keeps(request, tmp_path):
    """0013 fills sort_path for the units a database already holds, as the model makes it
    for new units (its frozen copy of the rule agrees with the code's)."""
    if request.config.getoption("--db") == "postgresql":
        scratch = scratch_postgres_database("collector_migration")
    else:
        scratch = nullcontext(f"sqlite:///{tmp_path / 'before-0013.sqlite'}")
    with scratch as url:
        application = create_app(make_config(url))
        with application.app_context():
            try:
                upgrade(revision="0012_survey_submission_key")
                keys = ("id", "parent_id", "unit_type", "code", "name", "path", "depth")
                rows = [dict(zip(keys, unit, strict=True)) for unit in OLD_UNITS]
                old = sa.table(
                    "org_unit",
                    *(sa.column(k) for k in (*keys, "is_active")),
                    sa.column("created_at", UTCDateTime()),
                )
                made = {"is_active": True, "created_at": utcnow()}
                with db.engine.begin() as connection:
                    connection.execute(old.insert(), [{**row, **made} for row in rows])
                upgrade()
                with db.engine.connect() as connection:
                    stored = {
                        i: p
                        for i, p in connection.execute(sa.select(OrgUnit.id, OrgUnit.sort_path))
                    }
                    ordered = list(
                        connection.scalars(sa.select(OrgUnit.name).order_by(*IN_TREE_ORDER))
                    )
            finally:
                db.session.remove()
                db.engine.dispose()
    fill_sort_paths(rows)
    assert stored == {row["id"]: row["sort_path"] for row in rows}
    assert ordered == [
        "Калужская область",
        "Район 9",
        "СОШ № 1",
        "СОШ № 2",
        "СОШ № 10",
        "СОШ № 18",
        "СОШ № 20",
        "Район 10",
        "СОШ № 3",
        "Ёлкинская СОШ (областная)",
    ]
