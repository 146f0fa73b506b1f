"""Who may do what, where: the one table of role capabilities.

Pure: no Flask, no database. A grant is a (role, unit path) pair; it reaches the unit and
everything below it. `allowed` answers "may this holder of these grants do this action on
the unit with this path".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType


class Action(enum.StrEnum):
    VIEW_UNIT = "view_unit"
    EDIT_UNIT = "edit_unit"
    IMPORT_UNITS = "import_units"
    VIEW_FIGURES = "view_figures"
    EDIT_FIGURES = "edit_figures"
    MANAGE_USERS = "manage_users"
    GRANT_ADMIN = "grant_admin"
    FILL_REPORT = "fill_report"
    REVIEW_REPORTS = "review_reports"
    DESIGN_FORMS = "design_forms"
    RUN_CAMPAIGNS = "run_campaigns"
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"


_EVERYTHING = frozenset(Action)
_COORDINATING = frozenset(
    {
        Action.VIEW_UNIT,
        Action.EDIT_UNIT,
        Action.IMPORT_UNITS,
        Action.VIEW_FIGURES,
        Action.EDIT_FIGURES,
        Action.MANAGE_USERS,
        Action.FILL_REPORT,
        Action.REVIEW_REPORTS,
        Action.DESIGN_FORMS,
        Action.RUN_CAMPAIGNS,
        Action.EXPORT,
    }
)

# Keys are the values of collector.models.users.Role (kept as strings so this module
# stays free of the ORM).
ROLE_ACTIONS: MappingProxyType[str, frozenset[Action]] = MappingProxyType(
    {
        "admin": _EVERYTHING,
        "regional_coordinator": _COORDINATING,
        "municipal_coordinator": frozenset(
            {
                Action.VIEW_UNIT,
                Action.VIEW_FIGURES,
                Action.EDIT_FIGURES,
                Action.FILL_REPORT,
                Action.REVIEW_REPORTS,
                Action.EXPORT,
            }
        ),
        "school_respondent": frozenset(
            {Action.VIEW_UNIT, Action.VIEW_FIGURES, Action.EDIT_FIGURES, Action.FILL_REPORT}
        ),
    }
)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_path: str


def covers(grant_path: str, unit_path: str) -> bool:
    """A grant on a unit reaches that unit and every unit below it."""
    return unit_path.startswith(grant_path)


def in_line(owner_path: str | None, unit_path: str) -> bool:
    """Whether what a unit owns (a form, the system its document sets up, a registry)
    belongs to the territory of the unit at `unit_path`: the owner is that unit, lies
    above it (the region whose forms its schools fill) or below it (a municipality's form,
    for the region). Owned by no unit (`None`): the whole installation's, everyone's."""
    return owner_path is None or covers(owner_path, unit_path) or covers(unit_path, owner_path)


def owner_in_territory(unit_paths: Iterable[str], owner_path: str | None) -> bool:
    """The one rule for what a user sees and is offered of unit-owned things: the owner is
    in line with one of the units of the user's grants (`unit_paths`, whatever the role;
    an installation-wide grant's "" reaches every owner)."""
    return owner_path is None or any(in_line(owner_path, path) for path in unit_paths)


def allowed(grants: Iterable[Grant], action: Action, unit_path: str) -> bool:
    return any(
        action in ROLE_ACTIONS.get(g.role, frozenset()) and covers(g.unit_path, unit_path)
        for g in grants
    )


def allowed_anywhere(grants: Iterable[Grant], action: Action) -> bool:
    """Whether the action is allowed on at least one unit (to show a menu entry)."""
    return any(action in ROLE_ACTIONS.get(g.role, frozenset()) for g in grants)


def scope_paths(grants: Iterable[Grant], action: Action) -> list[str]:
    """The topmost unit paths where the action is allowed, with nested ones folded away."""
    paths = sorted({g.unit_path for g in grants if action in ROLE_ACTIONS.get(g.role, ())})
    top: list[str] = []
    for path in paths:
        if not any(covers(kept, path) for kept in top):
            top.append(path)
    return top
