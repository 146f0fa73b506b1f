"""The units a report refers to, read when a view first asks for them, a part at a time.

A national campaign's report refers to some forty thousand units, and a page shows a few
dozen of them: the region's page shows its municipalities, a municipality's page its
schools. So the units are kept in parts: the groups above the units expected (regions and
municipalities) are one part, and the units expected under each group are a part of their
own, read with one query on the parent index when one of them is first asked for. A view
that asks for many parts (an export) gets every unit with one query instead.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from typing import Any, cast

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.models import OrgUnit
from collector.models.units import (
    IN_TREE_ORDER,
    RECORD_COLUMNS,
    UnitRecord,
    subtree_clause,
    subtrees_clause,
    unit_records,
    within_or_above,
)

# The part of the groups (regions and municipalities); every other part is named by the
# id of the group its units sit directly under.
GROUPS = 0
GROUP_TYPES = ("region", "municipality")
# Past this many parts read one at a time, the rest are read at once.
PARTS_ONE_AT_A_TIME = 16
# Rows fetched at a time where a whole subtree's units are streamed.
UNITS_READ_AT_ONCE = 5000


class ReportUnits(Mapping[int, UnitRecord]):
    """Unit records by id, of the units expected (`unit_frame`'s index) and the groups
    they belong to (its municipality and region columns), within `scopes` or above."""

    def __init__(
        self,
        session: Session,
        unit_frame: pd.DataFrame,
        scopes: list[str],
        records: Mapping[int, UnitRecord] | None = None,
    ) -> None:
        self._session = session
        self._scopes = scopes
        self._records: dict[int, UnitRecord] = dict(records or {})
        self._part_of = _parts(unit_frame)
        self._unread = set() if records is not None else set(self._part_of.values())
        self._all_read = records is not None
        self._read_one_at_a_time = 0

    def __getitem__(self, unit_id: int) -> UnitRecord:
        found = self._records.get(unit_id)
        if found is not None:
            return found
        part = self._part_of.get(unit_id)
        if part is None or part not in self._unread:
            raise KeyError(unit_id)
        self._read_part(part)
        return self._records[unit_id]

    def get(self, unit_id: int, default: Any = None) -> Any:  # noqa: ANN401 - Mapping's
        # The units read already, without Mapping.get's KeyError round trip: a page asks
        # this of thousands of groups.
        found = self._records.get(unit_id)
        if found is not None:
            return found
        try:
            return self[unit_id]
        except KeyError:
            return default

    def __contains__(self, unit_id: object) -> bool:
        # Any key equal to an id (a numpy integer too), as a dict of them would take.
        return self.get(cast(int, unit_id)) is not None

    def __iter__(self) -> Iterator[int]:
        self._read_all()
        return iter(self._records)

    def __len__(self) -> int:
        self._read_all()
        return len(self._records)

    def names_in_tree_order(
        self, root_path: str, wanted: Container[int]
    ) -> tuple[list[int], list[str]]:
        """The ids and names of the units `wanted` that the scopes show within the subtree
        at `root_path`, in the tree's order. An export names every group of a national
        campaign: their names alone, streamed in the database's order, not forty
        thousand whole records sorted here."""
        if not self._scopes:
            return [], []
        query = (
            select(OrgUnit.id, OrgUnit.name)
            .where(subtree_clause(root_path), subtrees_clause(self._scopes))
            .order_by(*IN_TREE_ORDER)
            .execution_options(yield_per=UNITS_READ_AT_ONCE)
        )
        ids: list[int] = []
        names: list[str] = []
        for unit_id, name in self._session.execute(query):
            if unit_id in wanted:
                ids.append(unit_id)
                names.append(name)
        return ids, names

    def _read_part(self, part: int) -> None:
        self._read_one_at_a_time += 1
        if self._read_one_at_a_time > PARTS_ONE_AT_A_TIME or not self._scopes:
            self._read_all()
            return
        self._unread.discard(part)
        wanted = {i for i, p in self._part_of.items() if p == part}
        where: ColumnElement[bool] = (
            OrgUnit.unit_type.in_(GROUP_TYPES) & within_or_above(self._scopes)
            if part == GROUPS
            else OrgUnit.parent_id == part
        )
        rows = self._session.execute(select(*RECORD_COLUMNS).where(where))
        self._records.update((row.id, UnitRecord(*row)) for row in rows if row.id in wanted)
        if not wanted <= self._records.keys():
            # A unit not directly under its group (a tree shaped otherwise): read them all.
            self._read_all()

    def _read_all(self) -> None:
        if self._all_read:
            return
        self._all_read = True
        self._unread.clear()
        self._records.update(unit_records(self._session, self._part_of, self._scopes))


def _parts(unit_frame: pd.DataFrame) -> dict[int, int]:
    """Each unit's part: GROUPS for a region or municipality some unit belongs to; for a
    unit expected, the group it sits directly under (its municipality, else its region)."""
    if unit_frame.empty:
        return {}
    municipality = unit_frame["municipality"]
    parent = municipality.where(municipality.notna(), unit_frame["region"]).fillna(GROUPS)
    found = dict(
        zip(
            unit_frame.index.astype("int64").tolist(),
            parent.astype("int64").tolist(),
            strict=True,
        )
    )
    for level in GROUP_TYPES:
        found.update((int(i), GROUPS) for i in unit_frame[level].dropna().unique())
    return found
