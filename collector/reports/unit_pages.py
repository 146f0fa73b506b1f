"""The units below the unit shown, a page at a time. A region's report page listed all of
its units below in every list at once (2,300 municipalities: 6.7 MB of HTML, charts
87,000 px tall); now every list of units below shows the same page of them, in the
tree's order, and the page's totals stay whole. Pages are cut from values already
computed (the kept question tables are computed once per data stamp, never per page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from collector.models.units import UnitLike, tree_key

# A page of units below: most municipalities have fewer than 50 schools and most regions
# fewer than 50 municipalities, so most pages fit on one and show no pager; 50 rows are a
# screen or two of a table, and a chart of 50 names lying one under another is about
# 2,000 px (charts.fitted), still scrolled through on a phone.
UNITS_PER_PAGE = 50
# Page numbers linked on each side of the current one (the first and last always are).
NEIGHBOURS = 2
T = TypeVar("T")


@dataclass(frozen=True)
class UnitPage:
    """Which of the units below the lists show: page `number` of `pages`."""

    number: int
    pages: int
    total: int  # units below on every page
    first: int  # the place of the first unit shown, from 1 (0: no units)
    last: int  # the place of the last one shown
    ids: frozenset[int]  # the units shown

    @property
    def paged(self) -> bool:
        """More than one page: the lists carry a pager."""
        return self.pages > 1

    @property
    def links(self) -> list[int | None]:
        """The page numbers the pager links, in order, None where some are left out: the
        first, the last and NEIGHBOURS either side of the current page."""
        near = range(
            max(1, self.number - NEIGHBOURS), min(self.pages, self.number + NEIGHBOURS) + 1
        )
        wanted = sorted({1, self.pages, *near})
        found: list[int | None] = []
        for number in wanted:
            if found and number - (found[-1] or 0) > 1:
                found.append(None)
            found.append(number)
        return found

    def of(self, items: Iterable[T], unit_id: Callable[[T], int]) -> list[T]:
        """The items whose unit is on this page, in their own order."""
        return [item for item in items if unit_id(item) in self.ids]


def unit_page(units: Iterable[UnitLike], asked: int) -> UnitPage:
    """Page `asked` of `units` (each list's units below; the same unit may come more than
    once) in the tree's order, UNITS_PER_PAGE to a page. A number before the first page
    is the first, one past the last the last."""
    distinct = sorted({unit.id: unit for unit in units}.values(), key=tree_key)
    size = UNITS_PER_PAGE
    pages = max(1, -(-len(distinct) // size))
    number = min(max(asked, 1), pages)
    shown = distinct[(number - 1) * size : number * size]
    start = (number - 1) * size
    return UnitPage(
        number=number,
        pages=pages,
        total=len(distinct),
        first=start + 1 if shown else 0,
        last=start + len(shown),
        ids=frozenset(unit.id for unit in shown),
    )
