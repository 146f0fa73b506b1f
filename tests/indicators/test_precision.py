"""One precision per indicator for what is shown and what is judged (issue 28): 14.96
against a target of 15 shows as «15,0» and is met; the exact value stays in `value`."""

from __future__ import annotations

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, units_frame
from collector.indicators.results import at_precision
from collector.schema import compile_document
from collector.web import indicator_value


def _value(part: int, whole: int, **declared: object) -> object:
    """The share part/whole*100 of one school, against a target of 15 in 2025."""
    document = {
        "id": "precision-test",
        "version": 1,
        "title": "Точность",
        "kind": "unit_report",
        "respondents": {"unit_types": ["school"]},
        "source": {"document": "Тест"},
        "sections": [
            {
                "id": "main",
                "title": "Основное",
                "fields": [
                    {"id": "part", "type": "integer", "label": "Из них", "min": 0},
                    {"id": "whole", "type": "integer", "label": "Всего", "min": 0},
                ],
            }
        ],
        "indicators": [
            {
                "id": "share",
                "title": "Доля",
                "unit": "%",
                "formula": "sum(part) / sum(whole) * 100",
                "targets": {"2025": 15},
                "source": {"document": "Тест"},
                **declared,
            }
        ],
    }
    spec = compile_document(document).spec
    answers = answers_frame(spec, [(1, {"part": part, "whole": whole})])
    engine = Engine(spec, units_frame([UnitPlace(1, 1, 10, 100)]), answers, year=2025)
    return engine.compute().value("share", "school", 1)


def test_14_96_against_15_is_shown_and_judged_at_one_decimal():
    # 1496 / 10000 * 100 = 14.96; at one decimal (a percentage's default) 15.0 ≥ 15: met.
    found = _value(1496, 10000)
    assert found.value == pytest.approx(14.96)  # exact, as the workbook keeps it
    assert (found.decimals, found.shown, found.met) == (1, 15.0, True)
    # 1494 / 10000 * 100 = 14.94: shown 14.9 < 15, not met.
    below = _value(1494, 10000)
    assert (below.shown, below.met) == (14.9, False)


def test_a_declared_precision_is_the_one_shown_and_judged():
    # Whole percents: 14.5 (29 of 200) shows as 15 and is met; 14.4 (72 of 500) as 14.
    assert (_value(29, 200, decimals=0).shown, _value(29, 200, decimals=0).met) == (15.0, True)
    assert (_value(72, 500, decimals=0).shown, _value(72, 500, decimals=0).met) == (14.0, False)
    # Two decimals: 14.96 stays 14.96 < 15, not met.
    assert (_value(1496, 10000, decimals=2).shown, _value(1496, 10000, decimals=2).met) == (
        14.96,
        False,
    )


def test_halves_round_away_from_zero_as_printed():
    # 14.95 is 14.949999… in binary; a reader rounds the printed 14.95 up.
    assert at_precision(14.95, 1) == 15.0
    assert at_precision(29 / 200 * 100, 0) == 15.0  # 14.499999999999998 in float64
    assert at_precision(14.25, 1) == 14.3
    assert at_precision(2.5, 0) == 3.0


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [(14.96, 1, "15,0"), (14.94, 1, "14,9"), (14.5, 0, "15"), (14.96, 2, "14,96")],
)
def test_the_page_shows_the_value_at_the_same_precision(app, value, decimals, shown):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert indicator_value(value, "%", decimals).replace("\xa0", " ") == shown


def test_values_past_twelve_digits_are_kept_and_written_in_scientific_notation(app):
    """A stored value near float's limits (read around the doors) is no figure to round:
    kept as it is (quantized, it would pass Decimal's 28 digits: InvalidOperation, a 500)."""
    assert at_precision(1.7e308, 2) == 1.7e308
    assert at_precision(float("-inf"), 1) == float("-inf")
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert indicator_value(-1.7e308, None) == "-1,7E308"
        assert indicator_value(1e15, "%", 1) == "1E15"
        assert indicator_value(float("inf"), None) == "∞"
