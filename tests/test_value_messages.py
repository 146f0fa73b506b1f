"""The value library's own messages (collector.schema.values) go through the catalogue
(issue 23): Russian for a Russian reader, English for an English one, at every door."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from collector.schema.values import MESSAGES, number_problem, text_problem

CATALOGUE = (
    Path(__file__).resolve().parents[1] / "collector/translations/ru/LC_MESSAGES/messages.po"
)


def test_every_message_has_a_russian_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in MESSAGES.values():
        found = catalogue.get(message)
        assert found is not None and found.string, message
        assert any("а" <= ch <= "я" for ch in found.string.lower()), message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Слишком большое по модулю число: допускается не больше 9 007 199 254 740 992."),
        ("en", "The number is too large in magnitude: at most 9 007 199 254 740 992 is allowed."),
    ],
)
def test_a_number_past_2_53_is_said_in_the_readers_language(app, language, expected):
    problem = number_problem(Decimal("1e17"), integer=True)
    assert problem is not None
    with app.test_request_context(), force_locale(language):
        assert problem.text(gettext) == expected


def test_a_control_character_is_said_in_russian_on_a_russian_page(app):
    problem = text_problem("Био\x00логия")
    assert problem is not None
    with app.test_request_context(), force_locale("ru"):
        assert problem.text(gettext) == (
            "Текст содержит недопустимые управляющие символы (например, нулевой байт)."
        )
    # Too many places: 11 after the point; the limit is 10.
    places = number_problem(Decimal("0.12345678901"), integer=False)
    assert places is not None
    with app.test_request_context(), force_locale("ru"):
        assert places.text(gettext) == (
            "Слишком много знаков после запятой: допускается не больше 10."
        )
