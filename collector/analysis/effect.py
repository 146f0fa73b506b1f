"""The effect of a measure (Tomsk module 4: the measurement repeated): at the next campaign
of the form, the change in each indicator the measure aims at, for the units it concerned
against the units it did not. Pure computation over per-unit values.

A group's change is the mean of its units' changes, each unit's value taken as shown (at
the indicator's precision) in both campaigns; only units with a value in both count, and
the group's coverage says how many of its units that is. Where a unit's value counts only
part of its organisations' reports in either campaign, it is not covered. The difference
is the concerned units' change minus the others'.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from collector.analysis.compute import shown


@dataclass(frozen=True)
class GroupChange:
    change: float | None  # mean change over the covered units
    covered: int  # units with a value in both campaigns
    total: int  # units in the group


@dataclass(frozen=True)
class EffectRow:
    indicator: str
    concerned: GroupChange
    others: GroupChange

    @property
    def difference(self) -> float | None:
        a, b = self.concerned.change, self.others.change
        return None if a is None or b is None else a - b


def group_change(
    unit_ids: Sequence[int],
    decimals: int,
    before: Mapping[int, float | None],
    after: Mapping[int, float | None],
    complete: Collection[int] | None = None,
) -> GroupChange:
    changes = []
    for unit in unit_ids:
        then, now = shown(before.get(unit), decimals), shown(after.get(unit), decimals)
        counted = complete is None or unit in complete
        if then is not None and now is not None and counted:
            changes.append(now - then)
    mean = sum(changes) / len(changes) if changes else None
    return GroupChange(mean, len(changes), len(unit_ids))


def effect(
    indicator: str,
    decimals: int,
    concerned: Sequence[int],
    others: Sequence[int],
    before: Mapping[int, float | None],
    after: Mapping[int, float | None],
    complete: Collection[int] | None = None,
) -> EffectRow:
    """With `complete`, only the units whose values count all their units' reports in
    both campaigns are covered (a district with a third of its reports in is not compared
    with its full count)."""
    return EffectRow(
        indicator,
        group_change(concerned, decimals, before, after, complete),
        group_change(others, decimals, before, after, complete),
    )
