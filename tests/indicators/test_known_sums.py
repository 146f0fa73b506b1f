"""A sum of figures used as a denominator is over the figures known (issue 28): Omsk
order № 50, 5.7 divides the Абилимпикс participants of grades 5–9 by pupils with ОВЗ plus
disabled children; a school that recorded one of the two is counted over it, and the
other is named. A school with neither is left out, as for a single figure. Values worked
out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, figures_frame, units_frame
from collector.indicators.known import figure_sums, known_sum
from collector.schema import compile_document
from collector.schema.expressions import parse

ROOT = Path(__file__).resolve().parents[2]
OMSK = compile_document(
    json.loads((ROOT / "form_schemas" / "omsk-2023-school-report.json").read_text("utf-8"))
).spec
INDICATOR = "ind_5_7_abilympics_5_9"

# Region 1: municipality 10 (schools 101, 102) and 20 (schools 201, 202).
PLACES = [
    UnitPlace(101, 101, 10, 1),
    UnitPlace(102, 102, 10, 1),
    UnitPlace(201, 201, 20, 1),
    UnitPlace(202, 202, 20, 1),
]
FIGURES = [
    # Every school teaches grades 5–9 (the indicator's not-applicable rule).
    *((unit, "pupils", 5, 20.0) for unit in (101, 102, 201, 202)),
    # 101: ОВЗ 6 + 2 = 8 in grades 5–9 (grade 10 is outside), disabled 2: both known.
    (101, "pupils_ovz", 6, 6.0),
    (101, "pupils_ovz", 8, 2.0),
    (101, "pupils_ovz", 10, 7.0),
    (101, "pupils_disabled", 7, 2.0),
    # 102: ОВЗ 5, disabled children never recorded.
    (102, "pupils_ovz", 5, 5.0),
    # 201: neither recorded. 202: disabled 4, ОВЗ never recorded.
    (202, "pupils_disabled", 9, 4.0),
]
ANSWERS = [
    (101, {"t5_abilympics_5_9": 3}),
    (102, {"t5_abilympics_5_9": 2}),
    (201, {"t5_abilympics_5_9": 4}),
    (202, {"t5_abilympics_5_9": 1}),
]


@pytest.fixture(scope="module")
def computed():
    engine = Engine(
        OMSK, units_frame(PLACES), answers_frame(OMSK, ANSWERS), figures_frame(FIGURES), 2025
    )
    return engine.compute([i for i in OMSK.indicators if i.id == INDICATOR])


def test_a_school_with_one_of_the_two_figures_is_counted_over_it(computed):
    schools = computed.by(INDICATOR, "school")
    # 101: 3 / (8 + 2) * 100 = 30; nothing missing.
    assert (schools[101].value, schools[101].missing) == (pytest.approx(30.0), ())
    # 102: 2 / 5 * 100 = 40 over the pupils with ОВЗ; disabled children named.
    assert (schools[102].value, schools[102].missing) == (pytest.approx(40.0), ("pupils_disabled",))
    # 202: 1 / 4 * 100 = 25 over the disabled children; ОВЗ named.
    assert (schools[202].value, schools[202].missing) == (pytest.approx(25.0), ("pupils_ovz",))
    # 201 recorded neither: no denominator, no value, counted as lacking figures.
    assert (schools[201].value, schools[201].status, schools[201].figures_missing) == (
        None,
        "no_data",
        1,
    )


def test_a_municipality_adds_what_each_school_recorded(computed):
    municipal = computed.by(INDICATOR, "municipality")
    # 10: (3 + 2) / (8 + 5 + 2) * 100 = 5 / 15 * 100 = 33.33…; 102 lacks disabled children.
    assert municipal[10].value == pytest.approx(100 / 3)
    assert (municipal[10].missing, municipal[10].figures_missing) == (("pupils_disabled",), 0)
    # 20: 201 left out (its 4 participants have no denominator): 1 / 4 * 100 = 25.
    assert municipal[20].value == pytest.approx(25.0)
    assert (municipal[20].missing, municipal[20].figures_missing) == (("pupils_ovz",), 1)


def test_the_region_names_both_figures_and_the_school_left_out(computed):
    region = computed.value(INDICATOR, "region", 1)
    assert region is not None
    # (3 + 2 + 1) / ((8 + 5) + (2 + 4)) * 100 = 6 / 19 * 100 = 31.578…
    assert region.value == pytest.approx(600 / 19)
    assert region.missing == ("pupils_ovz", "pupils_disabled")
    assert region.figures_missing == 1


def test_with_every_figure_known_nothing_is_named():
    figures = [row for row in FIGURES if row[0] == 101]
    engine = Engine(
        OMSK,
        units_frame(PLACES[:1]),
        answers_frame(OMSK, ANSWERS[:1]),
        figures_frame(figures),
        2025,
    )
    found = engine.compute([i for i in OMSK.indicators if i.id == INDICATOR])
    school = found.value(INDICATOR, "region", 1)
    assert school is not None
    assert (school.value, school.missing, school.figures_missing) == (pytest.approx(30.0), (), 0)


def test_the_sum_over_known_terms_names_the_unknown_ones():
    nan = float("nan")
    found = known_sum([("a", np.array([1.0, nan, nan])), ("b", np.array([2.0, 5.0, nan]))], size=3)
    # Group 0: 1 + 2 = 3; group 1: 5 (a unknown); group 2: nothing known.
    assert found.total[:2].tolist() == [3.0, 5.0]
    assert np.isnan(found.total[2])
    assert found.missing == ((), ("a",), ("a", "b"))


def test_figure_sums_are_read_where_they_stand():
    formula = parse(
        'sum(x) / (figure("a") + figure("b")) * 100 + figure("c") - count_units(figure("d") > 0)'
    )
    names = [tuple(call.args[0].value for call in terms) for terms in figure_sums(formula)]
    assert names == [("a", "b"), ("c",)]
