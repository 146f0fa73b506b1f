"""Two versions of one form compared by stable ids: every kind of change, its readable old
and new values, its warning where answers already collected are orphaned or change
meaning, and the order the changes come in. Every document is compiled first, so each
pair is two valid versions."""

from __future__ import annotations

import copy
from typing import Any

from collector.schema import compile_document
from collector.schema.diff import (
    KINDS,
    WARNINGS,
    Change,
    answers_touched,
    diff_documents,
    option_codes,
    published_ids,
    warnings,
)

Doc = dict[str, Any]


def base() -> Doc:
    return {
        "id": "diff-form",
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
                    {"id": "total", "type": "integer", "label": "Всего", "min": 0},
                    {
                        "id": "part",
                        "type": "integer",
                        "label": "Из них",
                        "min": 0,
                        "visible_if": "total > 0",
                    },
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
                            {
                                "id": "owner",
                                "type": "single_choice",
                                "label": "Форма собственности",
                                "options": [
                                    {"value": "state", "label": "Государственная"},
                                    {"value": "private", "label": "Частная"},
                                ],
                            },
                            {"id": "pupils", "type": "integer", "label": "Обучающихся"},
                        ],
                    },
                ],
            },
            {
                "id": "extra",
                "title": "Дополнительно",
                "fields": [
                    {"id": "has_plan", "type": "yes_no", "label": "Есть план"},
                    {"id": "comment", "type": "text", "label": "Комментарий"},
                ],
            },
        ],
        "rules": [
            {
                "id": "part_le_total",
                "check": "part <= total",
                "message": "Часть больше целого",
                "fields": ["part"],
            },
            {"id": "total_known", "check": "total >= 0", "message": "Нет итога"},
        ],
        "indicators": [
            {
                "id": "share_plan",
                "title": "Доля школ с планом",
                "unit": "%",
                "formula": "share(has_plan)",
                "targets": {"2024": 50, "2025": 60},
                "source": {"clause": "11.1"},
            },
            {
                "id": "pupils_total",
                "title": "Обучающихся по соглашениям",
                "formula": "sum(deals.pupils)",
                "source": {"clause": "11.2"},
            },
        ],
    }


def field(doc: Doc, field_id: str) -> Doc:
    return next(f for s in doc["sections"] for f in s["fields"] if f["id"] == field_id)


def section(doc: Doc, section_id: str) -> Doc:
    return next(s for s in doc["sections"] if s["id"] == section_id)


def rule(doc: Doc, rule_id: str) -> Doc:
    return next(r for r in doc["rules"] if r["id"] == rule_id)


def indicator(doc: Doc, indicator_id: str) -> Doc:
    return next(i for i in doc["indicators"] if i["id"] == indicator_id)


def diff(before: Doc, after: Doc) -> list[Change]:
    compile_document(before)
    compile_document(after)
    return diff_documents(before, after)


def kinds(changes: list[Change]) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.kind, c.path, c.before, c.after) for c in changes]


def test_an_unchanged_document_gives_no_changes():
    assert diff(base(), base()) == []


def test_spacing_and_parentheses_in_expressions_are_no_change():
    after = base()
    field(after, "part")["visible_if"] = "(total>0)"
    rule(after, "part_le_total")["check"] = "part<=total"
    indicator(after, "share_plan")["formula"] = "share( has_plan )"
    assert diff(base(), after) == []


def test_reordering_fields_within_a_section_is_no_change():
    after = base()
    section(after, "main")["fields"].reverse()
    assert diff(base(), after) == []


def test_identity():
    after = base()
    after["title"] = {"ru": "Проверочная форма, ред. 2", "en": "Test form"}
    after["kind"] = "survey"
    after["respondents"]["unit_types"] = ["school", "college"]
    after["source"]["clause"] = "п. 12"
    assert kinds(diff(base(), after)) == [
        ("identity_changed", "title", "Проверочная форма", "Проверочная форма, ред. 2"),
        ("identity_changed", "kind", "unit_report", "survey"),
        (
            "identity_changed",
            "respondents",
            '{"roles": ["school_respondent"], "unit_types": ["school"]}',
            '{"roles": ["school_respondent"], "unit_types": ["school", "college"]}',
        ),
        (
            "identity_changed",
            "source",
            '{"clause": "п. 11", "document": "Приказ № 1829"}',
            '{"clause": "п. 12", "document": "Приказ № 1829"}',
        ),
    ]


def test_a_change_of_only_the_english_text_shows_both_texts():
    after = base()
    field(after, "total")["label"] = {"ru": "Всего", "en": "Total"}
    option = field(after, "level")["options"][0]
    option["label"] = {"ru": "Школьный", "en": "School"}
    assert kinds(diff(base(), after)) == [
        ("field_renamed", "total", "Всего", "Всего / Total"),
        ("option_relabelled", "level.school", "Школьный", "Школьный / School"),
    ]


def test_fields():
    after = base()
    field(after, "total")["label"] = "Всего организаций"
    field(after, "part")["type"] = "decimal"
    field(after, "part")["visible_if"] = "total > 1"
    section(after, "main")["fields"].append({"id": "note", "type": "long_text", "label": "Итог"})
    extra = section(after, "extra")
    extra["fields"] = [f for f in extra["fields"] if f["id"] != "comment"]
    assert kinds(diff(base(), after)) == [
        ("field_renamed", "total", "Всего", "Всего организаций"),
        ("field_retyped", "part", "integer", "decimal"),
        ("visibility_changed", "part", "total > 0", "total > 1"),
        ("field_added", "note", None, "Итог"),
        ("field_removed", "comment", "Комментарий", None),
    ]


def test_a_condition_added_or_dropped_is_a_visibility_change():
    after = base()
    field(after, "total")["visible_if"] = "has_plan"
    del field(after, "part")["visible_if"]
    assert kinds(diff(base(), after)) == [
        ("visibility_changed", "total", None, "has_plan"),
        ("visibility_changed", "part", "total > 0", None),
    ]


def test_sections_and_a_field_moved_between_them():
    before = base()
    after = base()
    has_plan = field(after, "has_plan")
    after["sections"] = [
        section(after, "main"),
        {"id": "plans", "title": "Планы", "fields": [has_plan]},
    ]
    assert kinds(diff(before, after)) == [
        ("section_added", "plans", None, "Планы"),
        ("field_moved", "has_plan", "extra", "plans"),
        ("section_removed", "extra", "Дополнительно", None),
        ("field_removed", "comment", "Комментарий", None),
    ]


def test_options():
    after = base()
    field(after, "level")["options"] = [
        {"value": "city", "label": "Городской"},
        {"value": "school", "label": "Школьный уровень"},
    ]
    field(after, "topics")["options"].append({"value": "art", "label": "Искусство"})
    assert kinds(diff(base(), after)) == [
        ("option_added", "level.city", None, "Городской"),
        ("option_relabelled", "level.school", "Школьный", "Школьный уровень"),
        ("option_removed", "level.region", "Региональный", None),
        ("option_added", "topics.art", None, "Искусство"),
    ]


def test_grid_rows_and_columns():
    after = base()
    people = field(after, "people")
    people["rows"] = [
        {"id": "pupils", "label": "Обучающиеся"},
        {"id": "teachers", "label": "Учителя"},
    ]
    people["columns"] = [
        {"id": "count", "type": "decimal", "label": "Чел."},
        {"id": "share", "type": "percent", "label": "Доля"},
    ]
    assert kinds(diff(base(), after)) == [
        ("row_added", "people.teachers", None, "Учителя"),
        ("row_removed", "people.parents", "Родители", None),
        ("column_retyped", "people.count", "integer", "decimal"),
        ("column_added", "people.share", None, "Доля"),
    ]


def test_table_columns_and_their_options():
    after = base()
    deals = field(after, "deals")
    deals["columns"] = [
        {
            "id": "owner",
            "type": "single_choice",
            "label": "Форма собственности",
            "options": [
                {"value": "state", "label": "Государственная"},
                {"value": "mixed", "label": "Смешанная"},
            ],
        },
        {"id": "pupils", "type": "integer", "label": "Обучающихся"},
    ]
    assert kinds(diff(base(), after)) == [
        ("option_added", "deals.owner.mixed", None, "Смешанная"),
        ("option_removed", "deals.owner.private", "Частная", None),
        ("column_removed", "deals.partner", "Партнёр", None),
    ]


def test_rules():
    after = base()
    rule(after, "part_le_total")["check"] = "part < total"
    rule(after, "part_le_total")["message"] = "Другое сообщение"  # not a change of the check
    after["rules"] = [
        {"id": "total_small", "check": "total <= 100000", "message": "Слишком много"},
        rule(after, "part_le_total"),
    ]
    assert kinds(diff(base(), after)) == [
        ("rule_added", "total_small", None, "total <= 100000"),
        ("rule_changed", "part_le_total", "part <= total", "part < total"),
        ("rule_removed", "total_known", "total >= 0", None),
    ]


def test_indicators():
    after = base()
    share_plan = indicator(after, "share_plan")
    share_plan["formula"] = "count_if(has_plan)"
    share_plan["targets"] = {"2024": 50, "2025": 70}
    after["indicators"] = [
        share_plan,
        {
            "id": "mean_total",
            "title": "Среднее число организаций",
            "formula": "mean(total)",
            "source": {"clause": "11.3"},
        },
    ]
    assert kinds(diff(base(), after)) == [
        ("formula_changed", "share_plan", "share(has_plan)", "count_if(has_plan)"),
        ("target_changed", "share_plan", "2024: 50, 2025: 60", "2024: 50, 2025: 70"),
        ("indicator_added", "mean_total", None, "Среднее число организаций"),
        ("indicator_removed", "pupils_total", "Обучающихся по соглашениям", None),
    ]


def test_targets_set_and_dropped():
    after = base()
    del indicator(after, "share_plan")["targets"]
    indicator(after, "pupils_total")["targets"] = {"2026": 1000}
    assert kinds(diff(base(), after)) == [
        ("target_changed", "share_plan", "2024: 50, 2025: 60", None),
        ("target_changed", "pupils_total", None, "2026: 1000"),
    ]


def everything_changed() -> Doc:
    """A second version touching every kind of change at once."""
    after = base()
    after["title"] = {"ru": "Проверочная форма, ред. 2", "en": "Test form, 2"}
    main = section(after, "main")
    field(after, "total")["label"] = "Всего организаций"
    part = field(after, "part")
    part["type"] = "decimal"
    part["visible_if"] = "total > 1"
    field(after, "level")["options"] = [
        {"value": "school", "label": "Школьный уровень"},
        {"value": "city", "label": "Городской"},
    ]
    people = field(after, "people")
    people["rows"] = [{"id": "pupils", "label": "Обучающиеся"}, {"id": "staff", "label": "Штат"}]
    people["columns"] = [
        {"id": "count", "type": "decimal", "label": "Чел."},
        {"id": "share", "type": "percent", "label": "Доля"},
    ]
    deals = field(after, "deals")
    deals["columns"] = [c for c in deals["columns"] if c["id"] != "partner"]
    main["fields"].append({"id": "note", "type": "long_text", "label": "Итог"})
    after["sections"] = [
        main,
        {"id": "plans", "title": "Планы", "fields": [field(after, "has_plan")]},
    ]
    after["rules"] = [
        {"id": "part_le_total", "check": "part < total", "message": "Часть больше целого"},
        {"id": "total_small", "check": "total <= 100000", "message": "Слишком много"},
    ]
    after["indicators"] = [
        {
            "id": "share_plan",
            "title": "Доля школ с планом",
            "formula": "count_if(has_plan)",
            "targets": {"2024": 55},
            "source": {"clause": "11.1"},
        },
        {
            "id": "mean_total",
            "title": "Среднее",
            "formula": "mean(total)",
            "source": {"clause": "11.3"},
        },
    ]
    return after


def test_every_change_in_document_order():
    assert kinds(diff(base(), everything_changed())) == [
        ("identity_changed", "title", "Проверочная форма", "Проверочная форма, ред. 2"),
        ("field_renamed", "total", "Всего", "Всего организаций"),
        ("field_retyped", "part", "integer", "decimal"),
        ("visibility_changed", "part", "total > 0", "total > 1"),
        ("option_relabelled", "level.school", "Школьный", "Школьный уровень"),
        ("option_added", "level.city", None, "Городской"),
        ("option_removed", "level.region", "Региональный", None),
        ("row_added", "people.staff", None, "Штат"),
        ("row_removed", "people.parents", "Родители", None),
        ("column_retyped", "people.count", "integer", "decimal"),
        ("column_added", "people.share", None, "Доля"),
        ("column_removed", "deals.partner", "Партнёр", None),
        ("field_added", "note", None, "Итог"),
        ("section_added", "plans", None, "Планы"),
        ("field_moved", "has_plan", "extra", "plans"),
        ("section_removed", "extra", "Дополнительно", None),
        ("field_removed", "comment", "Комментарий", None),
        ("rule_changed", "part_le_total", "part <= total", "part < total"),
        ("rule_added", "total_small", None, "total <= 100000"),
        ("rule_removed", "total_known", "total >= 0", None),
        ("formula_changed", "share_plan", "share(has_plan)", "count_if(has_plan)"),
        ("target_changed", "share_plan", "2024: 50, 2025: 60", "2024: 55"),
        ("indicator_added", "mean_total", None, "Среднее"),
        ("indicator_removed", "pupils_total", "Обучающихся по соглашениям", None),
    ]


def with_cycle() -> Doc:
    """The base form with two recommendations and two kinds of measures (Kaluga п. 13)."""
    doc = base()
    doc["recommendations"] = [
        {
            "id": "rec_plan",
            "title": "План профориентации",
            "text": "Утвердить план профориентационной работы.",
            "indicators": ["share_plan"],
            "when": ["below_target"],
            "source": {"clause": "13"},
        },
        {
            "id": "rec_deals",
            "title": "Соглашения с предприятиями",
            "text": "Заключить соглашения с предприятиями.",
            "indicators": ["pupils_total"],
            "when": ["lowest_quartile"],
            "source": {"clause": "13"},
        },
    ]
    doc["measure_kinds"] = [
        {"value": "training", "label": "Повышение квалификации"},
        {"value": "meetings", "label": "Совещания"},
    ]
    doc["recommendation_deadlines"] = {"prepared": {"date": "08-01", "source": {"clause": "12"}}}
    return doc


def cycle_changed() -> Doc:
    after = with_cycle()
    plan = after["recommendations"][0]
    plan["text"] = "Утвердить и исполнять план профориентационной работы."
    plan["when"] = ["below_target", "worse_than_last"]
    plan["indicators"] = ["share_plan", "pupils_total"]
    after["recommendations"] = [
        plan,
        {
            "id": "rec_trials",
            "title": "Профессиональные пробы",
            "text": "Расширить пробы.",
            "indicators": ["share_plan"],
            "when": ["worse_than_last"],
            "source": {"clause": "13"},
        },
    ]
    after["measure_kinds"] = [
        {"value": "training", "label": "Курсы повышения квалификации"},
        {"value": "orders", "label": "Приказы"},
    ]
    after["recommendation_deadlines"] = {
        "prepared": {"date": "07-25", "source": {"clause": "12"}},
        "sent": {"date": "08-15", "source": {"clause": "14"}},
    }
    return after


def test_recommendations_and_kinds_of_measures():
    assert kinds(diff(with_cycle(), cycle_changed())) == [
        (
            "recommendation_changed",
            "rec_plan.text",
            "Утвердить план профориентационной работы.",
            "Утвердить и исполнять план профориентационной работы.",
        ),
        ("recommendation_changed", "rec_plan.indicators", "share_plan", "share_plan, pupils_total"),
        (
            "recommendation_changed",
            "rec_plan.when",
            "below_target",
            "below_target, worse_than_last",
        ),
        ("recommendation_added", "rec_trials", None, "Профессиональные пробы"),
        ("recommendation_removed", "rec_deals", "Соглашения с предприятиями", None),
        ("recommendation_date_changed", "recommendation_deadlines.prepared", "08-01", "07-25"),
        ("recommendation_date_changed", "recommendation_deadlines.sent", None, "08-15"),
        (
            "measure_kind_relabelled",
            "measure_kinds.training",
            "Повышение квалификации",
            "Курсы повышения квалификации",
        ),
        ("measure_kind_added", "measure_kinds.orders", None, "Приказы"),
        ("measure_kind_removed", "measure_kinds.meetings", "Совещания", None),
    ]
    # Nothing collected is orphaned: a sent recommendation keeps its own text, a recorded
    # measure its code, read with its campaign's version.
    assert warnings(diff(with_cycle(), cycle_changed())) == []
    # Declared for the first time, and dropped altogether.
    assert [c.kind for c in diff(base(), with_cycle())] == [
        "recommendation_added",
        "recommendation_added",
        "recommendation_date_changed",
        "measure_kind_added",
        "measure_kind_added",
    ]
    assert [c.path for c in diff(with_cycle(), base())] == [
        "rec_plan",
        "rec_deals",
        "recommendation_deadlines.prepared",
        "measure_kinds.training",
        "measure_kinds.meetings",
    ]


def test_every_kind_is_covered():
    changes = diff(base(), everything_changed())
    more = diff(base(), base() | {"kind": "survey"})
    cycle = diff(with_cycle(), cycle_changed())
    assert {c.kind for c in changes + more + cycle} == set(KINDS)


WARNED = {
    "field_removed",
    "field_retyped",
    "option_removed",
    "column_retyped",
    "row_removed",
    "column_removed",
    "formula_changed",
}


def test_warnings_exactly_where_answers_are_orphaned_or_change_meaning():
    changes = diff(base(), everything_changed())
    assert set(WARNINGS) == WARNED
    for c in changes:
        assert c.warning == (WARNINGS[c.kind] if c.kind in WARNED else None), c
    assert [(c.kind, c.path) for c in warnings(changes)] == [
        ("field_retyped", "part"),
        ("option_removed", "level.region"),
        ("row_removed", "people.parents"),
        ("column_retyped", "people.count"),
        ("column_removed", "deals.partner"),
        ("field_removed", "comment"),
        ("formula_changed", "share_plan"),
    ]
    assert WARNINGS["option_removed"] == (
        "Answers already collected with this option code are orphaned: "
        "no option of the new version shows them."
    )


def test_a_removed_column_option_is_warned_like_a_field_option():
    after = base()
    owner = field(after, "deals")["columns"][1]
    owner["options"] = owner["options"][:1]
    [removed] = diff(base(), after)
    assert (removed.kind, removed.path, removed.warning) == (
        "option_removed",
        "deals.owner.private",
        WARNINGS["option_removed"],
    )


def test_published_ids():
    assert published_ids(base()) == {
        "total",
        "part",
        "level",
        "topics",
        "people",
        "deals",
        "has_plan",
        "comment",
    }


def test_option_codes_include_table_and_grid_columns():
    assert option_codes(base()) == {
        "level": {"school", "region"},
        "topics": {"it", "med"},
        "deals.owner": {"state", "private"},
    }


def test_diff_does_not_change_its_documents():
    before, after = base(), everything_changed()
    kept = copy.deepcopy((before, after))
    diff_documents(before, after)
    assert (before, after) == kept


def test_answers_touched_counts_the_responses_holding_what_a_change_orphans() -> None:
    before = {
        "id": "f",
        "version": 1,
        "title": "Ф",
        "kind": "unit_report",
        "respondents": {"unit_types": ["school"]},
        "source": {},
        "sections": [
            {
                "id": "s",
                "title": "Р",
                "fields": [
                    {
                        "id": "forms",
                        "type": "multiple_choice",
                        "label": "Формы",
                        "options": [{"value": "a", "label": "А"}, {"value": "b", "label": "Б"}],
                    },
                    {"id": "count", "type": "integer", "label": "Число"},
                    {"id": "kept", "type": "integer", "label": "Осталось"},
                ],
            }
        ],
    }
    after = copy.deepcopy(before)
    fields = after["sections"][0]["fields"]
    fields[0]["options"] = fields[0]["options"][:1]  # "b" removed
    del fields[1]  # "count" removed
    changes = diff_documents(before, after)
    responses = [
        {"forms": ["a", "b"], "count": 3},
        {"forms": ["b"], "kept": 1},
        {"forms": ["a"], "count": None},
        {},
    ]
    touched = answers_touched(changes, responses)
    by_path = {change.path: n for change, n in touched.items()}
    # "b" is held by the first two responses; "count" answered by the first only.
    assert by_path == {"forms.b": 2, "count": 1}


def test_a_changed_not_applicable_rule_changes_the_indicator_meaning() -> None:
    before = base()
    before["indicators"][0]["not_applicable_if"] = "total = 0"
    after = copy.deepcopy(before)
    after["indicators"][0]["not_applicable_if"] = "total < 2"
    compile_document(before), compile_document(after)
    indicator = before["indicators"][0]["id"]
    assert diff_documents(before, after) == [
        Change(
            "formula_changed",
            f"{indicator}.not_applicable_if",
            "total = 0",
            "total < 2",
            WARNINGS["formula_changed"],
        )
    ]


def test_the_spec_reads_the_dates_set_for_the_recommendations():
    compiled = compile_document(cycle_changed()).spec
    assert [
        (d.step, d.month, d.day, d.source.clause) for d in compiled.recommendation_deadlines
    ] == [
        ("prepared", 7, 25, "12"),
        ("sent", 8, 15, "14"),
    ]
