"""The schema compiler: each error code has an __ok and an __error case; every problem is
reported at once with its JSON path; a directory of broken schemas is rejected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from collector.schema import CODES, SchemaError, compile_document, compile_text
from tests.schema.cases import CASES, base, document

BROKEN = Path(__file__).parent / "broken"
ROOT = Path(__file__).resolve().parents[2]
# Codes not reachable through a parsed document, tested on their own below.
SPECIAL = {"json_syntax", "unused_key"}


def test_every_code_has_cases():
    assert set(CASES) | SPECIAL == set(CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code__ok(code):
    compiled = compile_document(document(code, "ok"))
    assert compiled.spec.id == "test-form"


@pytest.mark.parametrize("code", sorted(CASES))
def test_code__error(code):
    with pytest.raises(SchemaError) as caught:
        compile_document(document(code, "error"))
    assert {issue.code for issue in caught.value.errors} == {code}
    assert all(issue.path.startswith("$") for issue in caught.value.errors)


def test_json_syntax__ok():
    assert compile_text(json.dumps(base(), ensure_ascii=False).encode()).spec.version == 1


def test_json_syntax__error():
    with pytest.raises(SchemaError) as caught:
        compile_text('{"id": "x",\n "version": }')
    [issue] = caught.value.issues
    assert (issue.code, issue.path) == ("json_syntax", "$")
    assert "line 2" in issue.message


def test_unused_key__ok():
    assert compile_document(base()).warnings == []


def test_unused_key__error_is_a_warning():
    doc = base()
    doc["sections"][0]["fields"][2]["unit"] = "ед."  # a yes/no has no unit
    compiled = compile_document(doc)
    assert [(w.code, w.path, w.warning) for w in compiled.warnings] == [
        ("unused_key", "$.sections[0].fields[2].unit", True)
    ]


def test_all_errors_are_reported_at_once_with_paths():
    doc = base()
    doc["sections"][0]["fields"][1]["visible_if"] = "totl > 0"
    doc["rules"][0]["check"] = "part <="
    doc["sections"][0]["fields"][0].update(min=5, max=1)
    with pytest.raises(SchemaError) as caught:
        compile_document(doc)
    assert sorted((i.path, i.code) for i in caught.value.errors) == [
        ("$.rules[0].check", "expression_syntax"),
        ("$.sections[0].fields[0].min", "min_above_max"),
        ("$.sections[0].fields[1].visible_if", "unknown_reference"),
    ]


def test_structure_error_names_the_deep_path():
    doc = base()
    doc["sections"][0]["fields"][0]["type"] = "number"
    with pytest.raises(SchemaError) as caught:
        compile_document(doc)
    assert caught.value.errors[0].path == "$.sections[0].fields[0].type"


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.json")), ids=lambda p: p.stem)
def test_broken_directory(path: Path):
    expected = path.stem.split("__")[0]
    with pytest.raises(SchemaError) as caught:
        compile_text(path.read_bytes())
    assert expected in {issue.code for issue in caught.value.errors}


def test_broken_directory_covers_every_error_code():
    codes = {path.stem.split("__")[0] for path in BROKEN.glob("*.json")}
    assert codes == set(CODES) - {"unused_key"}


def test_spec_keeps_texts_sources_and_trees():
    spec = compile_document(base()).spec
    assert spec.title.get("en") == "Test form" and spec.title.get("ru") == "Проверочная форма"
    assert spec.field("total").unit == "ед."
    assert [o.value for o in spec.field("level").options] == ["school", "region"]
    assert spec.rules[0].fields == ("part",)
    assert spec.indicators[0].source.clause == "11.1"


def test_compiler_does_not_import_flask():
    code = "import sys, collector.schema; assert 'flask' not in sys.modules, 'flask imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_cli_check_prints_coded_lines_and_exit_code(app, tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(base(), ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document("unknown_reference", "error")), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schemas", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: $.rules[0].check: unknown_reference:" in result.output
    assert runner.invoke(args=["schemas", "check", str(good)]).exit_code == 0


def test_the_documented_example_compiles():
    import re

    text = (ROOT / "docs" / "form-schema.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.S)
    assert example is not None
    compiled = compile_text(example.group(1))
    assert [f.id for f in compiled.spec.fields] == ["has_page", "media_total", "media_district"]
