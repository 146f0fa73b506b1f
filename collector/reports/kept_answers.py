"""A report's answers as they are kept beside its snapshot: column by column, the index
once, a column of few distinct values (choices, scales, yes/no, lists, the units) as
codes into them (collector.indicators.coded), so that a view reads only the columns it
needs and small."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from collector.indicators.coded import CodedColumn

# The answers frame's index, kept among its columns.
INDEX_COLUMN = "\x00index"
# A column of numbers is kept as codes up to this many distinct values (then as it is).
MAX_CODED_VALUES = 1024


def columns_of(answers: pd.DataFrame) -> dict[str, Any]:
    """The answers frame column by column, the index kept once; a column of few distinct
    values (choices, scales, yes/no, lists) as codes into them, read back small."""
    columns: dict[str, Any] = {INDEX_COLUMN: answers.index}
    for name in answers.columns:
        coded = CodedColumn.of(answers[name])
        # The units too: a national survey's million answers come from forty thousand.
        few = len(coded.values) <= MAX_CODED_VALUES or answers[name].dtype == object
        columns[str(name)] = coded if few or name == "unit_id" else answers[name].array
    return columns


def frame_of(columns: Mapping[str, Any], names: Sequence[str] | None) -> pd.DataFrame | None:
    index = columns.get(INDEX_COLUMN)
    if not isinstance(index, pd.Index):
        return None
    # Names beginning with NUL are what is kept beside the answers (their index, the
    # reference figures), never a field's.
    order = [n for n in columns if not n.startswith("\x00")] if names is None else names
    return pd.DataFrame(
        {n: series_of(columns[n], index) for n in order if n in columns},
        index=index,
    )


def series_of(kept: Any, index: pd.Index) -> pd.Series:
    if isinstance(kept, CodedColumn):
        return kept.series(index)
    return pd.Series(kept, index=index, copy=False)


def column_of(kept: Any) -> pd.Series | CodedColumn | None:
    """One kept column as counting reads it: codes stay codes."""
    if kept is None or isinstance(kept, CodedColumn):
        return kept
    return pd.Series(kept, copy=False)
