"""Satisfaction of pupils and of parents with the school's career-guidance work
(Nevinnomyssk order № 306 о/д of 17.09.2020, appendix 1, section 7, group 1: «уровень
удовлетворенности детей и родителей состоянием профориентационной работы в
образовательной организации»).

Pure: compiles the two schema files and runs the indicator engine on synthetic answers, no
database. The order names the indicator but prints no question, scale, formula or target,
so the instrument is ours (the notes say so): the same labelled 5-point scale in both
forms, the indicators computed from the closing overall question, the same indicator ids
in both forms so that a report puts pupils and parents side by side. The combined figure
is the mean of the two groups' values (each group weighs the same), worked out at the end.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from collector.indicators.engine import Engine
from collector.indicators.frame import UnitPlace, answers_frame, figures_frame, units_frame
from collector.indicators.joint import JointValue
from collector.indicators.questions import answer_counts
from collector.schema import compile_text
from collector.schema.evaluate import failed_rules, visible_field_ids
from collector.schema.expressions import Call, Literal
from collector.schema.formbuild import answers_from_form, build_form_class

ROOT = Path(__file__).resolve().parent.parent
PUPILS = ROOT / "form_schemas" / "nevinnomyssk-2020-pupil-satisfaction.json"
PARENTS = ROOT / "form_schemas" / "nevinnomyssk-2020-parent-satisfaction.json"
FORMS = {"pupils": PUPILS, "parents": PARENTS}

QUOTE = (
    "уровень удовлетворенности детей и родителей состоянием профориентационной работы "
    "в образовательной организации"
)
SCALE = [
    ("1", "1 — совсем не удовлетворён(а)"),
    ("2", "2 — скорее не удовлетворён(а)"),
    ("3", "3 — в чём-то удовлетворён(а), в чём-то нет"),
    ("4", "4 — скорее удовлетворён(а)"),
    ("5", "5 — полностью удовлетворён(а)"),
]
RATINGS = ["info", "practice", "meetings_rating", "choice_help", "overall"]
GRADES = (6, 11)
INDICATORS = ["satisfied_share", "mean_score"]


@pytest.fixture(scope="module", params=list(FORMS))
def compiled(request):
    return compile_text(FORMS[request.param].read_bytes())


@pytest.fixture(scope="module")
def pupils():
    return compile_text(PUPILS.read_bytes()).spec


@pytest.fixture(scope="module")
def parents():
    return compile_text(PARENTS.read_bytes()).spec


def test_compiles_without_warnings(compiled):
    assert compiled.warnings == []
    path = FORMS["pupils"] if "pupil" in compiled.spec.id else FORMS["parents"]
    assert compiled.spec.id == path.stem


def test_an_anonymous_school_survey_by_grade(compiled):
    spec = compiled.spec
    assert spec.kind == "survey"
    assert spec.unit_types == ("school",)
    assert spec.roles == ()
    assert spec.anonymous is True
    assert spec.min_group_size == 5
    assert spec.category_field == "grade"
    assert spec.title.ru and spec.title.en
    assert spec.description.ru and spec.description.en
    assert "анонимный" in spec.description.ru


def test_short_enough_for_a_phone(compiled):
    spec = compiled.spec
    assert len(spec.sections) == 1
    assert len(spec.fields) <= 8
    # Without excursions, trials or meetings only six questions show, the comment included.
    assert len(visible_field_ids(spec, {"grade": "6", "took_part": ["none"]})) == 6


def test_every_rating_has_the_same_five_labelled_points(compiled):
    spec = compiled.spec
    assert [f.id for f in spec.fields if f.type == "rating"] == RATINGS
    for field_id in RATINGS:
        field = spec.field(field_id)
        assert field.scale is None
        assert [(o.value, o.label.ru) for o in field.options] == SCALE


def test_the_category_is_a_required_grade_from_6_to_11(compiled):
    field = compiled.spec.field("grade")
    assert field.type == "single_choice"
    assert field.required
    assert [o.value for o in field.options] == [str(g) for g in range(GRADES[0], GRADES[1] + 1)]
    assert "10-11 класс" in field.source.quote and "8-9 класс" in field.source.quote


def test_the_headcount_is_the_pupils_of_the_grades_asked(compiled):
    spec = compiled.spec
    headcount = spec.headcount
    assert isinstance(headcount, Call) and headcount.name == "figure"
    name, low, high = headcount.args
    assert name == Literal("pupils")
    grades = [int(o.value) for o in spec.field("grade").options]
    assert (int(low.value), int(high.value)) == (min(grades), max(grades)) == GRADES


def test_each_grade_has_its_own_headcount(compiled):
    spec = compiled.spec
    grades = [o.value for o in spec.field("grade").options]
    assert list(spec.category_headcount) == grades
    for grade, node in spec.category_headcount.items():
        assert node == Call("figure", (Literal("pupils"), Literal(Decimal(grade))))


def test_every_indicator_names_its_clause_and_quotes_the_document(compiled):
    spec = compiled.spec
    assert [i.id for i in spec.indicators] == INDICATORS
    for indicator in spec.indicators:
        assert indicator.source.clause and "раздел 7" in indicator.source.clause
        assert "№ 306 о/д" in indicator.source.document
        assert indicator.source.quote == QUOTE
        assert indicator.levels == ("school", "municipality", "region")
        assert indicator.targets == {}  # the document gives none
    assert "№ 306 о/д" in spec.source.document and spec.source.quote == QUOTE
    assert "Апрель – май, ежегодно" in spec.source.clause
    assert spec.field("overall").source.quote == QUOTE


def test_the_notes_say_the_instrument_is_ours_and_why(compiled):
    for indicator in compiled.document["indicators"]:
        note = indicator["note"]
        assert note["ru"] and note["en"]
    note = compiled.document["indicators"][0]["note"]
    assert "составлен для этой формы" in note["ru"]
    assert "не печатает ни анкеты" in note["ru"]
    assert QUOTE in note["ru"] and QUOTE in note["en"]
    assert "среднее двух долей" in note["ru"]


def test_both_forms_declare_the_same_indicators(pupils, parents):
    assert [i.id for i in pupils.indicators] == [i.id for i in parents.indicators]
    for mine, theirs in zip(pupils.indicators, parents.indicators, strict=True):
        assert mine.formula == theirs.formula
        assert mine.unit == theirs.unit
    assert pupils.headcount == parents.headcount


def test_activity_ratings_show_only_after_taking_part(compiled):
    spec = compiled.spec
    base = {"grade": "8"}
    shown = visible_field_ids(spec, {**base, "took_part": ["none"]})
    assert {"info", "choice_help", "overall"} <= shown
    assert not {"practice", "meetings_rating"} & shown
    shown = visible_field_ids(spec, {**base, "took_part": ["trials"]})
    assert "practice" in shown and "meetings_rating" not in shown
    shown = visible_field_ids(spec, {**base, "took_part": ["excursions", "meetings"]})
    assert {"practice", "meetings_rating"} <= shown


def test_nothing_cannot_be_ticked_with_an_activity(compiled):
    spec = compiled.spec
    assert failed_rules(spec, {"took_part": ["none", "trials"]})
    assert not failed_rules(spec, {"took_part": ["none"]})
    assert not failed_rules(spec, {"took_part": ["trials", "meetings"]})


def test_a_verbal_point_is_stored_as_its_value(pupils):
    form_class = build_form_class(pupils, Form, "ru")
    choices = [(c.value, c.label) for c in form_class().overall.choices]
    assert choices == SCALE
    form = form_class(MultiDict({"grade": "9", "took_part": ["none"], "overall": "4"}))
    answers = answers_from_form(pupils, form)
    assert answers["overall"] == "4" and answers["grade"] == "9"


# The engine, worked by hand. Municipality 10: schools 101 (A) and 102 (B); municipality
# 20: schools 201 (C) and 202 (D, silent); all in region 1.
PLACES = [
    UnitPlace(101, 101, 10, 1),
    UnitPlace(102, 102, 10, 1),
    UnitPlace(201, 201, 20, 1),
    UnitPlace(202, 202, 20, 1),
]
# Pupils per grade 6..11 by school (grades 5 and 12 are given too and must not count).
PER_GRADE = {101: 20, 102: 10, 201: 15, 202: 5}
HEADCOUNT = {101: 120, 102: 60, 201: 90, 202: 30}  # 6 grades each

PUPIL_SCORES = {101: [5, 4, 2], 102: [3, 5], 201: [5, 5, 5, 4, 1, 2]}
PARENT_SCORES = {101: [5, 4, 4, 3], 102: [2, 5, 4], 201: [4, 4, 3, 3, 5]}


def figures():
    return figures_frame(
        (unit, "pupils", grade, value if 6 <= grade <= 11 else 1000)
        for unit, value in PER_GRADE.items()
        for grade in range(5, 13)
    )


def responses(scores: dict[int, list[int]]) -> list[tuple[int, dict]]:
    # As the forms store them: a verbal point is its option value, a string.
    grades = ["6", "8", "9", "10", "11", "7"]
    return [
        (unit, {"grade": grades[n % 6], "took_part": ["none"], "overall": str(score)})
        for unit, unit_scores in scores.items()
        for n, score in enumerate(unit_scores)
    ]


def compute(spec, scores):
    engine = Engine(
        spec, units_frame(PLACES), answers_frame(spec, responses(scores)), figures(), year=2025
    )
    return engine, engine.compute()


def arithmetic_only(path: Path):
    """The form with every group shown (min_group_size 1): school arithmetic is tested."""
    text = path.read_text(encoding="utf-8").replace('"min_group_size": 5', '"min_group_size": 1')
    return compile_text(text).spec


def test_school_shares_and_means_by_hand():
    _engine, computed = compute(arithmetic_only(PUPILS), PUPIL_SCORES)
    share = computed.by("satisfied_share", "school")
    mean = computed.by("mean_score", "school")
    assert share[101].value == pytest.approx(2 / 3 * 100)  # 5, 4 of 5, 4, 2: 66.7 %
    assert share[102].value == pytest.approx(50.0)  # 5 of 3, 5
    assert share[201].value == pytest.approx(4 / 6 * 100)  # 5, 5, 5, 4 of six
    assert mean[101].value == pytest.approx(11 / 3)
    assert mean[102].value == pytest.approx(4.0)
    assert share[202].value is None and share[202].status == "no_data"


def test_small_schools_stay_anonymous_the_city_does_not(pupils):
    _engine, computed = compute(pupils, PUPIL_SCORES)
    share = computed.by("satisfied_share", "school")
    assert share[101].status == "small_group" and share[101].value is None  # 3 answers
    assert share[102].status == "small_group" and share[102].value is None  # 2 answers
    assert share[201].value == pytest.approx(4 / 6 * 100)  # 6 answers: shown
    municipal = computed.by("satisfied_share", "municipality")
    assert municipal[10].value == pytest.approx(60.0)  # 3 of 5 pooled, not (66.7 + 50) / 2
    assert (municipal[10].answered, municipal[10].expected) == (2, 2)
    assert computed.by("mean_score", "municipality")[10].value == pytest.approx(3.8)
    assert municipal[20].value == pytest.approx(4 / 6 * 100)
    assert (municipal[20].answered, municipal[20].expected) == (1, 2)
    region_share = computed.by("satisfied_share", "region")[1]
    assert region_share.value == pytest.approx(7 / 11 * 100)  # 63.6; municipal mean 63.3
    assert region_share.target is None and region_share.met is None
    assert computed.by("mean_score", "region")[1].value == pytest.approx(41 / 11)


def test_response_rate_against_the_pupils_of_grades_6_to_11(pupils):
    engine, computed = compute(pupils, PUPIL_SCORES)
    rates = {(p.level, p.group): p for p in computed.participation}
    assert rates[("school", 101)].headcount == HEADCOUNT[101]
    assert rates[("school", 101)].rate == pytest.approx(3 / 120 * 100)
    assert rates[("school", 202)].responses == 0 and rates[("school", 202)].rate == 0
    assert rates[("municipality", 10)].rate == pytest.approx(5 / 180 * 100)
    assert rates[("municipality", 20)].rate == pytest.approx(6 / 120 * 100)  # D counts
    assert rates[("region", 1)].headcount == 300
    assert rates[("region", 1)].rate == pytest.approx(11 / 300 * 100)
    # The grade is in the answers, so a report can break every figure down by it.
    # The answers per point (the engine reads a rating as a number, so its keys are
    # normalised here to the option values).
    groups = engine.answers["unit_id"].map(engine.units["region"])
    (table,) = answer_counts(engine.answers, "overall", groups, 1)
    counts = table.counts
    assert counts == {"1": 1, "2": 2, "3": 1, "4": 2, "5": 5}
    assert "grade" in engine.answers.columns


def test_response_rate_of_one_grade_against_its_own_pupils(pupils):
    """As the report's breakdown by grade does it: the grade's answers over that grade's
    pupils (grade 6 answers: the first at schools A, B and C)."""
    engine, _computed = compute(pupils, PUPIL_SCORES)
    subset = engine.answers[engine.answers["grade"] == "6"]
    spec = replace(pupils, headcount=pupils.category_headcount["6"])
    found = Engine(spec, engine.units, subset, figures(), year=2025).compute()
    rates = {(p.level, p.group): p for p in found.participation}
    assert rates[("municipality", 10)].responses == 2
    assert rates[("municipality", 10)].headcount == 20 + 10
    assert rates[("region", 1)].rate == pytest.approx(3 / (20 + 10 + 15 + 5) * 100)


def test_pupils_and_parents_separately_and_together(pupils, parents):
    """Together: the mean of the two sides' values, each side weighing the same; none
    unless both sides have a value (collector.indicators.joint)."""
    _engine, by_pupils = compute(pupils, PUPIL_SCORES)
    _engine, by_parents = compute(parents, PARENT_SCORES)

    def joint(indicator: str, level: str, group: int) -> JointValue:
        return JointValue(
            indicator,
            group,
            by_pupils.by(indicator, level).get(group),
            by_parents.by(indicator, level).get(group),
        )

    pupil = by_pupils.by("satisfied_share", "municipality")[10]
    parent = by_parents.by("satisfied_share", "municipality")[10]
    assert pupil.value == pytest.approx(60.0)  # 3 of 5
    assert parent.value == pytest.approx(5 / 7 * 100)  # 5, 4, 4 and 5, 4 of 7: 71.4
    assert joint("satisfied_share", "municipality", 10).value == pytest.approx(
        (60 + 500 / 7) / 2
    )  # 65.7
    # Pooling the answers would give (3 + 5) / (5 + 7) = 66.7: the larger group weighs more.
    assert (3 + 5) / (5 + 7) * 100 == pytest.approx(66.67, abs=0.01)
    assert joint("mean_score", "municipality", 10).value == pytest.approx((3.8 + 27 / 7) / 2)
    # A school too small in either group has no combined figure, and says why.
    small = joint("satisfied_share", "school", 101)
    assert small.value is None and small.status == "small_group"
    parent_c = by_parents.by("satisfied_share", "school")[201].value
    assert parent_c == pytest.approx(60.0)  # 4, 4, 5 of 5
    assert joint("satisfied_share", "school", 201).value == pytest.approx((400 / 6 + 60) / 2)
    # School D: neither side answered.
    assert joint("satisfied_share", "school", 202).status == "no_data"
    # The region: pupils 7 of 11; parents 3 of 4 (A), 2 of 3 (B), 3 of 5 (C): 8 of 12.
    assert joint("satisfied_share", "region", 1).value == pytest.approx((700 / 11 + 800 / 12) / 2)


def test_each_form_names_the_other_as_its_companion(pupils, parents):
    assert pupils.reported_with == parents.id and parents.reported_with == pupils.id
