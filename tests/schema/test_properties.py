"""Property-based: whatever it is fed, the compiler accepts or raises its own error type."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.schema import SchemaError, compile_document, compile_text
from collector.schema.expressions import ExpressionError, parse
from tests.schema.cases import base

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)

KEYS = [
    "id",
    "type",
    "label",
    "options",
    "rows",
    "columns",
    "visible_if",
    "min",
    "max",
    "check",
    "formula",
    "fields",
    "sections",
    "unit_types",
    "value",
    "scale",
    "kind",
]


def compiles_or_schema_error(document: Any) -> None:
    try:
        compile_document(document)
    except SchemaError as error:
        assert error.errors, "a SchemaError must carry at least one error"


@given(json_values)
def test_random_json_values(value: Any) -> None:
    compiles_or_schema_error(value)


@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    try:
        compile_text(data)
    except SchemaError:
        pass


def _containers(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


# No deadline: time on a busy CI machine is not what this property checks.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_documents(data: st.DataObject) -> None:
    document = copy.deepcopy(base())
    for _ in range(data.draw(st.integers(1, 4))):
        containers = _containers(document, [])
        target = data.draw(st.sampled_from(containers))
        if isinstance(target, dict):
            key = data.draw(st.sampled_from(KEYS + list(target)))
            if data.draw(st.booleans()) and key in target:
                del target[key]
            else:
                target[key] = data.draw(
                    json_values
                    | st.sampled_from(
                        ["part <= total", "share(x)", "a.b.c", "((", "total", "integer", "grid"]
                    )
                )
        elif target:
            index = data.draw(st.integers(0, len(target) - 1))
            target[index] = data.draw(json_values)
    compiles_or_schema_error(json.loads(json.dumps(document)))


@given(st.text(alphabet="abc_ 01.+-*/()<>=!,\"'nottrueandor", max_size=40))
def test_expression_parser_never_crashes(source: str) -> None:
    try:
        parse(source)
    except ExpressionError as error:
        assert 0 <= error.position <= len(source)


def test_deep_nesting_is_a_clear_error() -> None:
    # Within the length bound, so the depth bound is what refuses them.
    for source in ("(" * 60 + "1" + ")" * 60, "-" * 60 + "1", "not " * 60 + "true"):
        try:
            parse(source)
        except ExpressionError as error:
            assert error.code == "expression_too_deep" and "levels deep" in str(error)
        else:
            raise AssertionError("accepted")
    for source in ("(" * 1500 + "1" + ")" * 1500, "-" * 1500 + "1", "not " * 1500 + "true"):
        with pytest.raises(ExpressionError) as caught:
            parse(source)
        assert caught.value.code == "expression_too_long"
