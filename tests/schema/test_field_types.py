"""Each field type: it renders, validates typed input and stores/reloads its answer."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from collector.schema import compile_document
from collector.schema.evaluate import context, evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import parse
from collector.schema.formbuild import (
    answers_from_form,
    build_form_class,
    form_data_from_answers,
)
from collector.schema.kinds import field_kinds, table_column_types
from collector.schema.validate import META_SCHEMA_PATH
from tests.schema.cases import base

EXTRA_FIELDS = [
    {"id": "amount", "type": "decimal", "label": "Сумма", "decimals": 2, "min": 0},
    {"id": "share", "type": "percent", "label": "Доля"},
    {"id": "mood", "type": "rating", "label": "Оценка", "scale": {"min": 1, "max": 5}},
    {"id": "note", "type": "text", "label": "Примечание", "max_length": 10},
    {"id": "story", "type": "long_text", "label": "Описание"},
    {"id": "day", "type": "date", "label": "Дата"},
    {"id": "boss", "type": "person", "label": "Координатор"},
    {"id": "partner_unit", "type": "unit_ref", "label": "Организация"},
]


def spec():
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"].extend(EXTRA_FIELDS)
    return compile_document(doc).spec


def submit(form_data: dict[str, Any]):
    form_class = build_form_class(spec(), Form)
    form = form_class(MultiDict(form_data))
    return form, form.validate()


GOOD = {
    "total": "12",
    "part": "5",
    "has_plan": "yes",
    "level": "region",
    "topics": ["it", "med"],
    "people-pupils__count": "120",
    "people-parents__count": "",
    "deals-0-partner": "АО «Калужский турбинный завод»",
    "deals-0-pupils": "30",
    "deals-1-partner": "",
    "deals-1-pupils": "",
    "amount": "1234.50",
    "share": "99.5",
    "mood": "4",
    "note": "коротко",
    "story": "Многострочный\nтекст",
    "day": "2026-04-30",
    "boss-full_name": "Иванова Мария Петровна",
    "boss-email": "ivanova@example.ru",
    "partner_unit": "40-S-0001",
}

EXPECTED = {
    "total": 12,
    "part": 5,
    "has_plan": True,
    "level": "region",
    "topics": ["it", "med"],
    "people": {"pupils": {"count": 120}},
    "deals": [{"partner": "АО «Калужский турбинный завод»", "pupils": 30}],
    "amount": "1234.50",
    "share": "99.5",
    "mood": 4,
    "note": "коротко",
    "story": "Многострочный\nтекст",
    "day": "2026-04-30",
    "boss": {"full_name": "Иванова Мария Петровна", "email": "ivanova@example.ru"},
    "partner_unit": "40-S-0001",
}


def test_the_meta_schema_lists_the_registered_types():
    """The meta-schema file is read by people and other systems; the compiler takes the
    types from the registry, and the file must say the same."""
    meta = json.loads(META_SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    assert meta["field"]["properties"]["type"]["enum"] == list(field_kinds())
    assert meta["column"]["properties"]["type"]["enum"] == table_column_types()


def test_typed_values_become_stored_answers():
    form, ok = submit(GOOD)
    assert ok, form.errors
    assert answers_from_form(spec(), form) == EXPECTED


def test_stored_answers_render_back_into_the_form():
    form_class = build_form_class(spec(), Form)
    form = form_class(data=form_data_from_answers(spec(), EXPECTED))
    assert answers_from_form(spec(), form) == EXPECTED
    html = {name: str(form[name]()) for name in ("total", "has_plan", "people", "boss", "deals")}
    assert 'value="12"' in html["total"]
    assert (
        '<input checked id="has_plan-0" name="has_plan" type="radio" value="yes">'
        in (html["has_plan"])
    )
    assert 'value="120"' in html["people"]
    assert "Иванова Мария Петровна" in html["boss"]
    assert "Калужский турбинный завод" in html["deals"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("total", "двенадцать"),
        ("total", "-1"),
        ("amount", "1,2,3"),
        ("share", "101"),
        ("level", "federal"),
        ("topics", ["it", "space"]),
        ("mood", "6"),
        ("note", "слишком длинный текст"),
        ("day", "30.04.2026x"),
        ("boss-email", "не почта"),
        ("people-pupils__count", "много"),
        ("deals-0-pupils", "x"),
    ],
)
def test_bad_input_is_refused_per_type(name, value):
    form, ok = submit({**GOOD, name: value})
    assert not ok
    top = name.split("-")[0]
    assert top in form.errors


def test_empty_form_is_a_valid_draft():
    form, ok = submit({})
    assert ok, form.errors
    assert answers_from_form(spec(), form) == {}


def test_visibility_and_rules():
    form_spec = spec()
    form_spec_doc = base()
    assert visible_field_ids(form_spec, {}) >= {"total", "part"}
    failures = failed_rules(form_spec, {"total": 3, "part": 5})
    assert [(f.rule.id, f.fields) for f in failures] == [("part_le_total", ("part",))]
    # A rule with a missing value cannot fail.
    assert failed_rules(form_spec, {"part": 5}) == []
    doc = copy.deepcopy(form_spec_doc)
    doc["sections"][0]["fields"][1]["visible_if"] = "total > 0"
    hidden_spec = compile_document(doc).spec
    assert "part" not in visible_field_ids(hidden_spec, {"total": 0})
    assert "part" in visible_field_ids(hidden_spec, {"total": 1})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("total - part", 7),
        ("part / total * 100 > 40", True),
        ("sum(deals.pupils) + people.pupils.count", 150),
        ("count(deals)", 1),
        ("count(people.parents.count)", 0),
        ('selected(topics, "med")', True),
        ('level = "region" and not has_plan', False),
        ("missing_value_is_null = null", True),
        ("part / 0", None),
        ('day >= "2026-01-01"', True),
    ],
)
def test_evaluation(source, expected):
    values = context(spec(), EXPECTED)
    values.setdefault("missing_value_is_null", None)
    result = evaluate(parse(source), values)
    assert result == expected


def test_every_kind_is_drawn_by_a_template_of_its_own():
    from pathlib import Path

    from collector.schema.kinds import renderers

    templates = Path(__file__).resolve().parents[2] / "collector" / "templates" / "kinds"
    for name, renderer in renderers().items():
        drawn = templates / f"{renderer}.html"
        assert drawn.is_file(), name
        # Every kind's macro takes the same arguments (read-only pages draw it too).
        macro = "{% macro input(spec, f, language, read_only=false) %}"
        assert macro in drawn.read_text(encoding="utf-8"), name


def test_a_form_class_is_made_once_per_spec_language_and_choice():
    made = spec()
    first = build_form_class(made, Form, "ru")
    assert build_form_class(made, Form, "ru") is first
    english = build_form_class(made, Form, "en")
    assert english is not first
    # A section's fields, in any order, are one choice; the spec's order is kept.
    chosen = build_form_class(made, Form, "ru", ["total", "part"])
    assert build_form_class(made, Form, "ru", ["part", "total"]) is chosen
    assert [f.name for f in chosen()] == ["total", "part"]
    # Another spec with the same content is another spec (a new version, a preview).
    other = build_form_class(spec(), Form, "ru")
    assert other is not first
    # Each request still gets its own form, with its own data.
    one, two = first(MultiDict({"total": "3"})), first(MultiDict({"total": "4"}))
    assert (one["total"].data, two["total"].data) == (3, 4)
