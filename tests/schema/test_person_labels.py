"""Issue 23: a person field's parts are labelled in the page's language (the kind keeps
English ids marked for translation; the entry page's template translates them)."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm

from collector.schema.formbuild import build_form_class
from tests.schema.test_field_types import spec

DRAWN = "{% from 'kinds/person.html' import input %}{{ input(field_spec, f, language) }}"


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("ru", ["ФИО", "Должность", "Телефон", "Электронная почта"], "Surname"),
        ("en", ["Surname, first name and patronymic", "Position", "Phone", "E-mail"], "ФИО"),
    ],
)
def test_a_persons_parts_are_labelled_in_the_pages_language(app, language, shown, not_shown):
    compiled = spec()
    form = build_form_class(compiled, FlaskForm, language)(meta={"csrf": False})
    field_spec = compiled.field("boss")
    with force_locale(language):
        html = render_template_string(
            DRAWN, field_spec=field_spec, f=form["boss"], language=language
        )
    for label in shown:
        assert f">{label}</label>" in html
    assert not_shown not in html
