"""A group of parts of a total (issue 28): `parts` ≤ `total` declared once, the sum of
the answered parts checked, the message standing once beside the group."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from collector.schema import compile_document
from collector.schema.errors import SchemaError
from collector.schema.evaluate import failed_rules
from collector.schema.spec import FormSpec
from tests.schema.cases import base, set_parts

ROOT = Path(__file__).resolve().parents[2]


def _group(parts: list[str], total: str = "total") -> dict:
    document = copy.deepcopy(base())
    document["sections"][0]["fields"].append(
        {"id": "part2", "type": "integer", "label": "Из них другие", "min": 0}
    )
    set_parts(parts, total)(document)
    return document


def test_the_sum_of_the_parts_past_the_total_is_refused_beside_the_last_part():
    spec = compile_document(_group(["part", "part2"])).spec
    rule = spec.rules[0]
    assert (rule.parts, rule.total, rule.fields) == (("part", "part2"), "total", ("part2",))
    # 2 + 2 = 4 > 2: refused, once, after the group's last part.
    failures = failed_rules(spec, {"total": 2, "part": 2, "part2": 2})
    assert [(f.rule.id, f.fields, str(f.rule.message)) for f in failures] == [
        ("part_le_total", ("part2",), "Часть больше целого")
    ]
    # 1 + 1 = 2 ≤ 2, and 0 + 0 ≤ 0.
    assert failed_rules(spec, {"total": 2, "part": 1, "part2": 1}) == []
    assert failed_rules(spec, {"total": 0, "part": 0, "part2": 0}) == []


def test_the_answered_parts_are_summed_and_a_missing_total_passes():
    spec = compile_document(_group(["part", "part2"])).spec
    # 3 > 2 though the other part is empty: the answered parts are what is summed.
    assert len(failed_rules(spec, {"total": 2, "part": 3})) == 1
    assert failed_rules(spec, {"total": 2, "part": 2}) == []
    # No total, or no part: nothing to compare (required-ness is checked apart).
    assert failed_rules(spec, {"part": 3, "part2": 3}) == []
    assert failed_rules(spec, {"total": 2}) == []


def test_a_group_names_numbers_of_the_form_each_once():
    with pytest.raises(SchemaError) as caught:
        compile_document(_group(["part", "parts", "has_plan"], total="part"))
    found = {(i.path, i.code) for i in caught.value.errors}
    assert found == {
        ("$.rules[0].parts[1]", "unknown_field"),
        ("$.rules[0].parts[2]", "type_mismatch"),
        ("$.rules[0].total", "repeated_part"),
    }


def test_a_rule_is_a_check_or_a_group_never_both():
    document = _group(["part", "part2"])
    document["rules"][0]["check"] = "part <= total"
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    assert {i.code for i in caught.value.errors} == {"structure"}
    alone = _group(["part", "part2"])
    del alone["rules"][0]["total"]
    with pytest.raises(SchemaError):
        compile_document(alone)


def _shipped(name: str) -> FormSpec:
    return compile_document(json.loads((ROOT / "form_schemas" / name).read_text("utf-8"))).spec


def test_kaluga_district_and_regional_publications_together_within_the_total():
    spec = _shipped("kaluga-1829-school.json")
    # «количество публикаций в СМИ …, из них в: районных СМИ …, региональных СМИ …»:
    # a publication is in a district or a regional outlet, so 2 + 2 cannot be of 2.
    failures = failed_rules(spec, {"media_total": 2, "media_district": 2, "media_regional": 2})
    assert [(f.rule.id, f.fields) for f in failures] == [
        ("media_parts_within_total", ("media_regional",))
    ]
    assert "вместе не может быть больше" in str(failures[0].rule.message)
    assert failed_rules(spec, {"media_total": 2, "media_district": 1, "media_regional": 1}) == []


def test_nevinnomyssk_agreements_by_partner_within_all_agreements():
    spec = _shipped("nevinnomyssk-2020-school-monitoring.json")
    answers = {"agreements_total": 3, "agreements_poo": 1, "agreements_vuz": 1}
    assert failed_rules(spec, answers | {"agreements_enterprise": 1}) == []
    failures = failed_rules(spec, answers | {"agreements_enterprise": 2})
    assert [f.rule.id for f in failures] == ["agreements_parts_within_total"]
