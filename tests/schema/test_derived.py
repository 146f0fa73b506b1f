"""Totals and remainders shown beside the fields (collector.schema.derived), worked out by
hand: a grid's column and row totals, a table's column sum, what is left of a group's
total after its parts; unknown where a number they need is missing; the answers of hidden
questions are not read. The browser's script works out the same trees
(tests/schema/test_browser_evaluator.py: test_forms_show_and_check_alike)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from collector.schema import compile_document, compile_text
from collector.schema.derived import derived_values, lines
from collector.schema.live import live_form

ROOT = Path(__file__).resolve().parents[2]
KALUGA = compile_text((ROOT / "form_schemas" / "kaluga-1829-school.json").read_bytes()).spec


def russian(message: str, **values: Any) -> str:
    """The two messages in Russian, as the catalogue has them."""
    texts = {
        "Total (%(name)s): %(value)s": "Всего (%(name)s): %(value)s",
        "Left: %(left)s of %(total)s": "Осталось %(left)s из %(total)s",
    }
    return texts[message] % values


def test_the_kaluga_report_s_totals_and_what_is_left() -> None:
    answers = {
        "media_total": 3,
        "media_district": 2,
        "experience_events": {"school": {"count": 2}, "regional": {"count": 5}},
        "has_labour_associations": True,
        "labour_associations": [{"direction": "Столярное дело", "count": 2}, {"count": 3}],
    }
    found = derived_values(KALUGA, answers)
    # 3 − (2 + nothing) = 1; 2 + 5 = 7 (the municipal row empty); 2 + 3 = 5.
    assert found["rule.media_parts_within_total"] == {"left": Decimal(1), "total": Decimal(3)}
    assert found["experience_events.count"] == {"value": Decimal(7)}
    assert found["labour_associations.count"] == {"value": Decimal(5)}
    # Nothing answered in the grid: no total (not 0).
    assert found["teachers_in_support_events.count"] is None

    shown = lines(KALUGA, answers, "ru", russian)
    [left] = shown["media_regional"]  # after the group's last part, beside its message
    assert left.text == "Осталось 1 из 3"
    assert left.template == "Осталось {left} из {total}"
    [grid] = shown["experience_events"]
    assert grid.text == "Всего (Количество, ед.): 7"
    assert grid.template == "Всего (Количество, ед.): {value}"


def test_unknown_and_hidden_answers_are_not_read() -> None:
    # No total: nothing is left of it (unknown), whatever the parts.
    assert derived_values(KALUGA, {"media_district": 2})["rule.media_parts_within_total"] is None
    # «нет»: the table is hidden, its stored rows are not counted.
    hidden = {"has_labour_associations": False, "labour_associations": [{"count": 4}]}
    assert derived_values(KALUGA, hidden)["labour_associations.count"] is None
    # A total of 0 hides its parts, which read as their hidden value 0: 0 − 0 = 0.
    zero = derived_values(KALUGA, {"media_total": 0, "media_district": 5})
    assert zero["rule.media_parts_within_total"] == {"left": Decimal(0), "total": Decimal(0)}
    # Parts above their total: the remainder is negative (the rule's message says why).
    over = derived_values(KALUGA, {"media_total": 3, "media_district": 2, "media_regional": 2})
    assert over["rule.media_parts_within_total"] == {"left": Decimal(-1), "total": Decimal(3)}


DOCUMENT: dict[str, Any] = {
    "id": "derived-grid",
    "version": 1,
    "title": "Итоги",
    "kind": "unit_report",
    "respondents": {"unit_types": ["school"]},
    "source": {"document": "Тест"},
    "sections": [
        {
            "id": "main",
            "title": "Основное",
            "fields": [
                {
                    "id": "hours",
                    "type": "grid",
                    "label": "Часы",
                    "rows": [
                        {"id": "autumn", "label": "Осень"},
                        {"id": "spring", "label": "Весна"},
                    ],
                    "columns": [
                        {"id": "lessons", "type": "integer", "label": "Уроки"},
                        {"id": "trips", "type": "decimal", "label": "Выезды"},
                    ],
                },
                {
                    "id": "deals",
                    "type": "table",
                    "label": "Соглашения",
                    "columns": [
                        {"id": "partner", "type": "text", "label": "Партнёр"},
                        {"id": "amount", "type": "decimal", "label": "Сумма"},
                    ],
                },
            ],
        }
    ],
}


def test_a_grid_with_two_number_columns_totals_rows_and_columns() -> None:
    spec = compile_document(DOCUMENT).spec
    answers = {
        "hours": {"autumn": {"lessons": 4, "trips": "1.5"}, "spring": {"lessons": 6}},
        "deals": [{"partner": "Завод", "amount": "0.25"}, {"amount": "2"}],
    }
    found = derived_values(spec, answers)
    assert found == {
        "hours.lessons": {"value": Decimal(10)},  # 4 + 6
        "hours.trips": {"value": Decimal("1.5")},  # spring's trips empty
        "hours.autumn": {"value": Decimal("5.5")},  # 4 + 1.5
        "hours.spring": {"value": Decimal(6)},
        "deals.amount": {"value": Decimal("2.25")},  # 0.25 + 2
    }
    shown = {line.key: line.text for line in lines(spec, answers, "ru", russian)["hours"]}
    assert shown["hours.autumn"] == "Всего (Осень): 5,5"  # a decimal comma in Russian
    english = lines(spec, answers, "en", lambda message, **values: message % values)
    assert english["deals"][0].text == "Total (Сумма): 2.25"


def test_the_page_block_carries_the_trees() -> None:
    block = live_form(KALUGA, "ru")
    [left] = [d for d in block["derived"] if d["key"] == "rule.media_parts_within_total"]
    assert left["field"] == "media_regional"
    assert left["terms"] == [
        [
            "left",
            {
                "binary": "-",
                "l": {"ref": "media_total"},
                "r": {
                    "call": "sum",
                    "args": [{"ref": "media_district"}, {"ref": "media_regional"}, {"num": "0"}],
                },
            },
        ],
        ["total", {"ref": "media_total"}],
    ]
    assert block["decimal_mark"] == ","
    # A total naming fields of another section reads their stored values from `known`.
    [other] = [s for s in KALUGA.sections if s.id == "s11_2"]
    on_page = [f.id for f in other.fields]
    elsewhere = live_form(KALUGA, "ru", on_page=on_page, answers={"media_total": 3})
    assert elsewhere["known"]["media_total"] == {"$dec": "3"}
