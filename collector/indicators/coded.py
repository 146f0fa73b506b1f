"""A column of answers kept as codes into its distinct values: a survey of a million
answers has a few dozen distinct ones, so its choices are a million small integers and
a short list, read back without unpickling a million object references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# A few distinct values among many rows: hash tables start small (by default they are
# sized for every row, hundreds of MB for a million answers).
SIZE_HINT = 1024


@dataclass(frozen=True)
class CodedColumn:
    codes: np.ndarray  # per row, its value's position in `values`
    values: list[Any]  # each distinct value once, missing ones (None, NaN) included
    dtype: Any = None  # the column's type when it is not of objects (numbers, yes/no)

    @classmethod
    def of(cls, column: pd.Series) -> CodedColumn:
        """Lossless: every value comes back as it was, missing ones included."""
        dtype = None if column.dtype == object else column.dtype
        try:
            codes, uniques = pd.factorize(column, use_na_sentinel=False, size_hint=SIZE_HINT)
            values = list(uniques)
        except TypeError:
            # Lists (a multiple choice) cannot be hashed: told apart by identity, which
            # the columns read from the database share between equal answers.
            cells = column.to_numpy(dtype=object)
            identities = np.fromiter(map(id, cells), dtype=np.int64, count=len(cells))
            _ids, first, codes = np.unique(identities, return_index=True, return_inverse=True)
            values = list(cells[first])
        smallest = np.int32 if len(values) > np.iinfo(np.int16).max else np.int16
        return cls(np.asarray(codes).reshape(-1).astype(smallest), values, dtype)

    def decoded(self) -> Any:
        """The column's values, in its own type (objects for text, choices and lists)."""
        if self.dtype is not None:
            return pd.array(self.values, dtype=self.dtype).take(self.codes)
        table = np.empty(len(self.values), dtype=object)
        table[:] = self.values
        found: np.ndarray = table[self.codes] if len(table) else np.empty(0, dtype=object)
        return found

    def series(self, index: pd.Index) -> pd.Series:
        """The column as a Series on `index`, of objects when it was (a column of text is
        not turned into pandas' string type on the way back)."""
        return pd.Series(self.decoded(), index=index, dtype=self.dtype or object, copy=False)

    def missing(self) -> np.ndarray:
        """Per row, whether it holds no answer."""
        empty = np.array([is_missing(v) for v in self.values], dtype=bool)
        found: np.ndarray = empty[self.codes] if len(empty) else np.zeros(0, dtype=bool)
        return found


def is_missing(value: Any) -> bool:
    if isinstance(value, list):
        return False
    return bool(pd.isna(value))


def as_categorical(column: pd.Series | CodedColumn) -> pd.Categorical:
    """A column of hashable values (a single choice) as a categorical, missing values
    coded -1, without hashing every row when it is coded already."""
    if not isinstance(column, CodedColumn):
        codes, uniques = pd.factorize(column, size_hint=SIZE_HINT)
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques))
    kept = [n for n, value in enumerate(column.values) if not is_missing(value)]
    renumbered = np.full(len(column.values), -1, dtype=column.codes.dtype)
    renumbered[kept] = np.arange(len(kept))
    return pd.Categorical.from_codes(
        renumbered[column.codes] if len(renumbered) else column.codes,
        categories=pd.Index([column.values[n] for n in kept]),
    )
