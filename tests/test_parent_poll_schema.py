"""The Tomsk parent poll (order № 1067 of 01.11.2022, indicator 7.2, plan item 5.3, August).

Pure: compiles the schema file, no database. The order prints neither the question nor
its option list, only the counted option «Выбор предпрофиля/профиля обучения был
организован» and the formula (ЧРОВ / ЧР) * 100; the indicator follows that formula (not
the row's name or its parenthetical description, which measure other things). The order
does give a target: 100 «к 2025-2026 учебному году» (key "2025" = academic year
2025/2026, as campaigns count years).

The last tests compute 7.2 with the indicator engine over a small set of answers whose
values were worked out by hand, at school, municipality and region (city) level.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, figures_frame, units_frame
from collector.schema import compile_text
from collector.schema.evaluate import context, evaluate, failed_rules, visible_field_ids
from collector.schema.expressions import Binary, Call, Literal, Reference, references
from collector.schema.spec import FormSpec, IndicatorSpec

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "form_schemas" / "tomsk-2022-parent-poll.json"
COUNTED_LABEL = "Выбор предпрофиля/профиля обучения был организован"


@pytest.fixture(scope="module")
def compiled():
    return compile_text(SCHEMA.read_bytes())


@pytest.fixture(scope="module")
def spec(compiled) -> FormSpec:
    return compiled.spec


@pytest.fixture(scope="module")
def indicator(spec) -> IndicatorSpec:
    (only,) = spec.indicators
    return only


def counted_value(spec: FormSpec) -> str:
    (value,) = [
        o.value for o in spec.field("profile_choice").options if o.label.ru == COUNTED_LABEL
    ]
    return value


def test_compiles_without_warnings(compiled):
    assert compiled.warnings == []
    assert compiled.spec.id == SCHEMA.stem


def test_anonymous_school_survey_without_roles(spec):
    assert spec.kind == "survey"
    assert spec.unit_types == ("school",)
    assert spec.anonymous is True
    assert spec.roles == ()
    assert spec.min_group_size >= 5


def test_short_enough_for_a_phone(spec):
    assert len(spec.sections) <= 2
    assert len(spec.fields) <= 5


def test_counted_option_is_worded_exactly_as_the_order(spec):
    field = spec.field("profile_choice")
    assert field.type == "single_choice"
    assert field.required
    labels = [o.label.ru for o in field.options]
    assert labels.count(COUNTED_LABEL) == 1
    # A parent also needs a way to say no, partly, or that they do not know.
    assert len(labels) >= 4
    assert "Затрудняюсь ответить" in labels
    assert COUNTED_LABEL in field.source.quote


def test_grade_is_a_required_single_choice_of_grades_9_to_11(spec):
    field = spec.field("grade")
    assert field.type == "single_choice"
    assert field.required
    grades = [o.value for o in field.options]
    assert {"9", "10", "11"} <= set(grades)
    assert all(g.isdigit() and 9 <= int(g) <= 12 for g in grades)


def test_indicator_formula_is_the_share_choosing_the_counted_option(spec, indicator):
    assert indicator.unit == "%"
    assert indicator.levels == ("school", "municipality", "region")
    formula = indicator.formula
    assert isinstance(formula, Call) and formula.name == "share"
    (condition,) = formula.args
    assert condition == Binary("==", Reference(("profile_choice",)), Literal(counted_value(spec)))
    assert [r.dotted for r in references(formula)] == ["profile_choice"]


def test_share_condition_counts_only_the_counted_option(spec, indicator):
    (condition,) = indicator.formula.args
    counted = counted_value(spec)
    for option in spec.field("profile_choice").options:
        answers = {"grade": "10", "profile_choice": option.value}
        assert evaluate(condition, context(spec, answers)) is (option.value == counted)


def test_target_is_the_orders_100_for_2025_2026(indicator):
    assert indicator.targets == {"2025": 100}


def test_sources_cite_the_order_7_2_and_plan_item_5_3(spec, indicator):
    assert "№ 1067" in spec.source.document
    assert "01.11.2022" in spec.source.document
    assert "7.2" in spec.source.clause
    assert "5.3" in spec.source.clause
    assert "родителей обучающихся" in spec.source.quote
    assert "7.2" in spec.field("profile_choice").source.clause
    assert "№ 1067" in indicator.source.document
    assert "7.2" in indicator.source.clause
    assert "(ЧРОВ / ЧР) * 100" in indicator.source.quote
    assert COUNTED_LABEL in indicator.source.quote


def test_description_tells_parents_it_is_anonymous(spec):
    assert "анонимный" in spec.description.ru
    assert "anonymous" in spec.description.en


def test_note_says_the_wording_is_ours_and_the_formula_is_followed(compiled):
    note = compiled.document["indicators"][0]["note"]
    assert "составлены для этой формы" in note["ru"]
    assert "Показатель считается по формуле" in note["ru"]
    for construct in (
        "Доля удовлетворенности организацией мероприятий",
        "по причине отсутствия других вариантов для выбора",
        "(ЧРОВ / ЧР) * 100",
    ):
        assert construct in note["ru"]
    assert "follows the formula" in note["en"]


def test_follow_up_shows_only_when_a_choice_was_organised(spec):
    for value, shown in [
        ("organised", True),
        ("partly", True),
        ("not_organised", False),
        ("dont_know", False),
    ]:
        visible = visible_field_ids(spec, {"grade": "9", "profile_choice": value})
        assert ("helped" in visible) is shown
        assert {"grade", "profile_choice", "comment"} <= visible


def test_nothing_cannot_be_ticked_with_other_options(spec):
    base = {"grade": "11", "profile_choice": "organised"}
    assert failed_rules(spec, {**base, "helped": ["nothing", "diagnostics"]})
    assert not failed_rules(spec, {**base, "helped": ["nothing"]})
    assert not failed_rules(spec, {**base, "helped": ["diagnostics", "trials"]})
    assert not failed_rules(spec, base)


def test_comment_is_optional_and_bounded(spec):
    field = spec.field("comment")
    assert not field.required
    assert field.max_length == 1000


# Municipality 10: schools 101 and 102; municipality 20: schools 201 and 202; region 1.
PLACES = [
    UnitPlace(101, 101, 10, 1),
    UnitPlace(102, 102, 10, 1),
    UnitPlace(201, 201, 20, 1),
    UnitPlace(202, 202, 20, 1),
]
# Each school's parents' answers to «Был ли организован выбор...» (ЧР = all of them,
# «затрудняюсь ответить» included; ЧРОВ = «организован»).
ANSWERS = {
    101: ["organised"] * 4 + ["partly", "not_organised"],  # 4 of 6
    102: ["organised"] * 2 + ["dont_know"] * 3,  # 2 of 5
    201: ["organised"] * 5 + ["not_organised"] * 2 + ["partly"],  # 5 of 8
    202: ["organised"] * 2 + ["partly"],  # 2 of 3: fewer than 5, not shown alone
}
PUPILS_9_TO_12 = {101: 40, 102: 24, 201: 60, 202: 16}  # 10, 6, 15, 4 per grade


def test_7_2_at_each_level_by_hand(spec, indicator):
    responses = [
        (unit, {"grade": "9", "profile_choice": choice})
        for unit, choices in ANSWERS.items()
        for choice in choices
    ]
    figures = figures_frame(
        (unit, "pupils", grade, pupils // 4 if grade >= 9 else 500)
        for unit, pupils in PUPILS_9_TO_12.items()
        for grade in range(1, 13)
    )
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, responses), figures, year=2025)
    computed = engine.compute()
    school = computed.by(indicator.id, "school")
    assert school[101].value == pytest.approx(4 / 6 * 100)  # 66.7
    assert school[102].value == pytest.approx(2 / 5 * 100)  # 40.0
    assert school[201].value == pytest.approx(5 / 8 * 100)  # 62.5
    assert school[202].value is None and school[202].status == "small_group"
    municipality = computed.by(indicator.id, "municipality")
    assert municipality[10].value == pytest.approx(6 / 11 * 100)  # (4 + 2) / (6 + 5)
    assert municipality[20].value == pytest.approx(7 / 11 * 100)  # 202 counts here
    region = computed.by(indicator.id, "region")[1]
    assert region.value == pytest.approx(13 / 22 * 100)  # 59.1, not the mean of schools
    # The order's target: 100 % by 2025/26, not met.
    assert (region.target, region.met) == (100, False)
    # Response rate against the pupils of grades 9–12 (one parent per pupil).
    rates = {(p.level, p.group): p for p in computed.participation}
    assert rates[("municipality", 10)].rate == pytest.approx(11 / 64 * 100)
    assert rates[("region", 1)].rate == pytest.approx(22 / 140 * 100)
