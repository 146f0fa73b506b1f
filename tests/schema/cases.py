"""A valid base form and, per error code, a change that keeps it valid (__ok) and one that
breaks it with exactly that code (__error)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Doc = dict[str, Any]


def base() -> Doc:
    return {
        "id": "test-form",
        "version": 1,
        "title": {"ru": "Проверочная форма", "en": "Test form"},
        "kind": "unit_report",
        "respondents": {"unit_types": ["school"], "roles": ["school_respondent"]},
        "source": {"document": "Приказ № 1829", "clause": "п. 11"},
        "sections": [
            {
                "id": "main",
                "title": "Основное",
                "fields": [
                    {"id": "total", "type": "integer", "label": "Всего", "min": 0, "unit": "ед."},
                    {"id": "part", "type": "integer", "label": "Из них", "min": 0},
                    {"id": "has_plan", "type": "yes_no", "label": "Есть план"},
                    {
                        "id": "level",
                        "type": "single_choice",
                        "label": "Уровень",
                        "options": [
                            {"value": "school", "label": "Школьный"},
                            {"value": "region", "label": "Региональный"},
                        ],
                    },
                    {
                        "id": "topics",
                        "type": "multiple_choice",
                        "label": "Темы",
                        "options": [
                            {"value": "it", "label": "ИТ"},
                            {"value": "med", "label": "Медицина"},
                        ],
                    },
                    {
                        "id": "people",
                        "type": "grid",
                        "label": "Участники",
                        "rows": [
                            {"id": "pupils", "label": "Обучающиеся"},
                            {"id": "parents", "label": "Родители"},
                        ],
                        "columns": [{"id": "count", "type": "integer", "label": "Чел."}],
                    },
                    {
                        "id": "deals",
                        "type": "table",
                        "label": "Соглашения",
                        "columns": [
                            {"id": "partner", "type": "text", "label": "Партнёр"},
                            {"id": "pupils", "type": "integer", "label": "Обучающихся"},
                        ],
                    },
                ],
            }
        ],
        "rules": [
            {
                "id": "part_le_total",
                "check": "part <= total",
                "message": "Часть больше целого",
                "fields": ["part"],
            }
        ],
        "indicators": [
            {
                "id": "share_plan",
                "title": "Доля школ с планом",
                "unit": "%",
                "formula": "share(has_plan)",
                "source": {"clause": "11.1"},
            }
        ],
    }


def fields(doc: Doc) -> list[Doc]:
    return doc["sections"][0]["fields"]


def field(doc: Doc, field_id: str) -> Doc:
    return next(f for f in fields(doc) if f["id"] == field_id)


def set_rule(check: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["rules"][0]["check"] = check

    return change


def set_formula(formula: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["indicators"][0]["formula"] = formula

    return change


def set_visible_if(condition: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        field(doc, "part")["visible_if"] = condition

    return change


def set_parts(parts: list[str], total: str) -> Callable[[Doc], None]:
    """The rule as a group of parts of a total."""

    def change(doc: Doc) -> None:
        rule = doc["rules"][0]
        rule.pop("check")
        rule.pop("fields")
        rule.update(parts=parts, total=total)

    return change


def add_field(extra: Doc) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        fields(doc).append(extra)

    return change


def nothing(doc: Doc) -> None:
    return None


def nested(levels: int) -> Any:
    """A value of `levels` arrays one inside the other."""
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


def chain(terms: int) -> str:
    """A rule of `terms` additions in a row, compared: a tree `terms` levels high."""
    return " + ".join(["part"] * terms) + " >= 0"


# code: (a change that stays valid, a change that breaks with this code)
def set_recommendation_dates(dates: dict[str, str]) -> Callable[[Doc], None]:
    """The dates set for the recommendations (Kaluga п. 12, 14), by step."""

    def change(doc: Doc) -> None:
        doc["recommendation_deadlines"] = {
            step: {"date": date, "source": {"clause": "12"}} for step, date in dates.items()
        }

    return change


def add_recommendation(
    indicators: list[str], *, not_calculated: bool = False
) -> Callable[[Doc], None]:
    """A recommendation on `indicators`; with `not_calculated`, the form also declares
    an indicator plan_later that is never computed."""

    def change(doc: Doc) -> None:
        if not_calculated:
            doc["indicators"].append(
                {
                    "id": "plan_later",
                    "title": "План на будущее",
                    "not_calculated": "не рассчитывается",
                    "source": {"clause": "11.1"},
                }
            )
        doc["recommendations"] = [
            {
                "id": "rec_plan",
                "title": "План профориентационной работы",
                "text": "Разработать годовой план работы по профориентации.",
                "indicators": indicators,
                "when": ["below_target", "lowest_quartile"],
                "source": {"clause": "13"},
            }
        ]

    return change


CASES: dict[str, tuple[Callable[[Doc], None], Callable[[Doc], None]]] = {
    "structure": (
        lambda d: d.update(description="Описание"),
        lambda d: d.update(kind="questionnaire"),
    ),
    "duplicate_id": (
        add_field({"id": "comment", "type": "text", "label": "Комментарий"}),
        add_field({"id": "total", "type": "integer", "label": "Повтор"}),
    ),
    "duplicate_option": (
        lambda d: field(d, "level")["options"].append({"value": "city", "label": "Городской"}),
        lambda d: field(d, "level")["options"].append({"value": "school", "label": "Ещё раз"}),
    ),
    "min_above_max": (
        lambda d: field(d, "total").update(min=0, max=10),
        lambda d: field(d, "total").update(min=10, max=1),
    ),
    "missing_key": (
        nothing,
        lambda d: field(d, "level").pop("options"),
    ),
    "expression_syntax": (
        set_rule("(part <= total)"),
        set_rule("part <= total)"),
    ),
    "expression_too_long": (
        set_rule(chain(49)),
        set_rule(" + ".join(["part"] * 251)),
    ),
    "expression_too_deep": (
        set_rule(chain(49)),
        set_rule(chain(50)),
    ),
    "json_too_deep": (
        lambda d: d.update(description="Описание"),
        lambda d: d.update(description=nested(70)),
    ),
    "control_character": (
        lambda d: d.update(description="Строка\tс табуляцией\nи переводом строки"),
        lambda d: d.update(description="Нулевой\x00байт"),
    ),
    "unknown_reference": (
        set_rule("part + people.pupils.count >= 0"),
        set_rule("part <= totl"),
    ),
    "unknown_function": (
        set_rule("max(part, total) >= 0"),
        set_rule("median(part) >= 0"),
    ),
    "function_not_allowed": (
        set_formula("mean(total)"),
        set_rule("share(has_plan) > 50"),
    ),
    "function_arity": (
        set_rule('selected(topics, "it") or has_plan'),
        set_rule("selected(topics) or has_plan"),
    ),
    "type_mismatch": (
        set_rule("has_plan and total > 0"),
        set_rule("has_plan + total > 0"),
    ),
    "unknown_option": (
        set_visible_if('level = "region"'),
        set_visible_if('level = "federal"'),
    ),
    "unknown_figure": (
        set_formula('sum(total) / figure("pupils", 6, 9) * 100'),
        set_formula('sum(total) / figure("pupils_total") * 100'),
    ),
    "unknown_field": (
        lambda d: d["rules"][0].update(fields=["part", "total"]),
        lambda d: d["rules"][0].update(fields=["parts"]),
    ),
    "repeated_part": (
        set_parts(["part", "people.pupils.count"], "total"),
        set_parts(["part", "part"], "total"),
    ),
    "hidden_value_unfit": (
        lambda d: field(d, "part").update(visible_if="total > 0", hidden_value=0),
        lambda d: field(d, "part").update(hidden_value=0),  # never hidden
    ),
    "not_a_condition": (
        set_visible_if("total > 0"),
        set_visible_if("total + 1"),
    ),
    "not_a_category": (
        lambda d: d["respondents"].update(category_field="level"),  # a single choice
        lambda d: d["respondents"].update(category_field="total"),  # a number
    ),
    "reported_with_itself": (
        lambda d: d["respondents"].update(reported_with="companion-survey"),
        lambda d: d["respondents"].update(reported_with=d["id"]),
    ),
    "duplicate_header": (
        lambda d: d.update(imports=[ege_import("Сдали")]),
        lambda d: d.update(imports=[ege_import("Предмет")]),
    ),
    "unknown_school_type": (
        set_formula('count_if(has_plan and school_type("adaptive", "boarding"))'),
        set_formula('count_if(has_plan and school_type("adaptive", "internat"))'),
    ),
    "unknown_indicator": (
        add_recommendation(["share_plan"]),
        add_recommendation(["share_plan", "plan_count"]),
    ),
    "indicator_not_computed": (
        add_recommendation(["share_plan"], not_calculated=False),
        add_recommendation(["share_plan", "plan_later"], not_calculated=True),
    ),
    "no_such_day": (
        set_recommendation_dates({"prepared": "02-28"}),
        set_recommendation_dates({"prepared": "02-29"}),
    ),
    "sent_before_prepared": (
        set_recommendation_dates({"prepared": "08-01", "sent": "08-15"}),
        set_recommendation_dates({"prepared": "08-15", "sent": "08-01"}),
    ),
    "not_a_unit_expression": (
        set_formula('sum(total) / sum_units(figure("pupils", 6, 9), teaches(6, 9)) * 100'),
        set_formula('sum(total) / sum_units(figure("pupils", 6, 9), has_plan) * 100'),
    ),
}


def ege_import(passed_header: str) -> Doc:
    """An imported table whose second column is read from `passed_header`."""
    return {
        "id": "ege",
        "title": "Результаты ЕГЭ",
        "match": {"column": "Код ОО"},
        "columns": [
            {"id": "subject", "header": "Предмет", "type": "text", "label": "Предмет"},
            {"id": "passed", "header": passed_header, "type": "integer", "label": "Сдали"},
        ],
    }


def document(code: str, which: str) -> Doc:
    doc = copy.deepcopy(base())
    ok, error = CASES[code]
    (ok if which == "ok" else error)(doc)
    return doc
