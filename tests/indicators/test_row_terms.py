"""Per-response terms at their edges: equality, dates and selected() over columns with
missing cells of every kind pandas may hold (None, NaN, pandas' NA), worked out from the
rules of docs/form-schema.md: in an indicator a missing side of `=` or `!=` gives unknown,
a text that is no ISO date compares as unknown, an unanswered multiple choice selects
nothing known."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from collector.indicators.engine import RowEvaluator
from collector.schema.expressions import parse

NA = pd.NA


def row_values(frame: pd.DataFrame, source: str) -> list[object]:
    """The engine's value per row, unknown as None."""
    value = RowEvaluator(frame).evaluate(parse(source))
    assert isinstance(value, pd.Series)
    return [None if pd.isna(v) else bool(v) for v in value.astype(object)]


def test_text_equality_is_unknown_where_a_side_is_missing() -> None:
    notes = pd.Series(["x", "y", None, np.nan, NA, "x"], dtype="object")
    frame = pd.DataFrame({"note": notes})
    # Answered: equal or not; missing in any spelling: unknown, for = and != alike.
    answered = [True, False, None, None, None, True]
    assert row_values(frame, 'note = "x"') == answered
    assert row_values(frame, '"x" = note') == answered
    assert row_values(frame, 'note != "x"') == [
        None if known is None else not known for known in answered
    ]
    assert row_values(frame, "note = null") == [None] * 6
    # Comparing sets the missing cells aside in a copy, never in the frame itself.
    assert frame["note"].tolist()[:2] == ["x", "y"]
    assert frame["note"].iloc[2] is None and frame["note"].iloc[4] is NA


def test_two_columns_compare_row_by_row() -> None:
    frame = pd.DataFrame(
        {
            "flag": pd.array([True, True, False, None, False], dtype="boolean"),
            "flag2": pd.array([True, False, False, True, None], dtype="boolean"),
            "left": pd.Series(["a", "b", None, "c", "d"], dtype="object"),
            "right": pd.Series(["a", "a", "b", None, "d"], dtype="object"),
        }
    )
    assert row_values(frame, "flag = flag2") == [True, False, True, None, None]
    assert row_values(frame, "flag != flag2") == [False, True, False, None, None]
    assert row_values(frame, "left = right") == [True, False, None, None, True]


def test_literals_compare_once_for_every_row() -> None:
    frame = pd.DataFrame({"note": pd.Series(["x", None], dtype="object")})
    assert row_values(frame, '"x" = "x"') == [True, True]
    assert row_values(frame, "true = false") == [False, False]
    assert row_values(frame, 'null = "x"') == [None, None]


def test_dates_compare_as_dates_and_other_texts_are_unknown() -> None:
    first = ["2020-01-01", "2021-05-01", "2020-01-01", "2020-13-01", "soon", None, "2020-01-01"]
    second = ["2020-01-01", "2020-01-01", "2020-02-29", "2020-01-01", "2020-01-01", "2020-01-01"]
    second.append(None)
    frame = pd.DataFrame(
        {"day1": pd.Series(first, dtype="object"), "day2": pd.Series(second, dtype="object")}
    )

    def day(text: str | None) -> date | None:
        try:
            return None if text is None else date.fromisoformat(text)
        except ValueError:
            return None  # 13th month, not a date at all

    days = [(day(a), day(b)) for a, b in zip(first, second, strict=True)]
    assert row_values(frame, "day1 <= day2") == [
        None if a is None or b is None else a <= b for a, b in days
    ]
    assert row_values(frame, "day1 > day2") == [
        None if a is None or b is None else a > b for a, b in days
    ]
    # Against a date written in the formula.
    assert row_values(frame, 'day1 >= "2021-01-01"') == [
        None if a is None else a >= date(2021, 1, 1) for a, _b in days
    ]


def test_a_list_column_compared_by_order_is_unknown() -> None:
    frame = pd.DataFrame({"topics": pd.Series([["it"], None], dtype="object")})
    assert row_values(frame, 'topics < "2020-01-01"') == [None, None]


def test_selected_reads_each_ticked_option() -> None:
    topics = pd.Series([["it", "med"], [], None, ["med"], np.nan, ["art", "it"]], dtype="object")
    frame = pd.DataFrame({"topics": topics})
    # A list answers (ticked or not); no list at all is unanswered: unknown.
    for option in ("it", "med", "art", "law"):
        expected = [None if not isinstance(v, list) else option in v for v in topics]
        assert row_values(frame, f'selected(topics, "{option}")') == expected, option


def test_selected_over_a_question_nobody_answered() -> None:
    frame = pd.DataFrame({"topics": pd.Series([None, None], dtype="object")})
    assert row_values(frame, 'selected(topics, "it")') == [None, None]
    # A field the frame does not hold (not asked in this campaign) is unanswered too.
    assert row_values(frame, 'selected(other, "it")') == [None, None]
