"""A survey question's answers counted per option, for the total and for each row of a
breakdown (respondent group, unit below): counts, the number who answered, and a share
of them per option. A row with fewer respondents than the smallest group shown has no
counts at all, so a small group's answers cannot be read off the table."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import pandas as pd

from collector.indicators.rows import holds_lists


@dataclass(frozen=True)
class AnswerCounts:
    key: Hashable  # the row: a unit id, a respondent group's value, "total"
    respondents: int  # who answered the question in this row
    counts: dict[str, int] = field(default_factory=dict)  # option value -> count
    hidden: bool = False  # fewer respondents than the smallest group shown

    def share(self, option: str) -> float | None:
        """Of those who answered, the share who chose `option` (for a multiple choice,
        who ticked it: the shares of one row may add up to more than 100)."""
        if self.hidden or not self.respondents:
            return None
        return 100 * self.counts.get(option, 0) / self.respondents


def option_key(value: object) -> str:
    """An answer as the form names its option: a rating read as 4.0 is "4", yes/no is
    "True"/"False", a choice its value."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answer_counts(
    answers: pd.DataFrame,
    field_id: str,
    keys: pd.Series,
    min_group: int,
    *,
    everyone_asked: bool = False,
) -> list[AnswerCounts]:
    """One row per key (in first-seen order of `keys`, which is aligned with `answers`'
    rows; rows whose key is missing are left out). The respondents of a row are those
    who answered the question; with `everyone_asked` (a question every respondent was
    shown, where ticking nothing is an answer: a multiple choice), all of the row's."""
    if field_id not in answers.columns:
        return []
    frame = pd.DataFrame({"key": keys, "value": answers[field_id]}).dropna(subset=["key"])
    if not everyone_asked:
        frame = frame.dropna(subset=["value"])
    rows: list[AnswerCounts] = []
    for key, group in frame.groupby("key", sort=False):
        respondents = len(group)
        if respondents < min_group:
            rows.append(AnswerCounts(key, respondents, hidden=True))
            continue
        values = group["value"].dropna()
        if holds_lists(values):
            values = values.explode().dropna()
        counts = values.map(option_key).value_counts()
        rows.append(AnswerCounts(key, respondents, {str(k): int(v) for k, v in counts.items()}))
    return rows
