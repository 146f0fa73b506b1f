"""What is known of a unit apart from its answers — reference figures per response,
grades taught, school type, counts and sums over expected units — and imported tables
joined to responses. Every value worked out by hand.

Municipality 10: school 101 (general, grades 1–11), 102 (adaptive, grades 1–9, silent),
103 (boarding, grades 5–12). Municipality 20: school 201 (general, grades 1–4 only) and
202 (no type recorded, grades 1–11)."""

from __future__ import annotations

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import (
    UnitPlace,
    answers_frame,
    figures_frame,
    join_imported,
    units_frame,
)
from collector.schema import compile_document
from tests.indicators.test_engine import document

PLACES = [
    UnitPlace(101, 101, 10, 1, "general"),
    UnitPlace(102, 102, 10, 1, "adaptive"),
    UnitPlace(103, 103, 10, 1, "boarding"),
    UnitPlace(201, 201, 20, 1, "general"),
    UnitPlace(202, 202, 20, 1, None),
]

# Pupils per grade: the same number in every grade the school teaches.
GRADES = {
    101: (range(1, 12), 20),
    102: (range(1, 10), 8),
    103: (range(5, 13), 10),
    201: (range(1, 5), 15),
    202: (range(1, 12), 25),
}
OVZ_10_12 = {101: 0, 103: 6, 202: 2}  # per school, in grade 10

ANSWERS = {
    101: {"has_plan": True, "trained": 30, "total": 100},
    103: {"has_plan": False, "trained": 12, "total": 40},
    201: {"has_plan": True, "trained": 5, "total": 20},
    202: {"has_plan": True, "trained": 50, "total": 200},
}

INDICATORS = [
    {
        "id": "per_pupil_answered",
        "title": "Обученные на 100 учащихся 6–9 классов ответивших школ",
        "formula": 'sum(trained) / sum(figure("pupils", 6, 9)) * 100',
    },
    {
        "id": "plan_share_6_9",
        "title": "Доля школ с планом среди обучающих 6–9 классы",
        "formula": "share(has_plan)",
        "not_applicable_if": "not teaches(6, 9)",
    },
    {
        "id": "teaching_10_11",
        "title": "Школ, обучающих 10–11 классы",
        "formula": "count_units(teaches(10, 11))",
    },
    {"id": "all_units", "title": "Школ всего", "formula": "count_units()"},
    {
        "id": "adaptive_pupils",
        "title": "Обучающиеся 6–9 классов адаптивных школ и школ-интернатов",
        "formula": 'sum_units(figure("pupils", 6, 9), school_type("adaptive", "boarding"))',
    },
    {
        "id": "adaptive_answered",
        "title": "Ответивших адаптивных школ и школ-интернатов",
        "formula": 'count_if(school_type("adaptive", "boarding"))',
    },
    {
        "id": "ovz_seniors_rule",
        "title": "Доля обученных, где есть обучающиеся с ОВЗ 10–12 классов",
        "formula": "sum(trained) / sum(total) * 100",
        "not_applicable_if": 'figure("pupils_ovz", 10, 12) = 0',
    },
    {
        "id": "passed_share",
        "title": "Доля сдавших (из выгрузки)",
        "formula": "sum(ege.passed) / sum(ege.sat) * 100",
    },
    {"id": "rows_per_school", "title": "Строк выгрузки", "formula": "count(ege)"},
    {
        "id": "regional_only",
        "title": "Рассчитывается регионом",
        "not_calculated": "Не рассчитывается муниципалитетом",
    },
]

EGE_ROWS = {
    101: [
        {"subject": "Физика", "sat": 10, "passed": 9},
        {"subject": "Химия", "sat": 5, "passed": 3},
    ],
    103: [{"subject": "Физика", "sat": 4, "passed": 4}],
    102: [{"subject": "Физика", "sat": 7, "passed": 7}],  # 102 did not report: nothing joins
}


def form() -> dict:
    doc = document(INDICATORS)
    doc["imports"] = [
        {
            "id": "ege",
            "title": "Результаты ЕГЭ",
            "match": {"column": "Код ОО"},
            "columns": [
                {"id": "subject", "header": "Предмет", "type": "text", "label": "Предмет"},
                {"id": "sat", "header": "Сдавали", "type": "integer", "label": "Сдавали"},
                {"id": "passed", "header": "Сдали", "type": "integer", "label": "Сдали"},
            ],
        }
    ]
    return doc


@pytest.fixture(scope="module")
def computed():
    spec = compile_document(form()).spec
    rows = [
        (unit, "pupils", grade, count)
        for unit, (grades, count) in GRADES.items()
        for grade in grades
    ]
    rows += [(unit, "pupils_ovz", 10, count) for unit, count in OVZ_10_12.items()]
    responses = join_imported(
        list(ANSWERS.items()), {unit: {"ege": rows_} for unit, rows_ in EGE_ROWS.items()}
    )
    engine = Engine(
        spec, units_frame(PLACES), answers_frame(spec, responses), figures_frame(rows), 2025
    )
    return engine.compute()


def test_a_figure_inside_a_sum_is_each_answering_units_own(computed):
    # Municipality 10: 101 and 103 answered; pupils 6–9: 101 4×20 = 80, 103 4×10 = 40.
    assert computed.value("per_pupil_answered", "municipality", 10).value == pytest.approx(
        (30 + 12) / (80 + 40) * 100
    )
    # Municipality 20: 201 teaches no grade 6–9 (0 pupils), 202 4×25 = 100.
    assert computed.value("per_pupil_answered", "municipality", 20).value == pytest.approx(
        (5 + 50) / 100 * 100
    )


def test_teaches_reads_grades_from_the_pupil_figures(computed):
    # 201 teaches grades 1–4 only: left out of the share and counted as excluded.
    m20 = computed.value("plan_share_6_9", "municipality", 20)
    assert m20.value == pytest.approx(100.0) and m20.excluded == 1  # 202 alone: yes
    assert computed.value("plan_share_6_9", "school", 201).status == "not_applicable"
    # Municipality 10: 101 yes, 103 no (102 silent).
    assert computed.value("plan_share_6_9", "municipality", 10).value == pytest.approx(50.0)


def test_count_units_counts_expected_units_answered_or_not(computed):
    # 10–11: 101, 103 (grades 5–12), 202; not 102 (1–9) nor 201 (1–4).
    assert computed.value("teaching_10_11", "municipality", 10).value == 2
    assert computed.value("teaching_10_11", "municipality", 20).value == 1
    assert computed.value("teaching_10_11", "region", 1).value == 3
    assert computed.value("all_units", "region", 1).value == 5


def test_sum_units_by_school_type(computed):
    # 102 adaptive (silent, still counted): 4 grades × 8 = 32; 103 boarding: 4 × 10 = 40.
    assert computed.value("adaptive_pupils", "municipality", 10).value == 72
    # No adaptive or boarding school in municipality 20: a known zero.
    assert computed.value("adaptive_pupils", "municipality", 20).value == 0
    # Per response: of the answering units only 103 is adaptive or boarding; 202 has no
    # recorded type and counts as none.
    assert computed.value("adaptive_answered", "municipality", 10).value == 1
    assert computed.value("adaptive_answered", "municipality", 20).value == 0


def test_a_rule_on_a_units_own_figure_is_a_rule_per_unit(computed):
    # 101 has no pupils with ОВЗ in 10–12: excluded; 103 remains: 12 / 40.
    m10 = computed.value("ovz_seniors_rule", "municipality", 10)
    assert m10.value == pytest.approx(12 / 40 * 100) and m10.excluded == 1
    # 201 has no pupils_ovz row at all: unknown, so not excluded; 202 has 2.
    m20 = computed.value("ovz_seniors_rule", "municipality", 20)
    assert m20.value == pytest.approx((5 + 50) / (20 + 200) * 100) and m20.excluded == 0


def test_imported_rows_join_their_units_response(computed):
    assert computed.value("passed_share", "school", 101).value == pytest.approx(12 / 15 * 100)
    # 102's rows have no response to join: municipality 10 = 101 and 103 only.
    assert computed.value("passed_share", "municipality", 10).value == pytest.approx(16 / 19 * 100)
    assert computed.value("rows_per_school", "school", 101).value == 2
    assert computed.value("passed_share", "municipality", 20).status == "no_data"


def test_an_indicator_declared_not_calculated_is_never_computed(computed):
    assert computed.value("regional_only", "region", 1) is None
    spec = compile_document(form()).spec
    regional = next(i for i in spec.indicators if i.id == "regional_only")
    assert not regional.computed and regional.not_calculated.ru.startswith("Не рассч")


def test_comparing_an_unknown_fact_is_unknown_not_an_error():
    # 201 has no "pupils" rows for grades 10–11 in this frame: teaches() is unknown there.
    spec = compile_document(
        document(
            [
                {
                    "id": "not_senior",
                    "title": "Ответившие школы без 10–11 классов",
                    "formula": "count_if(teaches(10, 11) = false)",
                }
            ]
        )
    ).spec
    places = [UnitPlace(101, 101, 10, 1), UnitPlace(201, 201, 20, 1)]
    figures = figures_frame([(101, "pupils", 5, 20.0)])
    answers = answers_frame(spec, [(101, {"total": 1}), (201, {"total": 2})])
    computed = Engine(spec, units_frame(places), answers, figures, 2025).compute()
    assert computed.value("not_senior", "region", 1).value == 1  # 101; 201 unknown


@pytest.mark.parametrize(
    ("formula", "rule"),
    [
        ("sum(total) / count_units() * 100", "sum(total) > 0 and not teaches(5, 9)"),
        ('count_if(has_plan) > 0 and school_type("adaptive")', None),
    ],
)
def test_a_unit_function_outside_a_group_count_is_refused(formula, rule):
    from collector.schema import SchemaError

    indicator = {"id": "x", "title": "x", "formula": formula}
    if rule:
        indicator["not_applicable_if"] = rule
    with pytest.raises(SchemaError) as caught:
        compile_document(document([indicator]))
    assert {i.code for i in caught.value.errors} == {"function_not_allowed"}


def test_grades_run_from_low_to_high():
    from collector.schema import SchemaError

    with pytest.raises(SchemaError) as caught:
        compile_document(
            document([{"id": "x", "title": "x", "formula": "count_units(teaches(9, 5))"}])
        )
    assert "from low to high" in caught.value.errors[0].message
