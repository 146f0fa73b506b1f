"""The report charts' layout and what they compare: many units lie down as horizontal
bars with room for each name, shares are ranked and counts are not, coverage stands
beside a unit's name when it is uneven, the target carries its unit."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from collector.indicators.results import IndicatorValue
from collector.reports import charts
from collector.schema.expressions import parse
from collector.schema.spec import IndicatorSpec, Source, Text, build_spec

FORMS = Path(__file__).resolve().parents[2] / "form_schemas"
# Chart.js draws the names at 12 px.
FONT_PX = 12


def spec_of(unit: str, formula: str = "count_if(done)", **more: object) -> IndicatorSpec:
    return IndicatorSpec(
        id="x",
        title=Text("Показатель"),
        formula=parse(formula),
        source=Source(),
        unit=unit,
        **more,  # type: ignore[arg-type]
    )


def value(group: int, number: float | None, answered: int = 10, expected: int = 10, target=None):
    return IndicatorValue("x", "school", group, number, "ok", answered, expected, target=target)


def report_of(count: int) -> SimpleNamespace:
    units = {
        n: SimpleNamespace(short_name=None, name=f"МАОУ СОШ № {n} г. Томска") for n in range(count)
    }
    return SimpleNamespace(units=units, campaign=SimpleNamespace(academic_year=2025))


def test_sixty_seven_schools_lie_down_with_room_for_every_name(app):
    values = [value(n, float(n)) for n in range(67)]
    chart = charts.indicator_chart(spec_of("%", "share(done)"), values, report_of(67), "ru")
    assert chart["horizontal"] is True
    lines = chart["label_lines"]
    assert lines == 2
    # Each category's share of the plot (the height less title, legend and axis) holds
    # its name's lines of 12-px text with room to spare: no two names overlap.
    per_category = (chart["height"] - charts.CHROME_PX) / 67
    assert per_category >= lines * FONT_PX * 1.2
    assert len(chart["labels"]) == 67


def test_few_units_stand_up_at_the_box_height(app):
    chart = charts.indicator_chart(
        spec_of("%", "share(done)"), [value(n, 50.0) for n in range(5)], report_of(5), "ru"
    )
    assert chart["horizontal"] is False and "height" not in chart


def test_every_chart_kind_is_fitted_the_same_way(app):
    many = {"labels": [f"Школа {n}" for n in range(30)], "series": []}
    stacked = charts.fitted(many)
    side_by_side = charts.fitted(many, bars_per_category=5)
    assert stacked["horizontal"] and side_by_side["horizontal"]
    # Five bars of an option each take their room too.
    assert side_by_side["height"] > stacked["height"]


def test_shares_are_ranked_highest_first_without_data_last(app):
    values = [value(0, 20.0), value(1, None), value(2, 90.0), value(3, 55.0)]
    chart = charts.indicator_chart(spec_of("%", "share(done)"), values, report_of(4), "ru")
    assert chart["series"][0]["values"] == [90.0, 55.0, 20.0, None]
    assert chart["labels"][0] == "МАОУ СОШ № 2 г. Томска"
    assert chart["ranked"] is True and chart["note"] is None


def test_counts_keep_the_tree_order_and_show_uneven_coverage(app):
    # A district of 40 schools where 3 answered against one of 12 where all did.
    values = [value(0, 3.0, answered=3, expected=40), value(1, 12.0, answered=12, expected=12)]
    chart = charts.indicator_chart(spec_of("ед."), values, report_of(2), "ru")
    assert chart["series"][0]["values"] == [3.0, 12.0]
    assert chart["ranked"] is False
    assert chart["labels"] == [
        "МАОУ СОШ № 0 г. Томска (3 из 40)",
        "МАОУ СОШ № 1 г. Томска (12 из 12)",
    ]
    assert "сравнивайте доли" in chart["note"]


def test_full_coverage_leaves_names_alone(app):
    values = [value(0, 3.0), value(1, 12.0)]
    chart = charts.indicator_chart(spec_of("ед."), values, report_of(2), "ru")
    assert chart["labels"] == ["МАОУ СОШ № 0 г. Томска", "МАОУ СОШ № 1 г. Томска"]


def test_the_target_carries_its_unit(app):
    values = [value(0, 80.0, target=100.0), value(1, 100.0, target=100.0)]
    chart = charts.indicator_chart(spec_of("%", "share(done)"), values, report_of(2), "ru")
    assert chart["target"] == 100.0
    assert chart["target_label"] == "Цель на 2025: 100,0\u00a0%"


@pytest.mark.parametrize(
    ("unit", "formula", "decimals"),
    [
        ("%", "share(done)", 1),
        ("ед.", "count_if(done)", 0),
        ("чел.", "sum(people)", 0),
        ("ед.", "count(services) / count_if(true)", None),  # services per school
        ("балл", "mean(overall)", None),
        ("ч", "sum(hours)", None),
    ],
)
def test_an_indicators_decimals(unit, formula, decimals):
    assert spec_of(unit, formula).written_decimals == decimals


def test_declared_decimals_are_written_shown_and_judged_alike():
    # Issue 28's precision, declared in the schema, wins over the one read from the unit.
    declared = spec_of("%", "share(done)", decimals=0)
    assert (declared.written_decimals, declared.precision) == (0, 0)
    # Undeclared: a share at one decimal, a count whole, a mean at two.
    assert spec_of("%", "share(done)").precision == 1
    assert spec_of("ед.", "count_if(done)").precision == 0
    assert spec_of("балл", "mean(overall)").precision == 2


def test_the_kaluga_counts_are_whole_and_its_shares_have_one_decimal():
    document = json.loads((FORMS / "kaluga-1829-school.json").read_text(encoding="utf-8"))
    indicators = {i.id: i for i in build_spec(document).indicators}
    assert indicators["responsible_appointed_count"].written_decimals == 0
    assert indicators["mentors_total"].written_decimals == 0
    assert indicators["class_hours_share"].written_decimals == 1
