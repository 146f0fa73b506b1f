"""A survey question's answers counted per option, for the total and for each row of a
breakdown (respondent group, unit below): counts, the number who answered, and a share
of them per option. A row with fewer respondents than the smallest group shown has no
counts at all, so a small group's answers cannot be read off the table."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.coded import SIZE_HINT, CodedColumn


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


FIRST_SEEN_BLOCK = 65_536
# Rows × distinct answers up to this many are counted in one array, beyond it by sorting.
MAX_DENSE_PAIRS = 4_000_000


def option_key(value: object) -> str:
    """An answer as the form names its option: a rating read as 4.0 is "4", yes/no is
    "True"/"False", a choice its value."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answer_counts(
    answers: pd.DataFrame | Mapping[str, CodedColumn],
    field_id: str,
    keys: pd.Series,
    min_group: int,
    *,
    everyone_asked: bool = False,
) -> list[AnswerCounts]:
    """One row per key (in first-seen order of `keys`, which is aligned with `answers`'
    rows; rows whose key is missing are left out). The respondents of a row are those
    who answered the question; with `everyone_asked` (a question every respondent was
    shown, where ticking nothing is an answer: a multiple choice), all of the row's.

    Counted on codes, not values: each distinct answer is read once (a survey of a
    million answers has a few dozen), and the rows are counted by numpy."""
    if field_id not in answers:
        return []
    key_codes, key_values = _key_codes(keys)
    value_codes, distinct = _answer_codes(answers[field_id])
    present = key_codes >= 0
    answered = present & (value_codes >= 0)
    counted = present if everyone_asked else answered
    found_keys = key_codes[counted]
    respondents = np.bincount(found_keys, minlength=len(key_values))
    order = _first_seen(found_keys, len(key_values))
    del found_keys
    width = max(len(distinct), 1)
    # Each answer's (row, value) pair as one number, in the smallest type that holds it.
    pair_type = np.int32 if len(key_values) * width < np.iinfo(np.int32).max else np.int64
    pairs: np.ndarray = key_codes[answered].astype(pair_type)
    pairs *= width
    pairs += value_codes[answered]
    if len(key_values) * width <= MAX_DENSE_PAIRS:
        dense = np.bincount(pairs, minlength=len(key_values) * width)
        (pairs,) = np.nonzero(dense)
        times = dense[pairs]
    else:
        pairs, times = np.unique(pairs, return_counts=True)
    counts: list[dict[str, int]] = [{} for _ in key_values]
    for pair, found in zip(pairs.tolist(), times.tolist(), strict=True):
        key, value = divmod(pair, width)
        for option, each in distinct[value].items():
            counts[key][option] = counts[key].get(option, 0) + each * found
    rows: list[AnswerCounts] = []
    for code in order.tolist():
        key, total = key_values[code], int(respondents[code])
        if total < min_group:
            rows.append(AnswerCounts(key, total, hidden=True))
        else:
            rows.append(AnswerCounts(key, total, counts[code]))
    return rows


def _first_seen(codes: np.ndarray, count: int) -> np.ndarray:
    """The codes met in `codes`, in the order each is first met; a block of rows at a
    time, so that a million rows are never sorted at once."""
    first = np.full(count, -1, dtype=np.int64)
    for start in range(0, len(codes), FIRST_SEEN_BLOCK):
        seen, at = np.unique(codes[start : start + FIRST_SEEN_BLOCK], return_index=True)
        new = first[seen] < 0
        first[seen[new]] = at[new] + start
    met = np.flatnonzero(first >= 0)
    ordered: np.ndarray = met[np.argsort(first[met], kind="stable")]
    return ordered


def _key_codes(keys: pd.Series) -> tuple[np.ndarray, Any]:
    """Each row's key as a code (-1: none) and the keys: a categorical's own codes, else
    the keys hashed once."""
    if isinstance(keys.dtype, pd.CategoricalDtype):
        return keys.cat.codes.to_numpy(), keys.cat.categories
    codes, values = pd.factorize(keys, sort=False, size_hint=SIZE_HINT)
    return np.asarray(codes), values


def _answer_codes(values: pd.Series | CodedColumn) -> tuple[np.ndarray, list[dict[str, int]]]:
    """Each answer's code (-1: no answer) and, per code, the options it names with how
    many times: one for a choice or a scale, each ticked one for a multiple choice."""
    coded = values if isinstance(values, CodedColumn) else CodedColumn.of(values)
    # The codes' own small type, made signed room for -1 (they count from 0).
    codes = coded.codes.astype(np.int32 if coded.codes.dtype.itemsize >= 4 else np.int16)
    codes[coded.missing()] = -1
    return codes, [_options_named(value) for value in coded.values]


def _options_named(value: object) -> dict[str, int]:
    items = value if isinstance(value, list) else [value]
    named: dict[str, int] = {}
    for item in items:
        if item is None or item is pd.NA or (isinstance(item, float) and math.isnan(item)):
            continue
        key = option_key(item)
        named[key] = named.get(key, 0) + 1
    return named
