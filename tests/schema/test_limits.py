"""Bounds on what the compiler reads (issue 19): an expression's length, parts and depth,
and a document's nesting. Past a bound the input is refused with a code at its path; within
it, nothing that walks a tree or a document comes near Python's recursion limit."""

from __future__ import annotations

import copy
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from collector.extensions import db
from collector.indicators.engine import Engine
from collector.indicators.frame import answers_frame, units_frame
from collector.models import FormVersion
from collector.schema import SchemaError, compile_document, compile_text
from collector.schema.diff import diff_documents
from collector.schema.evaluate import evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TOKENS,
    ExpressionError,
    parse,
    references,
)
from collector.schema.validate import MAX_JSON_DEPTH, too_deep_at
from tests.indicators.test_engine import ANSWERS, PLACES
from tests.indicators.test_engine import document as engine_document
from tests.schema.cases import base, nested

# Frames left to the compiler in a request: Python stops at 1000, and Flask, the database
# and the designer's views take a couple of hundred before a tree is read.
HEADROOM = 500


@contextmanager
def headroom(frames: int = HEADROOM) -> Iterator[None]:
    """Run with only `frames` frames to spare above the current stack."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def refused(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    return caught.value


# --- expressions ----------------------------------------------------------------------


def test_a_thousand_term_chain_is_refused_as_too_long() -> None:
    # The issue's case: it parsed (in a loop) into a tree a thousand levels high, and
    # every walker after the parser raised RecursionError.
    for source in (" + ".join(["total"] * 1000), "+".join(["a"] * 1000)):
        error = refused(source)
        assert error.code == "expression_too_long"


def test_a_chain_past_the_depth_bound_is_refused_at_its_operator() -> None:
    accepted = "+".join(["a"] * MAX_DEPTH)  # MAX_DEPTH - 1 operators over the leaves
    assert parse(accepted) is not None
    source = "+".join(["a"] * (MAX_DEPTH + 1))
    error = refused(source)
    assert error.code == "expression_too_deep"
    # The operator that would make the tree one level too high: the last "+".
    assert error.position == source.rindex("+")
    # Grouped in parentheses, the same sum is accepted.
    half = MAX_DEPTH // 2 + 1
    grouped = "(" + "+".join(["a"] * half) + ") + (" + "+".join(["a"] * half) + ")"
    assert parse(grouped) is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n + "a" + ")" * n,
        lambda n: "-" * n + "a",
        lambda n: "not " * n + "a",
        lambda n: "f(" * n + "a" + ")" * n,
        lambda n: "a * " * n + "a",
    ],
    ids=["parentheses", "minus", "not", "calls", "product"],
)
def test_nesting_is_bounded_in_every_form(make: Callable[[int], str]) -> None:
    assert parse(make(MAX_DEPTH - 1)) is not None
    assert refused(make(MAX_DEPTH + 1)).code == "expression_too_deep"


def test_length_and_parts_are_bounded() -> None:
    # Every character counts, spaces too: the meta-schema's maxLength says the same.
    assert parse("a" + " " * (MAX_LENGTH - 1)) is not None
    error = refused("a" + " " * MAX_LENGTH)
    assert (error.code, error.position) == ("expression_too_long", MAX_LENGTH)
    # sum(a,a,…): 2 tokens per argument, plus "sum", "(" and the last ")" (the last "a"
    # has no comma after it).
    arguments = (MAX_TOKENS - 2) // 2
    assert parse("sum(" + ",".join(["a"] * arguments) + ")") is not None
    error = refused("sum(" + ",".join(["a"] * (arguments + 1)) + ")")
    assert error.code == "expression_too_long"


def test_the_compiler_reports_the_bounds_at_the_expressions_path() -> None:
    document = base()
    document["rules"][0]["check"] = " + ".join(["part"] * 60) + " >= 0"
    document["sections"][0]["fields"][1]["visible_if"] = "not " * 60 + "has_plan"
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    assert sorted((i.path, i.code) for i in caught.value.errors) == [
        ("$.rules[0].check", "expression_too_deep"),
        ("$.sections[0].fields[1].visible_if", "expression_too_deep"),
    ]


# The deepest trees the parser accepts, of each shape a formula or a condition takes.
DEEPEST_FORMULAS = [
    " + ".join(["sum(trained)"] * (MAX_DEPTH - 1)),
    "share(" + "not " * (MAX_DEPTH - 2) + "has_plan)",
    "count_if(" + " and ".join(["has_plan"] * (MAX_DEPTH - 1)) + ")",
    "sum(" + "-" * (MAX_DEPTH - 2) + "trained)",
    "sum(" + "(" * (MAX_DEPTH - 3) + "trained" + ")" * (MAX_DEPTH - 3) + ")",
]
DEEPEST_CONDITIONS = [
    " + ".join(["trained"] * (MAX_DEPTH - 1)) + " >= 0",
    "not " * (MAX_DEPTH - 2) + "has_plan",  # an even number: true
    " or ".join(["has_plan"] * MAX_DEPTH),
]


@pytest.mark.parametrize("formula", DEEPEST_FORMULAS)
def test_the_deepest_accepted_formula_is_computed_within_the_headroom(formula: str) -> None:
    document = engine_document([{"id": "deep", "title": "Глубокий", "formula": formula}])
    tree = parse(formula)
    with headroom():
        spec = compile_document(copy.deepcopy(document)).spec
        computed = Engine(
            spec, units_frame(PLACES), answers_frame(spec, list(ANSWERS.items())), year=2025
        ).compute()
        assert references(tree) and hash(tree) == hash(parse(formula))
        assert diff_documents(document, copy.deepcopy(document)) == []
    assert computed.by("deep", "region")


@pytest.mark.parametrize("condition", DEEPEST_CONDITIONS)
def test_the_deepest_accepted_condition_is_evaluated_within_the_headroom(condition: str) -> None:
    document = engine_document([])
    document["sections"][0]["fields"][1]["visible_if"] = condition
    document["rules"] = [
        {"id": "deep", "check": condition, "message": "Глубокое условие", "fields": ["trained"]}
    ]
    answers = {"has_plan": True, "trained": 3, "total": 5}
    with headroom():
        spec = compile_document(document).spec
        assert evaluate(parse(condition), answers) is True
        assert failed_rules(spec, answers) == []
        assert "trained" in visible_field_ids(spec, answers)


# --- documents ------------------------------------------------------------------------


def test_a_document_past_the_json_depth_is_refused_before_any_recursive_reader() -> None:
    document = base()
    document["description"] = nested(900)  # the issue's schema nested 900 deep
    with headroom(200):
        # 200 frames: the meta-schema's validation would need thousands.
        with pytest.raises(SchemaError) as caught:
            compile_document(document)
    [issue] = caught.value.errors
    assert issue.code == "json_too_deep"
    assert issue.path == "$.description" + "[0]" * (MAX_JSON_DEPTH - 1)


def test_json_text_past_the_depth_is_refused_however_deep() -> None:
    document = base()
    for depth in (MAX_JSON_DEPTH + 1, 900, 100_000):
        document["description"] = "DEEP"
        text = json.dumps(document).replace('"DEEP"', "[" * depth + "]" * depth)
        with pytest.raises(SchemaError) as caught:
            compile_text(text)
        assert [i.code for i in caught.value.issues] == ["json_too_deep"], depth


def test_depth_is_measured_without_recursion() -> None:
    value: Any = {}
    for _ in range(50_000):
        value = {"x": [value]}
    with headroom(50):
        assert too_deep_at(value) == "$" + ".x[0]" * (MAX_JSON_DEPTH // 2)
        assert too_deep_at(nested(MAX_JSON_DEPTH)) is None
        assert too_deep_at(nested(MAX_JSON_DEPTH + 1)) == "$" + "[0]" * MAX_JSON_DEPTH


@pytest.mark.parametrize(
    "text", ["[NaN]", "[Infinity]", "[-Infinity]", "[1e999]", "[" + "9" * 5000 + "]"]
)
def test_json_numbers_no_form_holds_are_refused(text: str) -> None:
    with pytest.raises(SchemaError) as caught:
        compile_text(text)
    assert [i.code for i in caught.value.issues] == ["json_syntax"]


def test_the_cli_refuses_a_deeply_nested_file_and_publishes_nothing(app, tmp_path) -> None:
    deep = tmp_path / "deep.json"
    document = base()
    document["description"] = "DEEP"
    deep.write_text(json.dumps(document).replace('"DEEP"', "[" * 900 + "]" * 900))
    runner = app.test_cli_runner()
    for command in ("check", "load"):
        result = runner.invoke(args=["schemas", command, str(deep)])
        assert result.exit_code == 1, command
        assert result.output.startswith(f"{deep}: $.description[0]"), command
        assert ": json_too_deep: arrays and objects nest here more than 64" in result.output
    assert db.session.scalar(select(func.count(FormVersion.id))) == 0


def test_a_structure_message_quoting_a_long_value_is_cut() -> None:
    document = base()
    document["rules"][0]["check"] = "part + " * 400 + "part >= 0"
    with pytest.raises(SchemaError) as caught:
        compile_document(document)
    [issue] = caught.value.errors
    assert (issue.path, issue.code) == ("$.rules[0].check", "structure")
    assert issue.message.startswith("maxLength: 'part + part") and len(issue.message) == 300
