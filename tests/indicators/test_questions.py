"""Answers of one question counted per option and row (collector.indicators.questions)."""

from __future__ import annotations

import pandas as pd
import pytest

from collector.indicators import questions
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


def _counted_group_by_group(answers, field_id, keys, min_group, everyone_asked):
    """The plain reading of the rule, one group at a time (what answer_counts computed
    before it counted on codes): the reference the coded counting must agree with."""
    frame = pd.DataFrame({"key": keys, "value": answers[field_id]}).dropna(subset=["key"])
    if not everyone_asked:
        frame = frame.dropna(subset=["value"])
    found = []
    for key, group in frame.groupby("key", sort=False):
        if len(group) < min_group:
            found.append((key, len(group), {}, True))
            continue
        values = group["value"].dropna()
        if any(isinstance(v, list) for v in values):
            values = values.explode().dropna()
        counted = values.map(option_key).value_counts()
        found.append((key, len(group), {str(k): int(v) for k, v in counted.items()}, False))
    return found


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("counted_in", ["one block, one array", "blocks of 7, sorted pairs"])
def test_counting_on_codes_agrees_with_counting_group_by_group(seed, counted_in, monkeypatch):
    import random

    if counted_in != "one block, one array":
        # A million answers are counted a block of rows at a time, and many rows times
        # many values by sorting: the same counts, in the same first-seen order.
        monkeypatch.setattr(questions, "ROWS_AT_ONCE", 7)
        monkeypatch.setattr(questions, "MAX_DENSE_PAIRS", 0)

    chance = random.Random(seed)
    size = chance.randint(0, 60)
    shared = [["a"], ["a", "b"], [], ["c", "b"]]
    columns = {
        "rating": [chance.choice([None, 1.0, 2.0, 5.0, 4.0]) for _ in range(size)],
        "choice": [chance.choice([None, "x", "y", "z"]) for _ in range(size)],
        # Equal answers as one shared list (as the columns read from the database give
        # them) and as lists of their own (as rows read one by one give them).
        "ticked": [
            chance.choice([None, chance.choice(shared), list(chance.choice(shared))])
            for _ in range(size)
        ],
        "agreed": pd.array([chance.choice([None, True, False]) for _ in range(size)], "boolean"),
    }
    answers = pd.DataFrame(columns)
    keys = pd.Series([chance.choice([None, 3.0, 7.0, 11.0]) for _ in range(size)], dtype=float)
    for field_id in columns:
        for everyone in (False, True):
            for smallest in (0, 3):
                coded = [
                    (r.key, r.respondents, r.counts, r.hidden)
                    for r in answer_counts(
                        answers, field_id, keys, smallest, everyone_asked=everyone
                    )
                ]
                assert coded == _counted_group_by_group(
                    answers, field_id, keys, smallest, everyone
                ), (field_id, everyone, smallest)
