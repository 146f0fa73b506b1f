"""The fields of several versions of one form lined up as one list, so that one sheet
holds the answers of every version: each field once, as its newest version defines it,
and a choice keeping the options older versions offered (an old answer with a code the
newest version dropped still finds its label and, for a multiple choice, its column), a
grid its rows and columns, a table its columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from collector.schema.spec import FieldSpec, FormSpec

Item = TypeVar("Item")


def lined_up_fields(specs: Sequence[FormSpec]) -> list[FieldSpec]:
    """One field per field id across `specs` (versions of one form, in any order): the
    newest version's fields in its order, then the fields only older versions had (newest
    version first, each in its order). A field is defined by the newest version that has
    it; a single/multiple choice or rating with options offers the newest version's
    options, then those only older versions had (newest first); a grid its rows and
    columns, a table its columns, likewise."""
    if len({spec.id for spec in specs}) > 1:
        raise ValueError("lined_up_fields takes versions of one form")
    newest_first = sorted(specs, key=lambda spec: spec.version, reverse=True)
    versions: dict[str, list[FieldSpec]] = {}  # field id -> its definitions, newest first
    for spec in newest_first:
        for field in spec.fields:
            versions.setdefault(field.id, []).append(field)
    return [_lined_up(definitions) for definitions in versions.values()]


def _lined_up(definitions: list[FieldSpec]) -> FieldSpec:
    newest = definitions[0]
    changes: dict[str, Any] = {}
    # Options, a grid's rows and columns, a table's columns older versions had keep
    # their cells in the sheet (columns only from versions of the same type).
    if newest.options:
        changes["options"] = _union(definitions, lambda f: f.options, lambda o: o.value)
    if newest.rows:
        changes["rows"] = _union(definitions, lambda f: f.rows, lambda o: o.value)
    if newest.columns:
        same_type = [d for d in definitions if d.type == newest.type]
        changes["columns"] = _union(same_type, lambda f: f.columns, lambda c: c.id)
    changed = {key: value for key, value in changes.items() if value != getattr(newest, key)}
    return replace(newest, **changed) if changed else newest


def _union(
    definitions: list[FieldSpec],
    items: Callable[[FieldSpec], tuple[Item, ...]],
    key: Callable[[Item], str],
) -> tuple[Item, ...]:
    """The items of every definition by key, newest first: the newest version's in its
    order, then those only older versions had."""
    found: dict[str, Item] = {}
    for definition in definitions:
        for item in items(definition):
            found.setdefault(key(item), item)
    return tuple(found.values())
