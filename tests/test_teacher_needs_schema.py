"""The Tomsk teacher professional-needs survey (order № 1067 of 01.11.2022: table 2, table 6
module 5, plan item 6.5 «повторный мониторинг профессиональных затруднений», July).

Pure: compiles the schema file, no database. Table 2 lists seven respondent categories, each
with its own need items and the share naming each «в значительной степени»; module 5 of
table 6 gives five indicators, each with the target 100 «к 2025-2026 учебному году» (key
"2025"). The expected lists below are copied by hand from the order, not from the schema.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, figures_frame, units_frame
from collector.schema import compile_document
from collector.schema.evaluate import visible_field_ids
from collector.schema.spec import FormSpec

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "form_schemas" / "tomsk-2022-teacher-needs.json"
SEED = Path("/work/shared/seeds/002_df0a54de8c7909bf.txt")

# Table 2, column «Категория респондентов», rows 1–7, as printed.
GROUPS = [
    "Заместители директоров по УВР",
    "Заместители директоров по ВР",
    "Учителя математики",
    "Учителя физики",
    "Учителя информатики",
    "Учителя технологии",
    "Учителя истории",
]

PROFILE_DEPUTY = (
    "Компетенции в области реализации профильного обучения в соответствии с требованиями "
    "ФГОС СОО (методики, технологии, формы организации образовательного процесса, "
    "проектирование занятий)"
)
PROFILE = (
    "Реализация профильного обучения в соответствии с требованиями ФГОС СОО (методики, "
    "технологии, формы организации образовательного процесса, проектирование занятий)"
)
INDIVIDUAL = "Индивидуализация учебного процесса"
OVZ = "Организация образовательного процесса обучающихся с ОВЗ"

# Table 2, column «Направления/темы как потребность в значительной степени (в%)»: each
# category's items in the order's wording (row 2 has one item, row 6 and row 7 two).
ITEMS = {
    "Заместители директоров по УВР": [
        PROFILE_DEPUTY,
        "Компетенции в области индивидуализации учебного процесса",
        "Методическая подготовка учителей при работе с обучающимися с ОВЗ",
    ],
    "Заместители директоров по ВР": [
        "Создание воспитательной среды, использование ресурсов социального партнерства",
    ],
    "Учителя математики": [PROFILE, INDIVIDUAL, OVZ],
    "Учителя физики": [
        PROFILE,
        INDIVIDUAL,
        "Работа с обучающимися с ОВЗ в организации образовательного процесса, "
        "методической компетентности",
    ],
    "Учителя информатики": [PROFILE, INDIVIDUAL, OVZ],
    "Учителя технологии": [PROFILE, OVZ],
    "Учителя истории": [PROFILE, INDIVIDUAL],
}

# Table 6, module 5: «Планируемый показатель к 2025-2026 учебному году».
MODULE_5_TARGETS = {"5.1": 100, "5.2": 100, "5.3": 100, "5.4": 100, "5.5": 100}

TOP_ANSWER = "в значительной степени"


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compiled(document):
    return compile_document(document)


@pytest.fixture(scope="module")
def spec(compiled) -> FormSpec:
    return compiled.spec


def group_value(spec: FormSpec, label: str) -> str:
    (value,) = [o.value for o in spec.field("group").options if o.label.ru == label]
    return value


def need_fields(spec: FormSpec) -> dict[str, str]:
    """Need items (the fields answered on the «в значительной степени» scale): id -> label."""
    return {
        f.id: f.label.ru
        for f in spec.fields
        if f.type == "single_choice" and f.options and f.options[0].label.ru == TOP_ANSWER
    }


def test_compiles_without_warnings(compiled):
    assert compiled.warnings == []
    assert compiled.spec.id == SCHEMA.stem


def test_anonymous_school_survey(spec, document):
    assert spec.kind == "survey"
    assert spec.unit_types == ("school",)
    assert spec.anonymous is True
    assert spec.min_group_size == 5
    # Each of the seven categories is counted against its own reference figure (table 2,
    # «Репрезентативность»), the survey as a whole against their sum.
    assert spec.category_field == "group"
    assert set(spec.category_headcount) == {o.value for o in spec.field("group").options}
    assert document["respondents"]["category_headcount"] == {
        "deputy_uvr": 'figure("deputy_directors_uvr")',
        "deputy_vr": 'figure("deputy_directors_vr")',
        "math": 'figure("teachers_math")',
        "physics": 'figure("teachers_physics")',
        "informatics": 'figure("teachers_informatics")',
        "technology": 'figure("teachers_technology")',
        "history": 'figure("teachers_history_social")',
    }
    assert spec.headcount is not None
    assert document["respondents"]["headcount"] == " + ".join(
        document["respondents"]["category_headcount"].values()
    )
    assert set(document["title"]) == {"ru", "en"}
    assert set(document["description"]) == {"ru", "en"}


def test_the_groups_are_the_documents_categories(spec, document):
    field = spec.field("group")
    assert field.type == "single_choice"
    assert field.required
    assert [o.label.ru for o in field.options] == GROUPS
    assert "Категория респондентов" in field.source.quote
    assert "таблица 2" in field.source.clause
    assert document["source"]["document"].startswith(
        "Распоряжение департамента образования администрации Города Томска от 01.11.2022 № 1067"
    )
    for section in spec.sections:
        assert section.source is not None and section.source.clause, section.id
        assert section.source.quote, section.id


def test_the_school_comes_from_the_link_and_the_rest_is_asked(spec):
    assert not [f for f in spec.fields if f.type == "unit_ref"]
    experience = spec.field("experience")
    assert experience.type == "single_choice" and len(experience.options) >= 4
    other = spec.field("other_needs")
    assert other.type == "long_text" and not other.required and other.max_length


@pytest.mark.parametrize("label", GROUPS)
def test_each_group_sees_exactly_its_items(spec, label):
    needs = need_fields(spec)
    visible = visible_field_ids(spec, {"group": group_value(spec, label)})
    seen = sorted(needs[f] for f in visible & needs.keys())
    assert seen == sorted(ITEMS[label])
    for field_id in visible & needs.keys():
        assert spec.field(field_id).required


def test_no_group_chosen_shows_no_items(spec):
    assert not visible_field_ids(spec, {}) & need_fields(spec).keys()


def test_the_scale_tops_at_a_significant_need(spec):
    needs = need_fields(spec)
    assert len(needs) == sum(len(items) for items in ITEMS.values()) == 17
    for field_id in needs:
        options = spec.field(field_id).options
        assert options[0].label.ru == TOP_ANSWER
        assert options[0].value == "significant"
        assert len(options) == 3


def test_module_5_is_asked_of_teachers_only(spec):
    module5 = {f.id for s in spec.sections if s.id == "module5" for f in s.fields}
    deputy = visible_field_ids(spec, {"group": group_value(spec, GROUPS[0])})
    assert not deputy & module5
    teacher = visible_field_ids(spec, {"group": "math", "teaches_soo": False})
    assert {"teaches_soo", "method_recommendations"} <= teacher
    assert "support_program" not in teacher and "ovz_difficulty" not in teacher
    upper = visible_field_ids(
        spec, {"group": "math", "teaches_soo": True, "class_teacher_soo": True}
    )
    assert module5 <= upper


def test_every_indicator_is_traced_to_its_clause(spec, document):
    assert spec.indicators
    for indicator in spec.indicators:
        assert indicator.source.clause, indicator.id
        assert indicator.source.quote, indicator.id
    notes = {i["id"]: i.get("note") for i in document["indicators"]}
    for indicator in spec.indicators:
        if indicator.id.startswith("ind_5_"):
            assert notes[indicator.id], indicator.id


def test_one_share_indicator_per_need_item(spec):
    formulas = {i.id: i for i in spec.indicators}
    for field_id in need_fields(spec):
        indicator = formulas[f"need_{field_id}"]
        assert indicator.source.clause.startswith("таблица 2")
        assert indicator.targets == {}  # the order sets none; a need should fall


def test_module_5_targets_are_the_documents(spec):
    found = {}
    for indicator in spec.indicators:
        match = re.match(r"(5\.\d)\. ", indicator.title.ru)
        if match and "модуль 5" in indicator.source.clause:
            found[match.group(1)] = indicator.targets
    assert found == {number: {"2025": target} for number, target in MODULE_5_TARGETS.items()}


@pytest.mark.skipif(not SEED.exists(), reason="the seed text is not on this machine")
def test_quotes_are_the_seed_text(document):
    seed = SEED.read_text(encoding="utf-8")
    quotes = [document["source"]["quote"]]
    for section in document["sections"]:
        quotes.append(section["source"]["quote"])
        quotes += [f["source"]["quote"] for f in section["fields"] if "source" in f]
    quotes += [i["source"]["quote"] for i in document["indicators"]]
    missing = [q for q in quotes if q not in seed]
    assert missing == []


# The engine on synthetic answers. Municipality 10 has schools 101, 102 and 103.
PLACES = [UnitPlace(101, 101, 10, 1), UnitPlace(102, 102, 10, 1), UnitPlace(103, 103, 10, 1)]


def answer(group: str, **items: str | bool) -> dict:
    return {"group": group, "experience": "6_10", **items}


RESPONSES = [
    # School 101: 4 mathematics teachers, 3 name profile education a significant need;
    # 2 physics teachers answer their own item, which must not dilute the mathematics share.
    (101, answer("math", math_profile="significant", teaches_soo=True)),
    (101, answer("math", math_profile="significant", teaches_soo=True)),
    (101, answer("math", math_profile="significant", teaches_soo=False)),
    (101, answer("math", math_profile="partly", teaches_soo=True)),
    (101, answer("physics", physics_profile="significant", teaches_soo=True)),
    (101, answer("physics", physics_profile="none", teaches_soo=True)),
    # School 102: 1 of 4 mathematics teachers, and one history teacher.
    (102, answer("math", math_profile="significant")),
    (102, answer("math", math_profile="none")),
    (102, answer("math", math_profile="none")),
    (102, answer("math", math_profile="partly")),
    (102, answer("history", history_profile="significant")),
    # School 103: too few answers to show anything.
    (103, answer("math", math_profile="significant")),
    (103, answer("math", math_profile="significant")),
]


# Mathematics teachers by school (reference figure teachers_math).
FIGURES = figures_frame(
    [(101, "teachers_math", None, 5), (102, "teachers_math", None, 6)]
    + [(103, "teachers_math", None, 2)]
)


@pytest.fixture(scope="module")
def computed(spec):
    # Every group shown, so that the arithmetic can be checked at school level; the
    # form's own smallest group (5) is tested below.
    shown = dataclasses.replace(spec, min_group_size=2)
    engine = Engine(shown, units_frame(PLACES), answers_frame(shown, RESPONSES), FIGURES, year=2025)
    return engine.compute()


def test_a_groups_share_by_hand_at_school_and_municipality(computed):
    school = computed.by("need_math_profile", "school")
    assert school[101].value == pytest.approx(75.0)  # 3 of 4
    assert school[102].value == pytest.approx(25.0)  # 1 of 4
    assert school[103].value == pytest.approx(100.0)  # 2 of 2
    municipal = computed.by("need_math_profile", "municipality")[10]
    # 3 + 1 + 2 of 4 + 4 + 2: every mathematics answer of the city, school 103 included.
    assert municipal.value == pytest.approx(6 / 10 * 100)
    assert (municipal.answered, municipal.expected) == (3, 3)


def test_four_mathematics_teachers_of_a_school_stay_anonymous(spec):
    """The form's smallest group is 5: the 4 mathematics teachers of a school show no
    share though the school has 6 answers; the city's 10 do."""
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, RESPONSES), FIGURES, year=2025)
    result = engine.compute()
    school = result.by("need_math_profile", "school")[101]
    assert school.value is None and school.status == "small_group"
    assert result.by("need_math_profile", "municipality")[10].value == pytest.approx(60.0)


def test_other_groups_hidden_items_do_not_dilute_a_share(computed):
    assert computed.by("need_physics_profile", "school")[101].value == pytest.approx(50.0)
    history = computed.by("need_history_profile", "school")[102]
    assert history.value is None and history.status == "small_group"  # one teacher
    # No deputy answered: no value, never 0.
    municipal = computed.by("need_uvr_profile", "municipality")[10]
    assert municipal.value is None and municipal.status == "no_data"


def test_an_item_shared_by_several_groups_has_an_overall_share(computed):
    municipal = computed.by("need_profile_all_teachers", "municipality")[10]
    # significant: 6 mathematics + 1 physics + 1 history, of 10 + 2 + 1 answers
    assert municipal.value == pytest.approx(8 / 13 * 100)
    school = computed.by("need_profile_all_teachers", "school")[101]
    assert school.value == pytest.approx(4 / 6 * 100)


def test_module_5_targets_are_checked_in_2025(computed):
    found = computed.by("ind_5_4_recommendations", "municipality")[10]
    assert found.target == 100
    assert found.value is None  # nobody answered the question here


def test_the_mathematics_group_has_its_response_rate(spec):
    """As the survey report computes a group's row: its answers against its own headcount."""
    answers = answers_frame(spec, RESPONSES)
    subset = answers[answers["group"] == "math"]
    group_spec = replace(spec, headcount=spec.category_headcount["math"])
    computed = Engine(group_spec, units_frame(PLACES), subset, FIGURES, year=2025).compute(
        levels=("municipality",)
    )
    (row,) = computed.participation
    assert (row.responses, row.headcount) == (10, 13)
    assert row.rate == pytest.approx(10 / 13 * 100)


# Response rates over the known headcounts (issue 28). Three of the seven staff figures
# are recorded: mathematics, physics and deputies for УВР; the other four are not.
KNOWN_FIGURES = figures_frame(
    [
        (101, "teachers_math", None, 5),
        (101, "teachers_physics", None, 2),
        (101, "deputy_directors_uvr", None, 1),
        (102, "teachers_math", None, 6),
        (102, "teachers_physics", None, 1),
        (102, "deputy_directors_uvr", None, 1),
        (103, "teachers_math", None, 2),
        (103, "teachers_physics", None, 1),
        (103, "deputy_directors_uvr", None, 1),
    ]
)


def test_the_city_rate_is_over_the_groups_whose_headcount_is_known(spec):
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, RESPONSES), KNOWN_FIGURES)
    city = engine.compute().participation_tables["municipality"].row(0)
    # Answers: 13 (10 mathematics, 2 physics, 1 history). The history teachers'
    # headcount is not known, so their answer is left out of the rate: 10 + 2 = 12
    # answers of the known groups over their headcount: mathematics 5 + 6 + 2 = 13,
    # physics 2 + 1 + 1 = 4, deputies for УВР 1 + 1 + 1 = 3: 13 + 4 + 3 = 20.
    assert (city.responses, city.counted, city.headcount) == (13, 12, 20.0)
    assert city.rate == pytest.approx(12 / 20 * 100)  # 60 %
    # The four groups without a figure are named, in the headcount's order.
    assert city.missing == ("deputy_vr", "informatics", "technology", "history")
    # School 102: math 4 + history 1 answers; known: math 6, physics 1, УВР 1 = 8;
    # rate 4 / 8 = 50 %.
    school = engine.compute().participation_tables["school"]
    row = school.row(list(school.groups).index(102))
    assert (row.counted, row.headcount, row.rate) == (4, 8.0, 50.0)


def test_with_every_headcount_known_every_answer_counts(spec):
    every = figures_frame(
        [(101, name, None, 2) for name in FIGURE_NAMES]
        + [(102, name, None, 2) for name in FIGURE_NAMES]
        + [(103, name, None, 2) for name in FIGURE_NAMES]
    )
    engine = Engine(spec, units_frame(PLACES), answers_frame(spec, RESPONSES), every)
    city = engine.compute().participation_tables["municipality"].row(0)
    # 13 answers over 7 figures × 2 × 3 schools = 42.
    assert (city.counted, city.headcount, city.missing) == (13, 42.0, ())
    assert city.rate == pytest.approx(13 / 42 * 100)


FIGURE_NAMES = [
    "deputy_directors_uvr",
    "deputy_directors_vr",
    "teachers_math",
    "teachers_physics",
    "teachers_informatics",
    "teachers_technology",
    "teachers_history_social",
]
