"""A part of a zero total is 0 (issue 28): a number field declaring `hidden_value` reads
as it where a condition hiding it is definitely false, in the row evaluator (rules) and
the engine (indicators) alike. Values worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, units_frame
from collector.schema import compile_document
from collector.schema.errors import SchemaError
from collector.schema.evaluate import context, visible_field_ids

ROOT = Path(__file__).resolve().parents[2]
KALUGA = compile_document(
    json.loads((ROOT / "form_schemas" / "kaluga-1829-school.json").read_text("utf-8"))
).spec

# Municipality 10: schools 101 and 102, both with no publications (the parts hidden,
# never stored). Municipality 20: school 201 with 3 (1 district, 2 regional) and school
# 202 with 0.
PLACES = [
    UnitPlace(101, 101, 10, 1),
    UnitPlace(102, 102, 10, 1),
    UnitPlace(201, 201, 20, 1),
    UnitPlace(202, 202, 20, 1),
]
ANSWERS = [
    (101, {"media_total": 0}),
    (102, {"media_total": 0}),
    (201, {"media_total": 3, "media_district": 1, "media_regional": 2}),
    (202, {"media_total": 0}),
]


def _municipal(answers: list[tuple[int, dict]]) -> dict[str, dict[int, float | None]]:
    engine = Engine(KALUGA, units_frame(PLACES), answers_frame(KALUGA, answers))
    ids = ["media_publications", "media_district_total", "media_regional_total"]
    computed = engine.compute([i for i in KALUGA.indicators if i.id in ids])
    return {i: {group: v.value for group, v in computed.by(i, "municipality").items()} for i in ids}


def test_a_municipality_of_schools_with_no_publications_has_none_in_district_or_region():
    values = _municipal(ANSWERS)
    # sum(media_total): 10: 0 + 0 = 0; 20: 3 + 0 = 3.
    assert values["media_publications"] == {10: 0.0, 20: 3.0}
    # sum(media_district): 10: 0 + 0 (both hidden by media_total = 0) = 0, not «нет
    # данных»; 20: 1 + 0 (202 hidden) = 1.
    assert values["media_district_total"] == {10: 0.0, 20: 1.0}
    # sum(media_regional): 10: 0 + 0 = 0; 20: 2 + 0 = 2.
    assert values["media_regional_total"] == {10: 0.0, 20: 2.0}
    # Region 1: 0 + 0 + 1 + 0 = 1 district publication, read from the responses.


def test_an_unknown_total_hides_no_value_for_sure():
    # 101 left its total empty (a draft counted on request): the parts are hidden, but
    # not because the total is 0, so they are unknown, not 0.
    answers = [(101, {}), (102, {})]
    values = _municipal(answers)
    assert values["media_district_total"][10] is None


def test_the_row_evaluator_reads_the_hidden_part_as_0_too():
    values = context(KALUGA, {"media_total": 0})
    assert (values["media_district"], values["media_regional"]) == (0, 0)
    assert context(KALUGA, {})["media_district"] is None
    # A stored value of a hidden field is not what is read: hidden is hidden.
    assert context(KALUGA, {"media_total": 0, "media_district": 5})["media_district"] == 0
    # Shown or hidden is decided by what was typed.
    assert "media_district" not in visible_field_ids(KALUGA, {"media_total": 0})
    assert "media_district" in visible_field_ids(KALUGA, {"media_total": 1})


def test_a_hidden_value_needs_a_field_that_can_be_hidden_and_fits_its_range():
    document = json.loads((ROOT / "form_schemas" / "kaluga-1829-school.json").read_text("utf-8"))
    for section in document["sections"]:
        for field in section["fields"]:
            if field["id"] == "media_district":
                field["hidden_value"] = -1
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    assert [(i.code, i.path.endswith(".hidden_value")) for i in caught.value.errors] == [
        ("hidden_value_unfit", True)
    ]
