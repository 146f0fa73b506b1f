"""Publishing: a version is immutable; a changed file makes a new version; an unchanged
one is recognised."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from collector.extensions import db
from collector.models import FormVersion
from collector.publishing.services import publish
from collector.schema import compile_document
from tests.schema.cases import base, document


def versions() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(FormVersion.form_id, FormVersion.version).order_by(
            FormVersion.form_id, FormVersion.version
        )
    )
    return [tuple(row) for row in rows]


def test_publish_is_idempotent_and_changes_make_new_versions(app):
    first = publish(db.session, compile_document(base()), None, "test.json")
    again = publish(db.session, compile_document(base()), None, "test.json")
    assert first.created and not again.created
    assert again.form_version.id == first.form_version.id
    changed = base()
    changed["title"] = "Проверочная форма, новая редакция"
    second = publish(db.session, compile_document(changed), None, "test.json")
    db.session.commit()
    assert second.created and versions() == [("test-form", 1), ("test-form", 2)]
    # The first version's document is kept exactly as it was.
    stored = db.session.get(FormVersion, first.form_version.id)
    assert stored.document["title"] == base()["title"] and stored.document["version"] == 1
    assert db.session.get(FormVersion, second.form_version.id).document["version"] == 2


def test_cli_load_publishes_all_or_nothing(app, tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(base(), ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document("duplicate_id", "error")), encoding="utf-8")
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["schemas", "load", str(good), str(bad)])
    assert failed.exit_code == 1 and versions() == []
    loaded = runner.invoke(args=["schemas", "load", str(good)])
    assert loaded.exit_code == 0 and "test-form version 1 published" in loaded.output
    unchanged = runner.invoke(args=["schemas", "load", str(good)])
    assert "version 1 unchanged" in unchanged.output and versions() == [("test-form", 1)]


def owner_of(form_id: str) -> list[int | None]:
    rows = db.session.scalars(
        select(FormVersion.owner_unit_id)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version)
    )
    return list(rows)


def test_a_version_belongs_to_the_owner_named_else_to_its_forms(app, tree):
    region, other = tree["region"], tree["other_region"]
    publish(db.session, compile_document(base()), None, owner=region)
    changed = base()
    changed["title"] = "Проверочная форма, новая редакция"
    publish(db.session, compile_document(changed), None)  # a new version keeps the owner
    assert owner_of("test-form") == [region.id, region.id]
    changed["title"] = "Проверочная форма, третья редакция"
    publish(db.session, compile_document(changed), None, owner=other)
    assert owner_of("test-form") == [region.id, region.id, other.id]
    shared = base()
    shared["id"] = "shared-form"
    publish(db.session, compile_document(shared), None)  # nobody's: the installation's
    assert owner_of("shared-form") == [None]


def test_cli_load_names_the_owner_and_gives_it_forms_loaded_without_one(app, tree, tmp_path):
    form = tmp_path / "form.json"
    form.write_text(json.dumps(base(), ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["schemas", "load", "--owner", "NO-SUCH", str(form)])
    assert unknown.exit_code != 0 and "NO-SUCH" in unknown.output and versions() == []
    assert runner.invoke(args=["schemas", "load", str(form)]).exit_code == 0
    assert owner_of("test-form") == [None]
    claimed = runner.invoke(args=["schemas", "load", "--owner", "R1", str(form)])
    assert "version 1 unchanged, now owned by R1" in claimed.output
    assert owner_of("test-form") == [tree["region"].id]
    # Another unit's form is not taken by loading it again.
    again = runner.invoke(args=["schemas", "load", "--owner", "R2", str(form)])
    assert "owned by another unit (not changed)" in again.output
    assert owner_of("test-form") == [tree["region"].id]
