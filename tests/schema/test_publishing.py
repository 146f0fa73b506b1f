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
