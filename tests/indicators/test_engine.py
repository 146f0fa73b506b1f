"""The indicator engine on a small synthetic region, every value worked out by hand.

Region 1: municipality 10 with schools 101, 102 and 103 (103 does not answer) and
municipality 20 with schools 201 and 202."""

from __future__ import annotations

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, figures_frame, units_frame
from collector.indicators.questions import answer_counts
from collector.schema import compile_document

PLACES = [
    UnitPlace(101, 101, 10, 1),
    UnitPlace(102, 102, 10, 1),
    UnitPlace(103, 103, 10, 1),
    UnitPlace(201, 201, 20, 1),
    UnitPlace(202, 202, 20, 1),
]

ANSWERS = {
    101: {"has_plan": True, "trained": 30, "total": 100, "ovz": 4, "ovz_covered": 2},
    102: {"has_plan": False, "trained": 10, "total": 50, "ovz": 0, "ovz_covered": 0},
    201: {"has_plan": True, "trained": 45, "total": 60, "ovz": 5, "ovz_covered": 5},
    202: {"has_plan": True, "trained": 0, "total": 0, "ovz": 0, "ovz_covered": 0},
}

# Pupils of grades 10 and 11 by school (103 too: it is expected, though silent).
PUPILS_10_11 = {101: (40, 35), 102: (20, 18), 103: (30, 30), 201: (25, 25), 202: (10, 10)}


def counted(engine: Engine, level: str, field: str) -> dict[int, dict[str, int]]:
    """The answers of one question counted per option in each group of a level."""
    groups = engine.answers["unit_id"].map(engine.units[level])
    return {int(r.key): r.counts for r in answer_counts(engine.answers, field, groups, 1)}


def integer(field_id: str) -> dict:
    return {"id": field_id, "type": "integer", "label": field_id, "min": 0}


def document(indicators: list[dict], kind: str = "unit_report") -> dict:
    return {
        "id": "engine-test",
        "version": 1,
        "title": "Проверка расчёта",
        "kind": kind,
        "respondents": {"unit_types": ["school"]},
        "source": {"document": "Тест"},
        "sections": [
            {
                "id": "main",
                "title": "Основное",
                "fields": [
                    {"id": "has_plan", "type": "yes_no", "label": "План"},
                    integer("trained"),
                    integer("total"),
                    integer("ovz"),
                    integer("ovz_covered"),
                    integer("optional"),
                ],
            }
        ],
        "indicators": [{"source": {"document": "Тест"}, **i} for i in indicators],
    }


INDICATORS = [
    {
        "id": "plan_share",
        "title": "Доля школ с планом",
        "formula": "share(has_plan)",
        "targets": {"2025": 60},
    },
    {
        "id": "trained_ratio",
        "title": "Доля обученных",
        "formula": "sum(trained) / sum(total) * 100",
    },
    {
        "id": "ovz_ratio",
        "title": "Охват детей с ОВЗ",
        "formula": "sum(ovz_covered) / sum(ovz) * 100",
        "not_applicable_if": "ovz = 0",
    },
    {
        "id": "per_pupil",
        "title": "Обученные на 100 учащихся 10–11 классов",
        "formula": 'sum(trained) / figure("pupils", 10, 11) * 100',
    },
    {"id": "optional_mean", "title": "Среднее", "formula": "mean(optional)"},
    {
        "id": "trained_guarded",
        "title": "Доля обученных, где есть обучающиеся",
        "formula": "sum(trained) / sum(total) * 100",
        "not_applicable_if": "sum(total) = 0",
    },
]


@pytest.fixture(scope="module")
def computed():
    spec = compile_document(document(INDICATORS)).spec
    figures = figures_frame(
        (unit, "pupils", grade, value)
        for unit, (g10, g11) in PUPILS_10_11.items()
        for grade, value in ((10, g10), (11, g11))
    )
    engine = Engine(
        spec,
        units_frame(PLACES),
        answers_frame(spec, list(ANSWERS.items())),
        figures,
        year=2025,
    )
    return engine.compute()


def test_a_share_of_schools_with_coverage_and_target(computed):
    municipal = computed.by("plan_share", "municipality")
    assert municipal[10].value == pytest.approx(50.0)  # 1 of the 2 that answered
    assert municipal[20].value == pytest.approx(100.0)
    assert (municipal[10].answered, municipal[10].expected) == (2, 3)
    assert (municipal[20].answered, municipal[20].expected) == (2, 2)
    assert municipal[10].met is False and municipal[20].met is True
    region = computed.by("plan_share", "region")[1]
    assert region.value == pytest.approx(75.0) and (region.answered, region.expected) == (4, 5)
    assert region.target == 60 and region.met is True


def test_a_ratio_rolls_up_from_summed_numerators_and_denominators(computed):
    municipal = computed.by("trained_ratio", "municipality")
    assert municipal[10].value == pytest.approx(40 / 150 * 100)  # 26.67, not (30 + 20) / 2
    assert municipal[20].value == pytest.approx(45 / 60 * 100)
    region = computed.by("trained_ratio", "region")[1]
    assert region.value == pytest.approx(85 / 210 * 100)  # 40.48; the mean would be 50.83
    school = computed.by("trained_ratio", "school")
    assert school[202].value is None and school[202].status == "no_data"  # 0 / 0
    assert school[103].status == "no_data" and school[103].answered == 0


def test_a_not_applicable_unit_is_left_out_and_said_so(computed):
    municipal = computed.by("ovz_ratio", "municipality")
    assert municipal[10].value == pytest.approx(50.0) and municipal[10].excluded == 1
    assert municipal[20].value == pytest.approx(100.0) and municipal[20].excluded == 1
    assert computed.by("ovz_ratio", "region")[1].value == pytest.approx(7 / 9 * 100)
    assert computed.by("ovz_ratio", "school")[102].status == "not_applicable"
    guarded = computed.by("trained_guarded", "school")
    assert guarded[202].status == "not_applicable" and guarded[202].value is None
    assert guarded[201].value == pytest.approx(75.0)


def test_a_reference_figure_counts_every_expected_unit(computed):
    municipal = computed.by("per_pupil", "municipality")
    assert municipal[10].value == pytest.approx(40 / (75 + 38 + 60) * 100)
    assert municipal[20].value == pytest.approx(45 / 70 * 100)
    assert computed.by("per_pupil", "region")[1].value == pytest.approx(85 / 243 * 100)


def test_missing_answers_give_no_data_not_zero(computed):
    region = computed.by("optional_mean", "region")[1]
    assert region.value is None and region.status == "no_data"


def test_an_empty_campaign_gives_no_data_everywhere():
    spec = compile_document(document(INDICATORS)).spec
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, []), None, year=2025)
    result = engine.compute()
    assert result.values and all(v.value is None for v in result.values)
    assert {v.status for v in result.values} == {"no_data"}
    assert all(v.answered == 0 and v.met is None for v in result.values)


def survey_document() -> dict:
    doc = document([], kind="survey")
    doc["respondents"]["headcount"] = 'figure("pupils", 10, 11)'
    doc["respondents"]["min_group_size"] = 1  # every group shown: the arithmetic is tested
    doc["sections"][0]["fields"] = [
        {
            "id": "choice",
            "type": "single_choice",
            "label": "Выбор профиля был организован?",
            "options": [
                {
                    "value": "organised",
                    "label": "Выбор предпрофиля/профиля обучения был организован",
                },
                {"value": "no", "label": "Не был организован"},
                {"value": "dont_know", "label": "Затрудняюсь ответить"},
            ],
        },
        {
            "id": "helped",
            "type": "multiple_choice",
            "label": "Что помогло",
            "options": [
                {"value": "tests", "label": "Тесты"},
                {"value": "trips", "label": "Экскурсии"},
            ],
        },
    ]
    doc["indicators"] = [
        {
            "id": "organised_share",
            "title": "7.2",
            "formula": 'share(choice == "organised")',
            "targets": {"2025": 100},
            "source": {"document": "Тест"},
        }
    ]
    return doc


def test_a_survey_share_among_those_who_answered_and_its_response_rate():
    spec = compile_document(survey_document()).spec
    answers = [
        (101, {"choice": "organised", "helped": ["tests", "trips"]}),
        (101, {"choice": "organised", "helped": ["tests"]}),
        (101, {"choice": "no"}),
        (101, {}),  # skipped the question: not in ЧР
        (201, {"choice": "dont_know", "helped": ["trips"]}),
    ]
    figures = figures_frame(
        (unit, "pupils", grade, value)
        for unit, (g10, g11) in PUPILS_10_11.items()
        for grade, value in ((10, g10), (11, g11))
    )
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, answers), figures, year=2025)
    result = engine.compute()
    school = result.by("organised_share", "school")
    assert school[101].value == pytest.approx(2 / 3 * 100)  # ЧРОВ 2 of ЧР 3
    assert school[101].met is False
    region = result.by("organised_share", "region")[1]
    assert region.value == pytest.approx(2 / 4 * 100)
    rates = {(p.level, p.group): p for p in result.participation}
    assert rates[("school", 101)].responses == 4 and rates[("school", 101)].headcount == 75
    assert rates[("school", 101)].rate == pytest.approx(4 / 75 * 100)
    assert rates[("region", 1)].rate == pytest.approx(5 / 243 * 100)
    assert rates[("school", 103)].responses == 0 and rates[("school", 103)].rate == 0
    table = counted(engine, "municipality", "choice")[10]
    assert table.get("dont_know", 0) == 0 and table == {"no": 1, "organised": 2}
    helped = counted(engine, "region", "helped")[1]
    assert helped == {"tests": 2, "trips": 2}


def test_small_groups_stay_anonymous():
    """No figure for a group with fewer respondents than the form's smallest group."""
    doc = survey_document()
    doc["respondents"]["min_group_size"] = 3
    spec = compile_document(doc).spec
    answers = [(101, {"choice": "organised"}), (101, {"choice": "no"})]  # 2 at school 101
    answers += [(102, {"choice": "organised"})] * 3  # 3 at school 102
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, answers), None, year=2025)
    school = engine.compute().by("organised_share", "school")
    assert school[101].value is None and school[101].status == "small_group"
    assert school[102].value == pytest.approx(100.0) and school[102].status == "ok"
    municipality = engine.compute().by("organised_share", "municipality")[10]
    assert municipality.value == pytest.approx(4 / 5 * 100)  # 5 respondents: shown


def test_a_rating_is_counted_per_point_by_its_option_values():
    import pandas as pd

    answers = pd.DataFrame({"unit_id": [101, 101, 102], "score": [4.0, 5.0, 4.0]})
    groups = answers["unit_id"].map(units_frame(PLACES)["municipality"])
    (table,) = answer_counts(answers, "score", groups, 1)
    assert table.key == 10 and table.counts == {"4": 2, "5": 1}


@pytest.mark.parametrize(
    ("year", "target"), [(2021, None), (2022, 10), (2023, 10), (2024, 20), (2030, 20)]
)
def test_the_target_in_force_is_the_latest_up_to_the_campaigns_year(year, target):
    spec = compile_document(
        document(
            [
                {
                    "id": "plan_share",
                    "title": "Доля школ с планом",
                    "formula": "share(has_plan)",
                    "targets": {"2022": 10, "2024": 20},
                }
            ]
        )
    ).spec
    engine = Engine(
        spec, units_frame(PLACES), answers_frame(spec, list(ANSWERS.items())), None, year
    )
    found = engine.compute().value("plan_share", "region", 1)
    assert found.target == target
    assert found.met is (None if target is None else 75.0 >= target)


def test_a_survey_indicator_over_a_figure_leaves_out_a_school_without_it():
    """Survey answers of a school with no pupil figures are left out of a share of
    pupils and counted (issue 19), and the survey's small-group rule still applies."""
    doc = survey_document()
    doc["indicators"].append(
        {
            "id": "organised_per_100",
            "title": "Организован, на 100 обучающихся 10–11 классов",
            "formula": 'count_if(choice == "organised") / figure("pupils", 10, 11) * 100',
            "source": {"document": "Тест"},
        }
    )
    spec = compile_document(doc).spec
    answers = [(101, {"choice": "organised"}), (101, {"choice": "no"})]
    answers += [(201, {"choice": "organised"})] * 3  # 201 has no figures below
    figures = figures_frame(
        (unit, "pupils", grade, value)
        for unit, (g10, g11) in PUPILS_10_11.items()
        if unit != 201
        for grade, value in ((10, g10), (11, g11))
    )
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, answers), figures, year=2025)
    region = engine.compute().by("organised_per_100", "region")[1]
    # 1 organised at 101 of the region's known pupils: 75 + 38 + 60 + 20 (201 unknown).
    assert region.value == pytest.approx(1 / 193 * 100)
    assert region.figures_missing == 1
    school = engine.compute().by("organised_per_100", "school")[201]
    assert school.value is None and school.figures_missing == 1
