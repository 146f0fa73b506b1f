"""Rows of a long sheet handed to XlsxWriter whole (`write_row`), when every cell is of
a type its column writes as it is: text, a whole number in a number column, a day in a
date column, yes/no (as its word), nothing. The column's format is the sheet's column
format, so such a cell needs no writer of its own; a row with any other cell (a figure,
a moment, a number no spreadsheet holds, a text past a cell's length) is written cell by
cell. A figure (a number with its own decimals) is written after the row with its
format. A survey's answers sheet of a million rows has a handful of kinds of rows: each is
planned once."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from collector.exporters.contract import LARGEST_NUMBER, Cell, Figure

# Columns whose format shows a number as the column means it.
NUMBER_KINDS = frozenset({"integer", "number", "percent"})
# Longer texts are cut by XlsxWriter (and stop write_row): written cell by cell.
MAX_CELL_TEXT = 32_767
# Whole numbers a spreadsheet holds exactly (collector.exporters.contract.writable_number).
LARGEST_WHOLE = 2**53


@dataclass(frozen=True)
class _Plan:
    """Where a kind of row has its yes/no, texts, numbers and figures, each read by one
    C-level getter (a survey's rows are many: every step per row counts)."""

    answers: tuple[int, ...]  # yes/no
    texts: Callable[[Sequence[Cell]], tuple[Any, ...]] | None
    whole: Callable[[Sequence[Cell]], tuple[Any, ...]] | None  # whole numbers
    fractional: Callable[[Sequence[Cell]], tuple[Any, ...]] | None
    figures: tuple[int, ...]  # numbers with their own decimals: written after the row


def _getter(positions: list[int]) -> Callable[[Sequence[Cell]], tuple[Any, ...]] | None:
    if not positions:
        return None
    get = itemgetter(*positions)
    if len(positions) == 1:
        return lambda row: (get(row),)
    return get


class WholeRows:
    def __init__(self, kinds: Sequence[str], yes: str, no: str) -> None:
        self.kinds = list(kinds)
        self.words = {True: yes, False: no}
        self.plans: dict[tuple[type, ...], _Plan | None] = {}

    def cells(self, row: Sequence[Cell]) -> tuple[list[Cell], int, list[tuple[int, Figure]]] | None:
        """The row's cells as XlsxWriter writes them, how many characters of text they
        hold, and the figures (each with its decimals' format) to write after them;
        None when a cell needs a writer of its own."""
        kinds_of_cells = tuple(map(type, row))
        plan = self.plans.get(kinds_of_cells, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = self.plans[kinds_of_cells] = self._plan(kinds_of_cells)
        if plan is None:
            return None
        if plan.whole is not None:
            found = plan.whole(row)
            if max(found) > LARGEST_WHOLE or min(found) < -LARGEST_WHOLE:
                return None
        if plan.fractional is not None:
            found = plan.fractional(row)
            if not all(map(math.isfinite, found)) or max(map(abs, found)) >= LARGEST_NUMBER:
                return None
        text = 0
        if plan.texts is not None:
            lengths = tuple(map(len, plan.texts(row)))
            # write_row leaves an empty text out (no cell) and stops at one too long.
            if min(lengths) == 0 or max(lengths) > MAX_CELL_TEXT:
                return None
            text = sum(lengths)
        cells = list(row)
        words = self.words
        for at in plan.answers:
            cells[at] = words[cells[at]]  # type: ignore[index]
        figures = []
        for at in plan.figures:
            figures.append((at, row[at]))
            cells[at] = None
        return cells, text, figures  # type: ignore[return-value]

    def _plan(self, kinds_of_cells: tuple[type, ...]) -> _Plan | None:
        if len(kinds_of_cells) > len(self.kinds):
            return None
        answers, texts, whole, fractional, figures = [], [], [], [], []
        for at, (found, kind) in enumerate(zip(kinds_of_cells, self.kinds, strict=False)):
            if found is type(None) or (found is date and kind == "date"):
                continue
            if found is str:
                texts.append(at)
            elif found is bool:
                answers.append(at)
            elif found is int and kind in NUMBER_KINDS:
                whole.append(at)
            elif found is float and kind in NUMBER_KINDS - {"integer"}:
                fractional.append(at)
            elif found is Figure:
                figures.append(at)
            else:
                return None
        return _Plan(
            tuple(answers), _getter(texts), _getter(whole), _getter(fractional), tuple(figures)
        )


_UNPLANNED = _Plan((), None, None, None, ())


def column_format_kind(kind: str) -> str | None:
    """The format a long sheet's column has, by the column's kind (its cells written
    whole take it): numbers with decimals, and days. Whole numbers and yes/no are shown
    as they are (General)."""
    if kind in NUMBER_KINDS - {"integer"} or kind == "date":
        return kind
    return None
