"""The browser's evaluator agrees with the server's.

`collector/static/expressions.js` evaluates the trees the server emits
(`expressions.to_json`) as the user types; `collector.schema.evaluate` is the authority on
save and submit. Run under Node (one process for the whole module, fed batches of cases),
the script must give exactly the row evaluator's value, unknowns included, for every
subexpression of generated well-formed expressions over generated answers (the
generators of test_evaluators_agree: missing answers, numbers at the bounds, grids, empty
tables, choices, dates), as a condition or rule reads them and as an indicator does.
Numbers agree exactly: the script computes in decimal with Python's rounding to 28 digits.

Then whole forms: for the seed schemas with conditions and rules, the fields shown and
the rules broken agree over generated answers, through the page's JSON block
(`collector.schema.live`), whose `known` values stand for fields not on the page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector.schema import compile_text
from collector.schema.derived import derived_values, shown_number
from collector.schema.evaluate import context, evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import Binary, Call, Node, Unary, parse, references, to_json
from collector.schema.kinds import kind_of
from collector.schema.live import json_value, live_form
from collector.schema.spec import FormSpec
from collector.schema.types import ValueKind
from tests.conftest import need_service
from tests.schema.test_evaluators_agree import (
    SPEC,
    check_rows,
    conditions,
    numbers,
    responses,
    sometimes_missing,
    well_formed,
)

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("evaluate_cases.js")


class Node_:
    """One Node process running evaluate_cases.js, a batch per line."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            need_service("Node is not installed (apt-get install nodejs)")
        assert node is not None
        self.process = subprocess.Popen(
            [node, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.cases = 0

    def run(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(batch, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the Node evaluator stopped"
        found: list[dict[str, Any]] = json.loads(line)
        assert len(found) == len(batch)
        self.cases += len(batch)
        return found

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def node() -> Iterator[Node_]:
    runner = Node_()
    yield runner
    runner.close()


def from_json(value: Any) -> Any:
    """A value the script printed, as Python holds it."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if "$dec" in value:
            return Decimal(value["$dec"])
        if "$int" in value:
            return int(value["$int"])
        if "$float" in value:
            return float(value["$float"])
        return {k: from_json(v) for k, v in value["$map"].items()}
    return value


def same(expected: Any, found: Any) -> bool:
    """The same value: a yes/no is not the number 1, a number's digits exactly equal."""
    if isinstance(expected, bool) or isinstance(found, bool):
        return type(expected) is type(found) and expected == found
    if isinstance(expected, Decimal | int) and isinstance(found, Decimal | int):
        return Decimal(expected) == Decimal(found)
    if isinstance(expected, list) and isinstance(found, list):
        return len(expected) == len(found) and all(map(same, expected, found))
    if isinstance(expected, dict) and isinstance(found, dict):
        return expected.keys() == found.keys() and all(
            same(expected[k], found[k]) for k in expected
        )
    return type(expected) is type(found) and expected == found


def subtrees(node: Node) -> list[Node]:
    if isinstance(node, Unary):
        return [node, *subtrees(node.operand)]
    if isinstance(node, Binary):
        return [node, *subtrees(node.left), *subtrees(node.right)]
    if isinstance(node, Call):
        return [node, *(n for arg in node.args for n in subtrees(arg))]
    return [node]


def expected_value(node: Node, values: dict[str, Any], indicator: bool) -> tuple[bool, Any]:
    try:
        return True, evaluate(node, values, indicator=indicator)
    except (ValueError, TypeError):
        return False, None


def check(node_: Node_, tree: Node, answer_sets: list[dict[str, Any]]) -> None:
    """Every subexpression over every answer set, both ways of reading `=`."""
    names = {ref.dotted for ref in references(tree)}
    batch: list[dict[str, Any]] = []
    wanted: list[tuple[Node, dict[str, Any], bool, tuple[bool, Any]]] = []
    for answers in answer_sets:
        values = context(SPEC, answers)
        sent = {name: json_value(values.get(name)) for name in names}
        for node in subtrees(tree):
            for indicator in (False, True):
                batch.append({"tree": to_json(node), "values": sent, "indicator": indicator})
                expected = expected_value(node, values, indicator)
                wanted.append((node, answers, indicator, expected))
    for (node, answers, indicator, (ok, value)), result in zip(
        wanted, node_.run(batch), strict=True
    ):
        what = f"{node} over {answers} (indicator={indicator})"
        if not ok:
            assert "error" in result, f"{what}: the server fails, the browser gives {result}"
            continue
        assert "error" not in result, f"{what}: server {value!r}, browser {result['error']}"
        found = from_json(result["value"])
        assert same(value, found), f"{what}: server {value!r}, browser {found!r}"


SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# Each property test runs at least this many cases through the browser's evaluator.
THOUSANDS = 2000


def test_numbers_agree(node: Node_) -> None:
    """The browser's evaluator and the server's row evaluator on every subexpression,
    and the indicator engine's row evaluator with the row evaluator on the whole one
    (test_evaluators_agree.check_rows, within float64's bound): three evaluators, one
    value, on the same generated cases."""
    before = node.cases

    @SETTINGS
    @given(numbers(3), responses)
    # Quotients that do not end are rounded to 28 digits, half to even, as Decimal does.
    @example(
        "((n1 / 3) + (d1 / 7))", [{"n1": 2, "d1": "0.5"}, {"n1": -1, "d1": "-123456789012.34"}]
    )
    @example("((n1 * n1) * (n1 * n1))", [{"n1": 9007199254740992}, {"n1": -3}])
    @example(
        "(sum(deals.amount, n1) / (n2 - n2))",
        [{"n1": 1, "n2": 0, "deals": [{"amount": "0.5"}]}],
    )
    # An empty table and a grid with one row answered.
    @example("(sum(deals.pupils) + count(deals))", [{}, {"deals": [{"partner": "x"}]}])
    @example(
        "sum(people.pupils.count, people.parents.count)", [{"people": {"pupils": {"count": 3}}}, {}]
    )
    def agree(source: str, answer_sets: list[dict[str, Any]]) -> None:
        check(node, well_formed(source, ValueKind.NUMBER, indicator=False), answer_sets)
        check_rows(source, ValueKind.NUMBER, answer_sets)

    agree()
    assert node.cases - before >= THOUSANDS


def test_conditions_agree(node: Node_) -> None:
    """As test_numbers_agree, for conditions (unknowns, choices, dates, texts)."""
    before = node.cases

    @SETTINGS
    @given(conditions(3), responses)
    @example(
        "(day1 <= day2)", [{"day1": "2020-01-01", "day2": "2020-01-01"}, {"day1": "2021-05-01"}]
    )
    @example('(level = "a")', [{"level": "a"}, {"level": "b"}, {}])
    @example("((note = null) or flag)", [{"note": "x", "flag": True}, {"flag": False}, {}])
    @example('selected(topics, "it")', [{"topics": ["it", "art"]}, {"topics": ["med"]}, {}])
    def agree(source: str, answer_sets: list[dict[str, Any]]) -> None:
        check(node, well_formed(source, ValueKind.BOOL, indicator=False), answer_sets)
        check_rows(source, ValueKind.BOOL, answer_sets)

    agree()
    assert node.cases - before >= THOUSANDS


# Texts read as numbers or dates where an expression asks (the checker refuses most such
# expressions, the evaluators still define them): digits, signs, points and commas,
# exponents, underscores and blanks, in any order.
number_like = st.text(alphabet="0123456789 _.,eE+-", max_size=12) | st.sampled_from(
    ("1.0", " 7 ", "1e3", "12,5", "_1", "1__0", "1e400", "1e-50", "999999999999999.9", "0e20")
    + ("2020-01-01", "20200101", "2020-02-30", "2019-1204", "nan", "Infinity", "١٢")
)
TEXT_TREES = [
    parse(source)
    for source in (
        "note + 1",
        "-note",
        "note = 1",
        "note != 12.5",
        'note < "2020-06-01"',
        "note >= 0",
        "sum(note, 1)",
        "count(note)",
        "not note",
    )
]


@SETTINGS
@given(st.lists(number_like, min_size=1, max_size=20))
def test_texts_read_as_numbers_alike(node: Node_, texts: list[str]) -> None:
    batch: list[dict[str, Any]] = []
    wanted: list[tuple[Node, str, tuple[bool, Any]]] = []
    for text in texts:
        if "١" in text:
            continue  # read as 12 by Python only: a documented difference
        for tree in TEXT_TREES:
            batch.append({"tree": to_json(tree), "values": {"note": text}, "indicator": False})
            wanted.append((tree, text, expected_value(tree, {"note": text}, False)))
    for (tree, text, (ok, value)), result in zip(wanted, node.run(batch), strict=True):
        if ok:
            found = from_json(result.get("value"))
            assert same(value, found), f"{tree} with note={text!r}: {value!r} != {result}"


# --- whole forms --------------------------------------------------------------------------

FORMS = (
    "kaluga-1829-school.json",
    "tomsk-2022-parent-poll.json",
    "nevinnomyssk-2020-parent-satisfaction.json",
    # Grids, tables with number columns, a group of three parts of a total.
    "nevinnomyssk-2020-school-monitoring.json",
    "nevinnomyssk-2020-graduate-employment.json",
    "tomsk-2022-school-report.json",
)
SPECS = {name: compile_text((ROOT / "form_schemas" / name).read_bytes()).spec for name in FORMS}


def field_answers(spec: FormSpec) -> st.SearchStrategy[dict[str, Any]]:
    """Stored answers of any of the form's fields, each often missing."""
    small = st.integers(-2, 40)
    by_field: dict[str, st.SearchStrategy[Any]] = {}
    for field in spec.fields:
        options = [o.value for o in field.options]
        if field.type in ("integer", "percent", "decimal"):
            by_field[field.id] = small if field.type == "integer" else small.map(str)
        elif field.type == "yes_no":
            by_field[field.id] = st.booleans()
        elif field.type == "single_choice" or (field.type == "rating" and options):
            by_field[field.id] = st.sampled_from(options)
        elif field.type == "rating":
            by_field[field.id] = st.integers(1, 5)
        elif field.type == "multiple_choice":
            by_field[field.id] = st.lists(st.sampled_from(options), unique=True, min_size=1).map(
                lambda chosen, options=options: [o for o in options if o in chosen]
            )
        elif field.type == "grid":
            by_field[field.id] = st.fixed_dictionaries(
                {},
                optional={
                    row.value: st.fixed_dictionaries(
                        {}, optional={column.id: small for column in field.columns}
                    )
                    for row in field.rows
                },
            ).map(lambda grid: {k: v for k, v in grid.items() if v} or None)
        elif field.type == "table":
            by_field[field.id] = st.lists(
                st.fixed_dictionaries({}, optional={c.id: small for c in field.columns}).filter(
                    bool
                ),
                max_size=3,
            ).map(lambda rows: rows or None)
        elif field.type in ("text", "long_text"):
            by_field[field.id] = st.sampled_from(("да", "12", ""))
    return st.fixed_dictionaries({k: sometimes_missing(v) for k, v in by_field.items()}).map(
        lambda answers: {k: v for k, v in answers.items() if v is not None}
    )


def before_hidden_values(spec: FormSpec, answers: dict[str, Any], known: dict[str, Any]) -> Any:
    """The block's values as a page reads its inputs: a field declaring a hidden value
    holds what was answered, not yet the hidden value evaluate.context puts in."""
    hiding = {f.id: f for f in spec.fields if f.hidden_value is not None}
    return {
        name: json_value(kind_of(hiding[name].type).readable(answers.get(name)))
        if name in hiding
        else value
        for name, value in known.items()
    }


@pytest.mark.parametrize("name", FORMS)
def test_forms_show_and_check_alike(node: Node_, name: str) -> None:
    spec = SPECS[name]
    # Every field off the page: the block's known values are all the script reads.
    empty = live_form(spec, "ru", on_page=())

    @SETTINGS
    @given(st.lists(field_answers(spec), min_size=1, max_size=10))
    def agree(answer_sets: list[dict[str, Any]]) -> None:
        batch = []
        for answers in answer_sets:
            block = live_form(spec, "ru", on_page=(), answers=answers)
            # As a page reads its inputs: the stored answers, no hidden value put in yet
            # (the script puts them in itself, as evaluate.context does).
            raw = before_hidden_values(spec, answers, block["known"])
            for values in (block["known"], raw):
                batch.append({"live": empty, "values": values})
                batch.append({"derived": empty, "values": values})
        results = node.run(batch)
        for n, answers in enumerate(answer_sets):
            visible = sorted(visible_field_ids(spec, answers))
            failed = [f.rule.id for f in failed_rules(spec, answers)]
            derived = {
                key: None
                if numbers is None
                else {name: shown_number(value, ".") for name, value in numbers.items()}
                for key, numbers in derived_values(spec, answers).items()
            }
            for result in results[4 * n : 4 * n + 4 : 2]:
                assert result.get("visible") == visible, answers
                assert result.get("failed") == failed, answers
            for result in results[4 * n + 1 : 4 * n + 4 : 2]:
                assert result.get("derived") == derived, answers

    agree()


# --- the page's block ---------------------------------------------------------------------


def test_block_reads_each_kind_and_knows_only_what_is_off_the_page() -> None:
    spec = SPECS["kaluga-1829-school.json"]
    section = next(s for s in spec.sections if any(f.id == "media_district" for f in s.fields))
    on_page = [f.id for f in section.fields]
    answers = {"graduates_to_poo": 7, "media_total": 3}
    block = live_form(spec, "ru", on_page=on_page, answers=answers)
    # Conditions and rules naming fields of other sections read their stored values; the
    # page's own fields are read from its inputs.
    assert block["known"]["graduates_to_poo"] == {"$dec": "7"}
    assert "media_total" not in block["known"]
    assert all(name.split(".")[0] not in on_page for name in block["known"])
    fields = block["fields"]
    assert fields["media_district"] == {
        "reader": "integer",
        "label": "из них в районных СМИ",
        "visible_if": {"binary": ">", "l": {"ref": "media_total"}, "r": {"num": "0"}},
        "on_page": True,
        "hidden_value": "0",  # a part of a zero total is 0 (issue 28)
    }
    assert fields["has_labour_associations"]["reader"] == "yes_no"
    assert fields["ovz_forms"]["reader"] == "choices"
    assert fields["labour_associations"]["columns"] == [
        {"id": "direction", "reader": "text"},
        {"id": "count", "reader": "integer"},
    ]
    # A group of parts (issue 28) travels as its check; its message goes after its last part.
    [rule] = [r for r in block["rules"] if r["id"] == "media_parts_within_total"]
    assert rule["fields"] == ["media_regional"] and "больше" in rule["message"]
    # Never a script: the block is data, and every tree is one the parser made.
    assert json.loads(json.dumps(block)) == block


def test_trees_as_json() -> None:
    tree = parse('not (selected(helped, "nothing") and -x.y.z >= 1.50) or flag = null')
    assert to_json(tree) == {
        "binary": "or",
        "l": {
            "unary": "not",
            "a": {
                "binary": "and",
                "l": {"call": "selected", "args": [{"ref": "helped"}, {"str": "nothing"}]},
                "r": {
                    "binary": ">=",
                    "l": {"unary": "-", "a": {"ref": "x.y.z"}},
                    "r": {"num": "1.50"},
                },
            },
        },
        "r": {"binary": "==", "l": {"ref": "flag"}, "r": {"null": None}},
    }
    assert to_json(parse("true")) == {"bool": True}
