"""The fields of several versions of one form lined up as one list, so that one sheet
holds the answers of every version: each field once, as its newest version defines it,
and a choice keeping the options older versions offered (an old answer with a code the
newest version dropped still finds its label and, for a multiple choice, its column)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from collector.schema.spec import FieldSpec, FormSpec, Option

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "rating"})


def lined_up_fields(specs: Sequence[FormSpec]) -> list[FieldSpec]:
    """One field per field id across `specs` (versions of one form, in any order): the
    newest version's fields in its order, then the fields only older versions had (newest
    version first, each in its order). A field is defined by the newest version that has
    it; a single/multiple choice or rating with options offers the newest version's
    options, then those only older versions had (newest first)."""
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
    if newest.type not in CHOICE_TYPES or not newest.options:
        return newest
    options: dict[str, Option] = {}
    for definition in definitions:
        for option in definition.options:
            options.setdefault(option.value, option)
    if len(options) == len(newest.options):
        return newest
    return replace(newest, options=tuple(options.values()))
