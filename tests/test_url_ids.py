"""Issue 23: an id no database row can have is "not found", on every route and in every
query string, never a 500. One converter bounds every integer in a URL (registered by
the app factory as `int`), one helper (`routing.id_value`) every id read from a query
string or a form; this test walks the URL map so a new route is checked without being
listed here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from collector.routing import LARGEST_ID, BoundedIntegerConverter
from tests.conftest import login_as
from tests.fuzz.crawl import fillings
from tests.fuzz.world import build_world

HUGE = "99999999999999999999"
# Query arguments any page reads as an id, a page number, a year or an element key.
QUERY = {
    name: HUGE
    for name in ("unit", "page", "year", "compare", "together", "element", "response", "section")
}
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@pytest.fixture
def app_config() -> dict[str, Any]:
    # A failure is the app's own 500 page, as a user would get it (and counted below).
    return {"PROPAGATE_EXCEPTIONS": False, "RATELIMIT_ENABLED": False}


def rules_with_arguments(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.arguments and r.endpoint != "static"]


def integer_arguments(rule: Rule) -> set[str]:
    return {name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)}


def filled(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with each parameter written as given (no converter checks it)."""
    return PARAMETER.sub(lambda m: str(values[m.group(1)]), rule.rule)


def test_every_integer_in_a_url_is_read_by_the_one_bounded_converter(app):
    seen = {
        name: type(converter)
        for rule in rules_with_arguments(app)
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
    }
    assert seen, "the URL map has no integer parameter: the walk below would check nothing"
    assert set(seen.values()) == {BoundedIntegerConverter}
    # Every parameter named like an id is an integer one, or one of the string ids.
    string_ids = {
        name
        for rule in rules_with_arguments(app)
        for name in rule.arguments - integer_arguments(rule)
        if name.endswith("_id")
    }
    # A form's code; a job's uuid; a stored file's random id; an imported table's id as
    # its form declares it.
    assert string_ids == {"form_id", "job_id", "file_id", "import_id"}


def test_an_oversized_id_anywhere_in_a_url_is_not_found(app, client, people):
    login_as(client, people["admin"])
    checked = []
    for rule in rules_with_arguments(app):
        path = filled(rule, dict.fromkeys(rule.arguments, HUGE))
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            reply = client.open(path, method=method)
            assert reply.status_code < 500, f"{method} {path}: {reply.status_code}"
            if rule.rule.startswith("/api/") and not integer_arguments(rule):
                # A string id is looked up only for a bearer token; the session is no
                # credential there (tests/api covers the lookups).
                assert reply.status_code == 401, f"{method} {path}: {reply.status_code}"
            elif (
                integer_arguments(rule)
                or method == "GET"
                and rule.arguments
                & {
                    "form_id",
                    "job_id",
                    "file_id",
                }
            ):
                assert reply.status_code == 404, f"{method} {path}: {reply.status_code}"
            checked.append(f"{method} {path}")
    assert "GET /entry/response/" + HUGE in checked
    assert f"GET /campaigns/{HUGE}/links/{HUGE}/flyer" in checked
    assert "GET /designer/drafts/" + HUGE in checked


def test_the_largest_id_a_column_holds_is_still_routed(app):
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/campaigns/{LARGEST_ID}")
    assert (endpoint, values) == ("campaigns.detail", {"campaign_id": LARGEST_ID})
    with pytest.raises(Exception, match="404"):
        adapter.match(f"/campaigns/{LARGEST_ID + 1}")


def test_real_pages_with_one_oversized_id_or_oversized_query_ids_never_fail(
    app, client, tree, people, make_user
):
    """Every GET route filled with a real world's ids: each integer id in turn made
    oversized is a 404; every oversized query argument is ignored (the page answers as
    without it), for an admin and for the school."""
    world = build_world(app, tree, people, make_user)
    failures: list[str] = []
    pages = 0
    for who in ("admin", "school"):
        login_as(client, world.people[who])
        for rule in rules_with_arguments(app):
            if "GET" not in (rule.methods or set()):
                continue
            for values in (fillings(rule, world.parameters) or [])[:4]:
                for name in integer_arguments(rule):
                    path = filled(rule, {**values, name: HUGE})
                    status = client.get(path).status_code
                    if status != 404:
                        failures.append(f"{who} GET {path}: {status}")
                path = filled(rule, values)
                plain = client.get(path).status_code
                hostile = client.get(path, query_string=QUERY).status_code
                pages += 1
                if hostile >= 500 or (plain == 200 and hostile != 200):
                    failures.append(f"{who} GET {path}?…={HUGE}: {hostile} (without: {plain})")
    assert pages > 30
    assert failures == []
