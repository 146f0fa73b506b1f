"""Answers of one question counted per option and row (collector.indicators.questions)."""

from __future__ import annotations

import pandas as pd
import pytest

from collector.indicators.questions import answer_counts, option_key


def test_a_rating_read_as_numbers_is_counted_by_its_points():
    answers = pd.DataFrame({"score": [5.0, 4.0, 4.0, None, 2.0], "group": list("aabbb")})
    rows = {r.key: r for r in answer_counts(answers, "score", answers["group"], 1)}
    assert rows["a"].counts == {"5": 1, "4": 1} and rows["a"].respondents == 2
    # The unanswered one is not a respondent of the question.
    assert rows["b"].respondents == 2 and rows["b"].share("4") == pytest.approx(50.0)


def test_a_multiple_choice_shares_are_of_people_not_of_ticks():
    answers = pd.DataFrame(
        {"ticked": [["a", "b"], ["a"], ["c"], []], "group": ["x", "x", "x", "x"]}
    )
    (row,) = answer_counts(answers, "ticked", answers["group"], 1)
    assert row.respondents == 4 and row.counts == {"a": 2, "b": 1, "c": 1}
    assert row.share("a") == pytest.approx(50.0) and row.share("z") == 0


def test_a_row_below_the_smallest_group_has_no_counts():
    answers = pd.DataFrame({"choice": ["y", "y", "n", "y"], "group": ["big"] * 3 + ["small"]})
    rows = {r.key: r for r in answer_counts(answers, "choice", answers["group"], 2)}
    assert rows["small"].hidden and rows["small"].counts == {}
    assert rows["small"].share("y") is None and rows["small"].respondents == 1
    assert not rows["big"].hidden and rows["big"].counts == {"y": 2, "n": 1}


def test_yes_no_answers_are_named_as_the_report_names_them():
    assert option_key(True) == "True" and option_key(4.0) == "4" and option_key("5") == "5"
    answers = pd.DataFrame({"agreed": [True, False, True], "group": [1, 1, 1]})
    (row,) = answer_counts(answers, "agreed", answers["group"], 1)
    assert row.counts == {"True": 2, "False": 1}


def test_a_question_everyone_was_shown_counts_those_who_ticked_nothing():
    answers = pd.DataFrame({"ticked": [["a"], None, ["a", "b"], None], "group": [1] * 4})
    (asked,) = answer_counts(answers, "ticked", answers["group"], 1, everyone_asked=True)
    assert asked.respondents == 4 and asked.share("a") == pytest.approx(50.0)
    (ticked,) = answer_counts(answers, "ticked", answers["group"], 1)
    assert ticked.respondents == 2 and ticked.share("a") == pytest.approx(100.0)
