"""Building a WTForms class from a form spec through the field-kind registry
(collector.schema.kinds), and converting between form data and stored answers. Uses
WTForms only (no Flask): the caller passes the base class (FlaskForm in the web app, for
CSRF).

Required answers and cross-field rules are checked apart, on submit: a draft may be
incomplete, but a value that is typed must have the right shape.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from wtforms import Form

from collector.schema.kinds import kind_of
from collector.schema.spec import FieldSpec, FormSpec


def field_label(spec: FieldSpec, language: str) -> str:
    label = spec.label.get(language)
    return f"{label}, {spec.unit}" if spec.unit else label


def _chosen(spec: FormSpec, field_ids: Collection[str] | None) -> list[FieldSpec]:
    return [f for f in spec.fields if field_ids is None or f.id in field_ids]


def build_form_class(
    spec: FormSpec,
    base: type[Form],
    language: str = "ru",
    field_ids: Collection[str] | None = None,
) -> type[Form]:
    """A form class with one field per schema field (or per chosen field, for one
    section), made in one step."""
    fields = {
        f.id: kind_of(f.type).field(f, field_label(f, language), language)
        for f in _chosen(spec, field_ids)
    }
    return type(f"Form_{spec.id.replace('-', '_')}_{spec.version}", (base,), fields)


def answers_from_form(
    spec: FormSpec, form: Form, field_ids: Collection[str] | None = None
) -> dict[str, Any]:
    answers = {}
    for f in _chosen(spec, field_ids):
        value = kind_of(f.type).answer(f, form[f.id].data)
        if value is not None:
            answers[f.id] = value
    return answers


def form_data_from_answers(
    spec: FormSpec, answers: dict[str, Any], field_ids: Collection[str] | None = None
) -> dict[str, Any]:
    return {f.id: kind_of(f.type).form_data(f, answers.get(f.id)) for f in _chosen(spec, field_ids)}
