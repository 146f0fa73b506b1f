"""Edits of a form schema document as the designer makes them: find, add, remove and move
its elements, and read the compiler's issues per element. Pure: no Flask, no database.

An element is named by its position ("field-2-3": the fourth field of the third section),
not by its id: a draft may hold a duplicate or an empty id until it is mended, and a save
from an older page is refused by the draft's revision, so positions never go stale."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from collector.designer import slugs
from collector.schema.errors import Issue
from collector.schema.kinds import field_kinds
from collector.schema.validate import check_expressions, depth_issues, validate

Document = dict[str, Any]

IDENTITY = "identity"
JSON_TAB = "json"
LISTS = ("rules", "indicators", "recommendations")
_KEY = re.compile(
    r"^(section)-(\d+)$|^(field)-(\d+)-(\d+)$|^(rule|indicator|recommendation)-(\d+)$"
)
_PATH = re.compile(
    r"^\$\.(?:sections\[(\d+)\](?:\.fields\[(\d+)\])?"
    r"|(rules|indicators|recommendations)\[(\d+)\])"
)


class ElementNotFound(LookupError):
    """The element named is not in the document (an old link, a hand-made URL)."""


@dataclass(frozen=True)
class Element:
    key: str
    kind: str  # identity, section, field, rule, indicator
    section: int | None = None
    index: int | None = None


def parse_key(document: Document, key: str) -> Element:
    if key == IDENTITY:
        return Element(key, IDENTITY)
    found = _KEY.match(key)
    if not found:
        raise ElementNotFound(key)
    if found.group(1):
        s = int(found.group(2))
        element = Element(key, "section", s)
    elif found.group(3):
        element = Element(key, "field", int(found.group(4)), int(found.group(5)))
    else:
        element = Element(key, str(found.group(6)), None, int(found.group(7)))
    try:
        raw(document, element)
    except (IndexError, KeyError, TypeError):
        raise ElementNotFound(key) from None
    return element


def raw(document: Document, element: Element) -> dict[str, Any]:
    """The element's own dict inside the document (edited in place by callers)."""
    if element.kind == IDENTITY:
        return document
    if element.kind == "section":
        assert element.section is not None
        found: dict[str, Any] = document["sections"][element.section]
    elif element.kind == "field":
        assert element.section is not None and element.index is not None
        found = document["sections"][element.section]["fields"][element.index]
    else:
        assert element.index is not None
        found = document[element.kind + "s"][element.index]
    if not isinstance(found, dict):
        raise TypeError(element.key)
    return found


def key_of_path(path: str) -> str:
    """The element an issue's JSON path concerns ("$.sections[1].fields[0].label" →
    "field-1-0"); the form's identity for anything else."""
    found = _PATH.match(path)
    if not found:
        return IDENTITY
    if found.group(3):
        return f"{found.group(3)[:-1]}-{found.group(4)}"
    if found.group(2) is not None:
        return f"field-{found.group(1)}-{found.group(2)}"
    return f"section-{found.group(1)}"


def sections(document: Document) -> list[dict[str, Any]]:
    found = document.get("sections")
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def fields_of(section: dict[str, Any]) -> list[dict[str, Any]]:
    found = section.get("fields")
    return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []


def list_items(document: Document, name: str) -> list[Any]:
    """The document's rules or indicators; none when a hand-made draft has no list there."""
    found = document.get(name)
    return found if isinstance(found, list) else []


def field_ids(document: Document) -> list[str]:
    return [
        str(field["id"])
        for section in sections(document)
        for field in fields_of(section)
        if isinstance(field.get("id"), str)
    ]


def all_ids(document: Document) -> set[str]:
    """Every id the form uses (sections, fields, rules, indicators): a new one avoids them."""
    found = {str(s.get("id")) for s in sections(document)} | set(field_ids(document))
    for name in LISTS:
        items = document.get(name)
        if isinstance(items, list):
            found |= {str(item.get("id")) for item in items if isinstance(item, dict)}
    return found


def free_id(document: Document, stem: str) -> str:
    taken = all_ids(document)
    number = 1
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


# The id a new question is given until it has words of its own (add_field).
_PLACEHOLDER = re.compile(r"^field_\d+$")
NEW_QUESTION = "Новый вопрос"


def name_from_label(document: Document, element: Element, previous_label: str) -> None:
    """A question's id follows its label («Число участников» → chislo_uchastnikov, free in
    the form) while the id is one the designer made: the one it was added with (field_3)
    or the one made from its label before (`previous_label`). Not once the coordinator
    typed an id of their own, nor when the id is named anywhere else (a formula, a rule),
    nor before the label is written."""
    field = raw(document, element)
    ident, label = field.get("id"), text_of_title(field, "label")
    if not isinstance(ident, str) or label in ("—", NEW_QUESTION):
        return
    made_before = slugs.slug(previous_label, "_", "q")
    made = _PLACEHOLDER.match(ident) or re.fullmatch(rf"{re.escape(made_before)}(_\d+)?", ident)
    if not made or len(re.findall(rf"\b{re.escape(ident)}\b", json_text(document, 0))) > 1:
        return
    taken = all_ids(document) - {ident}
    field["id"] = slugs.free(slugs.slug(label, "_", "q"), taken.__contains__, "_")


def add_list_item(field: dict[str, Any], name: str) -> None:
    """A new option, grid row or column at the end of a question's list, named by the
    first free number ("Вариант 3", code "3"), to be renamed in place."""
    items = field.setdefault(name, [])
    if name not in ("options", "rows", "columns") or not isinstance(items, list):
        raise ElementNotFound(name)
    key = "value" if name == "options" else "id"
    taken = {str(item.get(key)) for item in items if isinstance(item, dict)}
    number = len(items) + 1
    stem = {"options": "", "rows": "row_", "columns": "col_"}[name]
    while f"{stem}{number}" in taken:
        number += 1
    label = {"options": "Вариант", "rows": "Строка", "columns": "Столбец"}[name]
    item: dict[str, Any] = {key: f"{stem}{number}", "label": f"{label} {number}"}
    if name == "columns":
        kind = field_kinds().get(str(field.get("type")))
        item["type"] = (kind.new_column_type if kind else None) or "text"
    items.append(item)


def add_section(document: Document) -> str:
    ident = free_id(document, "section")
    number = len(sections(document)) + 1
    document.setdefault("sections", []).append(
        {"id": ident, "title": f"Раздел {number}", "fields": []}
    )
    return f"section-{len(document['sections']) - 1}"


def add_field(document: Document, section: int, field_type: str) -> str:
    fields = document["sections"][section].setdefault("fields", [])
    ident = free_id(document, "field")
    fields.append(
        {"id": ident, "type": field_type, "label": NEW_QUESTION}
        | copy.deepcopy(dict(kind.starter) if (kind := field_kinds().get(field_type)) else {})
    )
    return f"field-{section}-{len(fields) - 1}"


def add_item(document: Document, name: str) -> str:
    """A new rule or indicator, true or counting every unit until it is written; a new
    recommendation proposed for the form's first indicator below its target."""
    ident = free_id(document, name[:-1])
    item: dict[str, Any]
    if name == "rules":
        item = {"id": ident, "check": "true", "message": "Проверьте ответы"}
    elif name == "recommendations":
        first = [i.get("id") for i in list_items(document, "indicators") if isinstance(i, dict)]
        item = {
            "id": ident,
            "title": "Новая рекомендация",
            "text": "Текст рекомендации",
            "indicators": first[:1],
            "when": ["below_target"],
            "source": {},
        }
    else:
        item = {"id": ident, "title": "Новый показатель", "formula": "count_if(true)", "source": {}}
    document.setdefault(name, []).append(item)
    return f"{name[:-1]}-{len(document[name]) - 1}"


def duplicate(document: Document, element: Element) -> str:
    """A copy of a section, question, rule or indicator right after it, under free ids
    (a section's questions too): many questions of a form differ in a word."""
    items = _container(document, element)
    position = _position(element)
    copied = copy.deepcopy(items[position])
    items.insert(position + 1, copied)
    # Renamed one by one once in the document, so each new id is seen by the next.
    copied["id"] = free_id(document, str(copied.get("id") or element.kind))
    if element.kind == "section":
        for field in fields_of(copied):
            field["id"] = free_id(document, str(field.get("id") or "field"))
    return _key(element, position + 1)


def remove(document: Document, element: Element) -> None:
    if element.kind == "section":
        del document["sections"][element.section]
    elif element.kind == "field":
        del document["sections"][element.section]["fields"][element.index]
    elif element.kind + "s" in LISTS:
        del document[element.kind + "s"][element.index]


def _container(document: Document, element: Element) -> list[Any]:
    if element.kind == "section":
        found: list[Any] = document["sections"]
    elif element.kind == "field":
        found = document["sections"][element.section]["fields"]
    else:
        found = document[element.kind + "s"]
    return found


def _position(element: Element) -> int:
    position = element.section if element.kind == "section" else element.index
    assert position is not None
    return position


def _key(element: Element, position: int, section: int | None = None) -> str:
    if element.kind == "section":
        return f"section-{position}"
    if element.kind == "field":
        return f"field-{element.section if section is None else section}-{position}"
    return f"{element.kind}-{position}"


def move(document: Document, element: Element, step: int) -> str:
    """Move one place up (-1) or down (+1) among its siblings; a field at the edge of
    its section goes on to the end of the previous or the start of the next section."""
    items = _container(document, element)
    position = _position(element)
    target = position + step
    if 0 <= target < len(items):
        items[position], items[target] = items[target], items[position]
        return _key(element, target)
    if element.kind == "field":
        assert element.section is not None
        neighbour = element.section + step
        if 0 <= neighbour < len(document["sections"]):
            moved = items.pop(position)
            fields = document["sections"][neighbour].setdefault("fields", [])
            place = len(fields) if step < 0 else 0
            fields.insert(place, moved)
            return f"field-{neighbour}-{place}"
    return element.key


def move_field_to(document: Document, element: Element, section: int) -> str:
    """Move a field to the end of another section."""
    if section == element.section:
        return element.key
    moved = document["sections"][element.section]["fields"].pop(element.index)
    fields = document["sections"][section].setdefault("fields", [])
    fields.append(moved)
    return f"field-{section}-{len(fields) - 1}"


def reorder(document: Document, order: list[list[str]]) -> None:
    """Put sections and fields in the order dragged: `order` lists the sections by their
    current key ("section-1"), each followed by its fields' current keys ("field-0-2").
    Every section and field must be named exactly once."""
    old = sections(document)
    if len(old) != len(document.get("sections", [])) or not all(
        isinstance(section.get("fields", []), list) for section in old
    ):
        raise ValueError("the sections are malformed")
    if not isinstance(order, list) or not all(
        isinstance(row, list) and row and all(isinstance(key, str) for key in row) for row in order
    ):
        raise ValueError("the order is a list of rows of keys, each row a section first")
    named_sections = [row[0] for row in order if row]
    wanted = {f"section-{n}" for n in range(len(old))}
    named_fields = [key for row in order for key in row[1:]]
    wanted_fields = {
        f"field-{s}-{f}"
        for s, section in enumerate(old)
        for f in range(len(section.get("fields", [])))
    }
    if sorted(named_sections) != sorted(wanted) or sorted(named_fields) != sorted(wanted_fields):
        raise ValueError("the order does not name every section and field once")
    rebuilt = []
    for row in order:
        section = old[int(row[0].split("-")[1])]
        fields = []
        for key in row[1:]:
            _, s, f = key.split("-")
            fields.append(old[int(s)]["fields"][int(f)])
        rebuilt.append(section | {"fields": fields})
    document["sections"] = rebuilt


def issues_by_element(issues: list[Issue]) -> dict[str, list[Issue]]:
    found: dict[str, list[Issue]] = {}
    for issue in issues:
        found.setdefault(key_of_path(issue.path), []).append(issue)
    return found


def expression_issues(document: Document, element: Element, key: str, source: str) -> list[Issue]:
    """The compiler's issues of one expression as if the element held `source` at `key`
    (visible_if, check, formula, not_applicable_if), the rest of the draft as it is."""
    if not source.strip():
        return []
    path = f"{_element_path(element)}.{key}"
    # A draft nested too deeply (stored before the bound) is not read further: its
    # depth is what the input is told.
    too_deep = depth_issues(document)
    if too_deep:
        return too_deep
    trial = copy.deepcopy(document)
    raw(trial, element)[key] = source
    # Only the expression checks speak of expression paths: the meta-schema's validation
    # of the whole document (a quarter of a megabyte) is not run on every keystroke.
    try:
        found = check_expressions(trial)
    except (KeyError, TypeError, AttributeError, IndexError):
        return []  # elsewhere the draft does not yet have the shape they read
    return [issue for issue in found if issue.path == path]


def _element_path(element: Element) -> str:
    if element.kind == "section":
        return f"$.sections[{element.section}]"
    if element.kind == "field":
        return f"$.sections[{element.section}].fields[{element.index}]"
    if element.kind + "s" in LISTS:
        return f"$.{element.kind}s[{element.index}]"
    return "$"


def outline(document: Document) -> Iterator[tuple[str, dict[str, Any], list[tuple[str, Any]]]]:
    """(section key, section, [(field key, field)]) in document order."""
    for s, section in enumerate(sections(document)):
        yield (
            f"section-{s}",
            section,
            [(f"field-{s}-{f}", field) for f, field in enumerate(fields_of(section))],
        )


def text_of_title(item: Any, key: str = "title") -> str:
    """An element's title (or label) in Russian, for lists; "—" when it has none yet."""
    value = item.get(key) if isinstance(item, dict) else None
    if isinstance(value, dict):
        value = value.get("ru")
    return value if isinstance(value, str) and value else "—"


def compile_issues(document: Document) -> list[Issue]:
    return validate(document)


def json_text(value: Any, indent: int = 2) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`, written with an explicit stack:
    json's encoder recurses once or twice per level, and a draft stored before the depth
    bound may nest hundreds of levels; its JSON page must still show it to be mended."""
    out: list[str] = []
    # Work to do, last first: text to write, or a value to write at a nesting level.
    todo: list[tuple[str, Any, int]] = [("value", value, 0)]
    while todo:
        what, item, level = todo.pop()
        if what == "text":
            out.append(item)
            continue
        if isinstance(item, dict | list) and item:
            pad = "\n" + " " * (indent * (level + 1))
            opening, closing = ("{", "}") if isinstance(item, dict) else ("[", "]")
            out.append(opening)
            pairs = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            steps: list[tuple[str, Any, int]] = []
            for n, (name, child) in enumerate(pairs):
                prefix = ("," if n else "") + pad
                if name is not None:
                    prefix += json.dumps(name, ensure_ascii=False) + ": "
                steps += [("text", prefix, level), ("value", child, level + 1)]
            steps.append(("text", "\n" + " " * (indent * level) + closing, level))
            todo.extend(reversed(steps))
        else:
            out.append(json.dumps(item, ensure_ascii=False))
    return "".join(out)
