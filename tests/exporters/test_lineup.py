"""Several versions of one form lined up as one list of fields: the newest version's
order, then fields only older versions had; the newest definition; a choice keeping the
options older versions offered, so that an old answer still finds its label and column."""

from __future__ import annotations

from typing import Any

import pytest

from collector.exporters.flatten import columns_for, row_for
from collector.exporters.lineup import lined_up_fields
from collector.schema import compile_document
from collector.schema.spec import FieldSpec, FormSpec

Doc = dict[str, Any]


def form(version: int, fields: list[Doc], form_id: str = "lineup-form") -> FormSpec:
    return compile_document(
        {
            "id": form_id,
            "version": version,
            "title": "Форма",
            "kind": "unit_report",
            "respondents": {"unit_types": ["school"]},
            "source": {"document": "Приказ № 1"},
            "sections": [{"id": "main", "title": "Основное", "fields": fields}],
        }
    ).spec


def choice(field_id: str, field_type: str, label: str, options: list[tuple[str, str]]) -> Doc:
    return {
        "id": field_id,
        "type": field_type,
        "label": label,
        "options": [{"value": value, "label": text} for value, text in options],
    }


def first() -> FormSpec:
    return form(
        1,
        [
            {"id": "total", "type": "integer", "label": "Всего"},
            choice(
                "level",
                "single_choice",
                "Уровень",
                [("school", "Школьный"), ("region", "Региональный")],
            ),
            choice("topics", "multiple_choice", "Темы", [("it", "ИТ"), ("med", "Медицина")]),
            {"id": "old_note", "type": "text", "label": "Примечание"},
        ],
    )


def second() -> FormSpec:
    return form(
        2,
        [
            choice(
                "level",
                "single_choice",
                "Уровень участия",
                [("school", "Школьный уровень"), ("city", "Городской")],
            ),
            {"id": "total", "type": "integer", "label": "Всего организаций"},
            choice("topics", "multiple_choice", "Темы", [("it", "ИТ"), ("art", "Искусство")]),
            {"id": "has_plan", "type": "yes_no", "label": "Есть план"},
        ],
    )


def options(field: FieldSpec) -> list[tuple[str, str]]:
    return [(o.value, o.label.ru) for o in field.options]


def by_id(fields: list[FieldSpec]) -> dict[str, FieldSpec]:
    return {f.id: f for f in fields}


def test_newest_order_then_fields_only_older_versions_had():
    fields = lined_up_fields([first(), second()])  # oldest first: sorted by version
    assert [f.id for f in fields] == ["level", "total", "topics", "has_plan", "old_note"]
    assert [f.id for f in lined_up_fields([second(), first()])] == [f.id for f in fields]


def test_the_newest_definition_and_label_win():
    fields = by_id(lined_up_fields([first(), second()]))
    assert fields["total"] == second().field("total")
    assert fields["total"].label.ru == "Всего организаций"
    assert fields["level"].label.ru == "Уровень участия"
    assert fields["old_note"] == first().field("old_note")


def test_a_removed_option_is_appended_after_the_newest_options():
    fields = by_id(lined_up_fields([first(), second()]))
    assert options(fields["level"]) == [
        ("school", "Школьный уровень"),
        ("city", "Городской"),
        ("region", "Региональный"),
    ]
    assert options(fields["topics"]) == [("it", "ИТ"), ("art", "Искусство"), ("med", "Медицина")]


def test_an_unchanged_field_is_the_newest_object_itself():
    newest = second()
    fields = by_id(lined_up_fields([first(), newest]))
    assert fields["has_plan"] is newest.field("has_plan")


def test_a_single_version_is_its_own_fields():
    spec = second()
    assert lined_up_fields([spec]) == spec.fields
    assert lined_up_fields([]) == []


def test_columns_read_an_old_answer_with_a_removed_code_and_a_new_answer():
    columns = columns_for(lined_up_fields([second(), first()]), "ru")
    assert [(c.column.title, c.column.kind) for c in columns] == [
        ("Уровень участия", "text"),
        ("Всего организаций", "integer"),
        ("Темы: ИТ", "bool"),
        ("Темы: Искусство", "bool"),
        ("Темы: Медицина", "bool"),
        ("Есть план", "bool"),
        ("Примечание", "text"),
    ]
    old = {"total": 5, "level": "region", "topics": ["med"], "old_note": "по старой форме"}
    new = {"total": 3, "level": "city", "topics": ["art", "it"], "has_plan": True}
    assert row_for(columns, old) == [
        "Региональный",
        5,
        False,
        False,
        True,
        None,
        "по старой форме",
    ]
    assert row_for(columns, new) == ["Городской", 3, True, True, False, True, None]


def test_without_lining_up_the_old_answer_loses_its_label_and_column():
    columns = columns_for(second().fields, "ru")
    old = {"total": 5, "level": "region", "topics": ["med"], "old_note": "по старой форме"}
    # The newest version alone shows the bare code and has no column for "med".
    assert row_for(columns, old) == ["region", 5, False, False, None]


def test_three_versions_newest_first_for_fields_and_options():
    v1 = form(
        1,
        [
            {"id": "x", "type": "integer", "label": "Икс 1"},
            {"id": "z", "type": "text", "label": "Зет 1"},
            {"id": "y", "type": "text", "label": "Игрек 1"},
            choice("mark", "rating", "Оценка 1", [("1", "Плохо"), ("3", "Хорошо")]),
        ],
    )
    v2 = form(
        2,
        [
            {"id": "x", "type": "integer", "label": "Икс 2"},
            {"id": "y", "type": "text", "label": "Игрек 2"},
            choice("mark", "rating", "Оценка 2", [("1", "Плохо (2)"), ("2", "Средне")]),
        ],
    )
    v3 = form(
        3,
        [
            {"id": "x", "type": "integer", "label": "Икс 3"},
            choice("mark", "rating", "Оценка 3", [("1", "Плохо (3)")]),
        ],
    )
    fields = lined_up_fields([v2, v1, v3])
    assert [(f.id, f.label.ru) for f in fields] == [
        ("x", "Икс 3"),
        ("mark", "Оценка 3"),
        ("y", "Игрек 2"),
        ("z", "Зет 1"),
    ]
    assert options(fields[1]) == [("1", "Плохо (3)"), ("2", "Средне"), ("3", "Хорошо")]


def test_a_rating_on_a_scale_gets_no_options():
    v1 = form(1, [choice("mark", "rating", "Оценка", [("1", "Плохо")])])
    scale = {"id": "mark", "type": "rating", "label": "Оценка", "scale": {"min": 1, "max": 5}}
    v2 = form(2, [scale])
    [mark] = lined_up_fields([v1, v2])
    assert mark == v2.field("mark")
    assert mark.options == ()


def test_versions_of_different_forms_are_refused():
    with pytest.raises(ValueError):
        lined_up_fields([first(), form(2, [{"id": "a", "type": "text", "label": "А"}], "other")])


def test_a_grid_keeps_the_rows_and_columns_older_versions_asked():
    def grid(rows: list[tuple[str, str]], columns: list[tuple[str, str]]) -> Doc:
        return {
            "id": "people",
            "type": "grid",
            "label": "Участники",
            "rows": [{"id": i, "label": text} for i, text in rows],
            "columns": [{"id": i, "type": "integer", "label": text} for i, text in columns],
        }

    old = form(1, [grid([("pupils", "Обучающиеся"), ("parents", "Родители")], [("n", "Чел.")])])
    new = form(
        2,
        [grid([("pupils", "Ученики")], [("n", "Человек"), ("events", "Мероприятий")])],
    )
    columns = columns_for(lined_up_fields([old, new]), "ru")
    # Newest labels, then the row version 2 dropped: the parents' count is not lost.
    assert [c.column.title for c in columns] == [
        "Участники: Ученики, Человек",
        "Участники: Ученики, Мероприятий",
        "Участники: Родители, Человек",
        "Участники: Родители, Мероприятий",
    ]
    answers = {"people": {"pupils": {"n": 30}, "parents": {"n": 12}}}
    assert row_for(columns, answers) == [30, None, 12, None]
