"""Migrations: one head, and the migrated database matches the models exactly."""

from __future__ import annotations

import importlib.util
from contextlib import nullcontext
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import select

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


def _migration(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_forms_without_an_owner_are_given_their_territorys(app, tree, people):
    """0013: a version without an owner gets its form's owner, else its campaigns' region
    or municipality, else its records'; a form none names stays the installation's."""
    from datetime import datetime

    from collector.models import FormVersion, RegistryRecord
    from collector.publishing.services import publish
    from collector.schema import compile_document
    from tests.campaigns.factories import new_campaign
    from tests.schema.cases import base

    def version(form_id: str, title: str = "Форма", owner=None) -> FormVersion:
        document = base()
        document["id"], document["title"] = form_id, title
        return publish(db.session, compile_document(document), None, owner=owner).form_version

    first = version("revised")
    first.owner_unit_id = None
    version("revised", "Форма, новая редакция", owner=tree["mun_a"])
    campaign_form = base()
    campaign_form["id"] = "in-campaign"
    new_campaign(tree, people, deadline=datetime(2026, 12, 1, 18, 0), document=campaign_form)
    for form_id, schools in (("kept", ["school_a1", "school_b1"]), ("one-school", ["school_a1"])):
        kept = version(form_id)
        for key in schools:
            db.session.add(
                RegistryRecord(
                    form_id=form_id,
                    form_version_id=kept.id,
                    unit_id=tree[key].id,
                    title=key,
                    data={},
                )
            )
    version("unused")
    db.session.flush()
    given = _migration("0013_form_owners").backfill(db.session.connection())
    expected = {
        "revised": tree["mun_a"].id,
        "in-campaign": tree["region"].id,
        "kept": tree["region"].id,
        "one-school": tree["mun_a"].id,  # its school's municipality, not the school
    }
    assert given == expected
    db.session.expire_all()
    owners = {
        (v.form_id, v.version): v.owner_unit_id for v in db.session.scalars(select(FormVersion))
    }
    assert owners == {
        ("revised", 1): tree["mun_a"].id,
        ("revised", 2): tree["mun_a"].id,
        ("in-campaign", 1): tree["region"].id,
        ("kept", 1): tree["region"].id,
        ("one-school", 1): tree["mun_a"].id,
        ("unused", 1): None,
    }


# Units as a database before 0014 holds them: made out of order, ids and text both wrong.
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
    """0014 fills sort_path for the units a database already holds, as the model makes it
    for new units (its frozen copy of the rule agrees with the code's)."""
    if request.config.getoption("--db") == "postgresql":
        scratch = scratch_postgres_database("collector_migration")
    else:
        scratch = nullcontext(f"sqlite:///{tmp_path / 'before-0014.sqlite'}")
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
