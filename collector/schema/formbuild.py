"""Building a WTForms class from a form spec through the field-kind registry
(collector.schema.kinds), and converting between form data and stored answers. Uses
WTForms only (no Flask): the caller passes the base class (FlaskForm in the web app, for
CSRF).

Required answers and cross-field rules are checked apart, on submit: a draft may be
incomplete, but a value that is typed must have the right shape.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from wtforms import BooleanField, FieldList, Form, FormField, SelectMultipleField
from wtforms.fields.choices import SelectFieldBase

from collector.schema.kinds import kind_of
from collector.schema.spec import FieldSpec, FormSpec


def field_label(spec: FieldSpec, language: str) -> str:
    label = spec.label.get(language)
    return f"{label}, {spec.unit}" if spec.unit else label


def _chosen(spec: FormSpec, field_ids: Collection[str] | None) -> list[FieldSpec]:
    return [f for f in spec.fields if field_ids is None or f.id in field_ids]


# Form classes made lately, by spec (its identity: a published version's spec is one
# object per process), base, language and chosen fields. A class is only read once made
# (each request makes its own instance), and making one was a tenth of a survey answer's
# time on the server. Bounded: the designer's previews make a new spec on every view.
_CLASSES: OrderedDict[
    tuple[int, type[Form], str, frozenset[str] | None], tuple[FormSpec, type[Form]]
]
_CLASSES = OrderedDict()
_CLASSES_KEPT = 128
_CLASSES_LOCK = threading.Lock()


def build_form_class(
    spec: FormSpec,
    base: type[Form],
    language: str = "ru",
    field_ids: Collection[str] | None = None,
) -> type[Form]:
    """A form class with one field per schema field (or per chosen field, for one
    section), made once per spec, base, language and choice while it is in use."""
    key = (id(spec), base, language, None if field_ids is None else frozenset(field_ids))
    with _CLASSES_LOCK:
        found = _CLASSES.get(key)
        # The spec itself is kept with its class, so its id cannot be another's meanwhile.
        if found is not None and found[0] is spec:
            _CLASSES.move_to_end(key)
            return found[1]
    fields = {
        f.id: kind_of(f.type).field(f, field_label(f, language), language)
        for f in _chosen(spec, field_ids)
    }
    made = type(f"Form_{spec.id.replace('-', '_')}_{spec.version}", (base,), fields)
    with _CLASSES_LOCK:
        _CLASSES[key] = (spec, made)
        while len(_CLASSES) > _CLASSES_KEPT:
            _CLASSES.popitem(last=False)
    return made


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


class PostedData(dict[str, list[str]]):
    """Form data as a browser posts it: each input's name and its texts (WTForms reads it
    through `getlist`)."""

    def getlist(self, key: str) -> list[str]:
        return list(self.get(key, []))

    def add(self, key: str, value: str) -> None:
        self.setdefault(key, []).append(value)


def posted_data(form: Form) -> PostedData:
    """What a browser would post for the form drawn from its data (`form_data_from_answers`):
    each input's text, a ticked box, the chosen options. Posted back into the same form
    class, the values meet exactly the checks of a page's send (the JSON API's door)."""
    posted = PostedData()

    def walk(field: Any) -> None:
        if isinstance(field, FormField):
            for inner in field:
                walk(inner)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                walk(entry)
        elif isinstance(field, SelectMultipleField):
            for value in field.data or []:
                posted.add(field.name, str(value))
        elif isinstance(field, BooleanField):
            if field.data:
                posted.add(field.name, "y")
        elif isinstance(field, SelectFieldBase):
            if field.data not in (None, ""):
                posted.add(field.name, str(field.data))
        else:
            posted.add(field.name, str(field._value()))

    for field in form:
        walk(field)
    return posted
