"""A survey question's answers counted per option, for the total and for each row of a
breakdown (respondent group, unit below): counts, the number who answered, and a share
of them per option. A row with fewer respondents than the smallest group shown has no
counts at all, so a small group's answers cannot be read off the table."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collector.indicators.coded import SIZE_HINT, CodedColumn, is_missing


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


# Rows counted at a time.
ROWS_AT_ONCE = 65_536
# Rows × distinct answers up to this many are counted in one array (2 MB), beyond it by
# sorting each block's pairs: a multiple choice's distinct lists by 2,000 municipalities
# would be an array of tens of MB.
MAX_DENSE_PAIRS = 262_144


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
    coded, distinct = _answer_codes(answers[field_id])
    width = max(len(distinct), 1)
    # Each answer's (row, value) pair as one number, in the smallest type that holds it.
    pair_type = np.int32 if len(key_values) * width < np.iinfo(np.int32).max else np.int64
    tally = _PairTally(len(key_values) * width)
    respondents = np.zeros(len(key_values), dtype=np.int64)
    first = np.full(len(key_values), -1, dtype=np.int64)
    seen_before = 0  # respondents met in the blocks before
    # A block of rows at a time: a million answers' temporary arrays would be tens of MB
    # beside an export, a block's are a few hundred KB.
    for start in range(0, len(key_codes), ROWS_AT_ONCE):
        rows = slice(start, start + ROWS_AT_ONCE)
        block_keys = key_codes[rows]
        value_codes = coded[rows]
        present = block_keys >= 0
        answered = present & (value_codes >= 0)
        found_keys = block_keys[present if everyone_asked else answered]
        respondents += np.bincount(found_keys, minlength=len(key_values))
        met, at = np.unique(found_keys, return_index=True)
        new = first[met] < 0
        first[met[new]] = at[new] + seen_before
        seen_before += len(found_keys)
        pairs: np.ndarray = block_keys[answered].astype(pair_type)
        pairs *= width
        pairs += value_codes[answered]
        tally.add(pairs)
    counts: list[dict[str, int]] = [{} for _ in key_values]
    for pair, found in tally.items():
        key, value = divmod(pair, width)
        for option, each in distinct[value].items():
            counts[key][option] = counts[key].get(option, 0) + each * found
    rows_met = np.flatnonzero(first >= 0)
    result: list[AnswerCounts] = []
    for code in rows_met[np.argsort(first[rows_met], kind="stable")].tolist():
        key, total = key_values[code], int(respondents[code])
        if total < min_group:
            result.append(AnswerCounts(key, total, hidden=True))
        else:
            result.append(AnswerCounts(key, total, counts[code]))
    return result


class _PairTally:
    """How many times each (row, value) pair was met: in one array when rows × values
    are few, else by sorting each block's pairs and adding up the blocks'."""

    def __init__(self, possible: int) -> None:
        self.dense = np.zeros(possible, dtype=np.int64) if possible <= MAX_DENSE_PAIRS else None
        self.blocks: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, pairs: np.ndarray) -> None:
        if self.dense is not None:
            self.dense += np.bincount(pairs, minlength=len(self.dense))
        elif len(pairs):
            self.blocks.append(np.unique(pairs, return_counts=True))

    def items(self) -> Iterator[tuple[int, int]]:
        if self.dense is not None:
            (pairs,) = np.nonzero(self.dense)
            return zip(pairs.tolist(), self.dense[pairs].tolist(), strict=True)
        if not self.blocks:
            return iter(())
        every = np.concatenate([pairs for pairs, _times in self.blocks])
        times = np.concatenate([times for _pairs, times in self.blocks])
        pairs, where = np.unique(every, return_inverse=True)
        summed = np.bincount(where, weights=times, minlength=len(pairs)).astype(np.int64)
        return zip(pairs.tolist(), summed.tolist(), strict=True)


class _BlockCodes:
    """A column's codes (-1: no answer) read a block of rows at a time."""

    def __init__(self, codes: np.ndarray, renumbered: np.ndarray) -> None:
        self.codes = codes
        self.renumbered = renumbered  # per kept code: the answer's code, -1 for none

    def __getitem__(self, rows: slice) -> np.ndarray:
        block: np.ndarray = (
            self.renumbered[self.codes[rows]]
            if len(self.renumbered)
            else np.full(len(self.codes[rows]), -1, dtype=np.int32)
        )
        return block


def _key_codes(keys: pd.Series) -> tuple[np.ndarray, Any]:
    """Each row's key as a code (-1: none) and the keys: a categorical's own codes, else
    the keys hashed once."""
    if isinstance(keys.dtype, pd.CategoricalDtype):
        return keys.cat.codes.to_numpy(), keys.cat.categories
    codes, values = pd.factorize(keys, sort=False, size_hint=SIZE_HINT)
    return np.asarray(codes), values


def _answer_codes(values: pd.Series | CodedColumn) -> tuple[_BlockCodes, list[dict[str, int]]]:
    """Each answer's code (-1: no answer), read a block at a time, and per code the
    options it names with how many times: one for a choice or a scale, each ticked one
    for a multiple choice."""
    coded = values if isinstance(values, CodedColumn) else CodedColumn.of(values)
    renumbered = np.array(
        [-1 if is_missing(value) else n for n, value in enumerate(coded.values)],
        dtype=np.int32,
    )
    return _BlockCodes(coded.codes, renumbered), [_options_named(value) for value in coded.values]


def _options_named(value: object) -> dict[str, int]:
    items = value if isinstance(value, list) else [value]
    named: dict[str, int] = {}
    for item in items:
        if item is None or item is pd.NA or (isinstance(item, float) and math.isnan(item)):
            continue
        key = option_key(item)
        named[key] = named.get(key, 0) + 1
    return named
