"""A field kind is one module: a kind registered here, and nowhere else, is compiled,
drawn in a web form and stored, exported, read from an uploaded table, shown on a page and
checked for stored values no door accepts (issue 20)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import Optional, Regexp

from collector.campaigns.imports import parse_cell
from collector.exporters.flatten import columns_for, row_for
from collector.schema import compile_document
from collector.schema.errors import SchemaError
from collector.schema.formbuild import answers_from_form, build_form_class, form_data_from_answers
from collector.schema.kinds import FieldKind, kind_of, refused_answers, register, unregister
from collector.schema.kinds.base import CellProblem, problem
from collector.schema.spec import Column, FieldSpec
from collector.schema.types import ValueKind
from collector.web import answer_text
from tests.schema.cases import base

POSTCODE = re.compile(r"^\d{6}$")


class PostcodeKind(FieldKind):
    """A Russian postcode: six digits."""

    name = "postcode"
    label = "Postcode"
    value_kind = ValueKind.TEXT
    in_tables = True

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StringField(label, [Optional(), Regexp(POSTCODE, message="Шесть цифр.")])

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        return data.strip() if isinstance(data, str) and data.strip() else None

    def refused(self, value: Any) -> bool:
        return not (isinstance(value, str) and POSTCODE.match(value))

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        digits = text.replace(" ", "")
        if POSTCODE.match(digits):
            return digits, None
        return None, problem("not a postcode: «%(text)s»", text=text)

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Any) -> str:
        return f"индекс {value}" if value else "—"


@pytest.fixture
def postcode() -> Iterator[FieldKind]:
    kind = register(PostcodeKind())
    yield kind
    unregister(kind.name)


def document() -> dict[str, Any]:
    doc = copy.deepcopy(base())
    doc["sections"][0]["fields"].append({"id": "zip", "type": "postcode", "label": "Индекс"})
    doc["imports"] = [
        {
            "id": "branches",
            "title": "Филиалы",
            "match": {"column": "school"},
            "columns": [{"id": "zip", "type": "postcode", "label": "Индекс"}],
        }
    ]
    return doc


def test_an_unregistered_type_is_refused_by_the_compiler():
    with pytest.raises(SchemaError) as refused:
        compile_document(document())
    paths = {(issue.path, issue.code) for issue in refused.value.issues}
    assert ("$.sections[0].fields[7].type", "structure") in paths
    assert ("$.imports[0].columns[0].type", "structure") in paths


def test_a_registered_kind_compiles_and_is_typed_in_expressions(postcode):
    doc = document()
    doc["rules"] = [{"id": "zip_given", "check": 'zip != ""', "message": "Укажите индекс"}]
    field = next(f for f in compile_document(doc).spec.fields if f.id == "zip")
    assert kind_of(field.type) is postcode


def test_it_is_drawn_in_a_web_form_and_stored(postcode):
    spec = compile_document(document()).spec
    form_class = _form_class(spec)
    good = form_class(MultiDict({"zip": "248000"}))
    assert good.validate(), good.errors
    assert answers_from_form(spec, good, ["zip"]) == {"zip": "248000"}
    assert form_data_from_answers(spec, {"zip": "248000"}, ["zip"]) == {"zip": "248000"}
    bad = form_class(MultiDict({"zip": "2480"}))
    assert not bad.validate()
    assert bad.errors["zip"] == ["Шесть цифр."]


def _form_class(spec: Any) -> type[Form]:
    return build_form_class(spec, Form, field_ids=["zip"])


def test_it_is_exported_and_a_stored_value_no_door_accepts_is_named(postcode):
    spec = compile_document(document()).spec
    zip_field = [f for f in spec.fields if f.id == "zip"]
    columns = columns_for(zip_field, "ru")
    assert [c.column.title for c in columns] == ["Индекс"]
    assert row_for(columns, {"zip": "248000"}) == ["248000"]
    refused = refused_answers(spec, {"zip": "abc", "total": 3})
    assert [(r.path, r.value) for r in refused] == [(("zip",), "abc")]


def test_it_is_read_from_an_uploaded_table_and_shown_on_a_page(app, postcode):
    spec = compile_document(document()).spec
    column = next(c for c in spec.imports[0].columns if c.id == "zip")
    zip_field = next(f for f in spec.fields if f.id == "zip")
    with app.test_request_context():
        assert parse_cell(column, "248 000") == ("248000", None)
        value, message = parse_cell(column, "Калуга")
        assert value is None and message == "not a postcode: «Калуга»"
        assert answer_text("248000", zip_field, "ru") == "индекс 248000"
