"""The pure permission table: grants reach their unit and everything below it."""

import pytest

from collector.auth.permissions import (
    ROLE_ACTIONS,
    Action,
    Grant,
    allowed,
    allowed_anywhere,
    covers,
    owner_in_territory,
    scope_paths,
)


def test_grant_reaches_its_subtree_only():
    grants = [Grant("municipal_coordinator", "/1/2/")]
    assert allowed(grants, Action.VIEW_UNIT, "/1/2/")
    assert allowed(grants, Action.VIEW_UNIT, "/1/2/9/")
    assert not allowed(grants, Action.VIEW_UNIT, "/1/")
    assert not allowed(grants, Action.VIEW_UNIT, "/1/3/")
    # A sibling whose id starts with the same digits is not below it.
    assert not allowed(grants, Action.VIEW_UNIT, "/1/22/")


def test_role_limits_the_actions():
    school = [Grant("school_respondent", "/1/2/3/")]
    assert allowed(school, Action.FILL_REPORT, "/1/2/3/")
    assert not allowed(school, Action.EDIT_UNIT, "/1/2/3/")
    assert not allowed(school, Action.MANAGE_USERS, "/1/2/3/")
    assert not allowed_anywhere(school, Action.DESIGN_FORMS)


def test_installation_wide_admin_reaches_everything():
    admin = [Grant("admin", "")]
    assert covers("", "/5/")
    assert all(allowed(admin, action, "/7/8/") for action in Action)


def test_city_department_coordinates_its_own_schools():
    # Tomsk, Omsk, Nevinnomyssk: the coordinator role bound to a city (municipality) unit.
    city = [Grant("regional_coordinator", "/1/4/")]
    assert allowed(city, Action.DESIGN_FORMS, "/1/4/")
    assert allowed(city, Action.RUN_CAMPAIGNS, "/1/4/17/")
    assert not allowed(city, Action.RUN_CAMPAIGNS, "/1/5/")


def test_only_admin_grants_admin():
    assert [role for role, actions in ROLE_ACTIONS.items() if Action.GRANT_ADMIN in actions] == [
        "admin"
    ]


def test_scope_paths_fold_nested_grants():
    grants = [
        Grant("municipal_coordinator", "/1/2/"),
        Grant("school_respondent", "/1/2/5/"),
        Grant("school_respondent", "/1/3/6/"),
    ]
    assert scope_paths(grants, Action.VIEW_UNIT) == ["/1/2/", "/1/3/6/"]
    assert scope_paths(grants, Action.REVIEW_REPORTS) == ["/1/2/"]


# Region /1/ with municipality /1/2/ and its school /1/2/3/; another region /9/.
@pytest.mark.parametrize(
    ("unit_paths", "owner_path", "offered"),
    [
        (["/1/2/3/"], "/1/", True),  # a school: its region's forms
        (["/1/2/3/"], "/1/2/", True),  # and its municipality's
        (["/1/2/3/"], "/9/", False),  # not another region's
        (["/1/"], "/1/2/", True),  # a region: its municipalities' forms
        (["/1/2/"], "/1/4/", False),  # a municipality: not its neighbour's
        (["/1/2/3/"], "/1/2/5/", False),  # a school: not another school's
        (["/12/"], "/1/", False),  # paths compared whole, not as text prefixes
        ([""], "/9/", True),  # an installation-wide grant: every owner
        (["/9/", "/1/2/3/"], "/1/", True),  # any of the user's units
        ([], None, True),  # owned by no unit: the whole installation's
        ([], "/1/", False),  # no role: nothing owned
    ],
)
def test_what_a_unit_owns_is_offered_in_its_territory(
    unit_paths: list[str], owner_path: str | None, offered: bool
) -> None:
    assert owner_in_territory(unit_paths, owner_path) is offered
