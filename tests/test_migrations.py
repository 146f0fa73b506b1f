"""Migrations: one head, and the migrated database matches the models exactly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from collector.extensions import db, migrate


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
