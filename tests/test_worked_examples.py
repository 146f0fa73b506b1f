"""Every indicator of every form has a worked example (tests/worked_examples/README.md),
and the engine computes what was worked out by hand."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import (
    UnitPlace,
    answers_frame,
    figures_frame,
    join_imported,
    record_rows,
    units_frame,
)
from collector.schema import compile_text
from collector.schema.spec import FormSpec

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "form_schemas"
EXAMPLES = Path(__file__).resolve().parent / "worked_examples"
FRACTION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*(\*\s*100)?\s*$")


def forms_with_indicators() -> list[Path]:
    return [
        path
        for path in sorted(SCHEMAS.glob("*.json"))
        if path.name != "meta-schema.json"
        and json.loads(path.read_text(encoding="utf-8")).get("indicators")
    ]


def spec_of(form_id: str) -> FormSpec:
    return compile_text((SCHEMAS / f"{form_id}.json").read_bytes()).spec


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def hand_value(written: Any) -> float | None:
    """A number, or "a/b" / "a/b*100" as the example's author worked it out."""
    if written is None or isinstance(written, int | float):
        return written
    found = FRACTION.match(str(written))
    assert found, f"not a number or a fraction: {written!r}"
    value = Fraction(found[1]) / Fraction(found[2]) * (100 if found[3] else 1)
    return float(value)


def run(spec: FormSpec, example: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    ids: dict[str, int] = {}

    def number(key: str | None) -> int | None:
        if key is None:
            return None
        return ids.setdefault(key, len(ids) + 1)

    places = [
        UnitPlace(
            number(unit["id"]),  # type: ignore[arg-type]
            number(unit.get("school")),
            number(unit.get("municipality")),
            number(unit.get("region")),
            unit.get("school_type"),
        )
        for unit in example["units"]
    ]
    responses = [(number(unit), answers) for unit, answers in example.get("responses", [])]
    imported: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for unit, table, row in example.get("imports", []):
        imported.setdefault(number(unit), {}).setdefault(table, []).append(row)  # type: ignore[arg-type]
    responses = join_imported(responses, imported)
    # A registry's response is a confirmation: {"records": [...]}, a row per record.
    rows, answered = record_rows(spec, responses)
    figures = figures_frame(
        (number(unit), figure, grade, float(value))
        for unit, figure, grade, value in example.get("figures", [])
    )
    engine = Engine(
        spec,
        units_frame(places),
        answers_frame(spec, rows),
        figures,
        year=example.get("year"),
        answered_units=answered,
    )
    return engine.compute(), ids


def cases() -> list[Any]:
    found = []
    for path in example_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        for number, example in enumerate(document["examples"]):
            found.append(pytest.param(document["form"], example, id=f"{path.stem}[{number}]"))
    return found


@pytest.mark.parametrize(("form_id", "example"), cases())
def test_the_engine_computes_what_was_worked_out_by_hand(form_id: str, example: dict) -> None:
    spec = spec_of(form_id)
    computed, ids = run(spec, example)
    for expected in example["expect"]:
        where = f"{expected['indicator']} at {expected['level']} {expected['group']}"
        assert expected.get("work"), f"{where}: say how the value was worked out"
        found = computed.value(expected["indicator"], expected["level"], ids[expected["group"]])
        assert found is not None, f"{where}: not computed"
        value = hand_value(expected["value"])
        if value is None:
            assert found.value is None, f"{where}: {found.value}, expected none"
        else:
            assert found.value == pytest.approx(value, abs=1e-4), where
        if "status" in expected:
            assert found.status == expected["status"], where
        for key in ("target", "met", "answered", "expected", "excluded", "figures_missing"):
            if key in expected:
                assert getattr(found, key) == expected[key], f"{where}: {key}"


def test_every_indicator_has_a_worked_example() -> None:
    checked: dict[str, set[str]] = {}
    for path in example_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert path.stem == document["form"], f"{path.name} holds {document['form']}"
        for example in document["examples"]:
            for expected in example["expect"]:
                checked.setdefault(document["form"], set()).add(expected["indicator"])
    missing = {
        path.stem: sorted(
            {i.id for i in spec_of(path.stem).computed_indicators} - checked.get(path.stem, set())
        )
        for path in forms_with_indicators()
    }
    assert {form: ids for form, ids in missing.items() if ids} == {}


def test_an_example_names_only_indicators_its_form_declares() -> None:
    for path in example_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        declared = {i.id for i in spec_of(document["form"]).indicators}
        named = {e["indicator"] for x in document["examples"] for e in x["expect"]}
        assert named <= declared, f"{path.name}: {sorted(named - declared)}"
