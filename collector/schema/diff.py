"""What changed between two versions of one form, matched by stable ids: fields added,
removed, relabelled, retyped or moved; options, grid rows and columns; visibility
conditions; sections; rules; indicators; the recommendations it declares and the kinds of
measures it lists; the form's identity. Each change names the id it
concerns and its old and new values as readable text (labels by their Russian text); a
change that orphans answers already collected or changes their meaning carries a warning.

Pure: documents in, changes out. Documents are taken as the compiler accepts them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from collector.marks import mark_for_translation
from collector.schema.expressions import ExpressionError, Node, parse
from collector.schema.spec import rule_check_source

Document = dict[str, Any]

FIELD_ADDED = "field_added"
FIELD_REMOVED = "field_removed"
FIELD_RENAMED = "field_renamed"  # its label changed
FIELD_RETYPED = "field_retyped"
FIELD_MOVED = "field_moved"  # to another section
OPTION_ADDED = "option_added"
OPTION_REMOVED = "option_removed"
OPTION_RELABELLED = "option_relabelled"
ROW_ADDED = "row_added"
ROW_REMOVED = "row_removed"
COLUMN_ADDED = "column_added"
COLUMN_REMOVED = "column_removed"
COLUMN_RETYPED = "column_retyped"
VISIBILITY_CHANGED = "visibility_changed"
SECTION_ADDED = "section_added"
SECTION_REMOVED = "section_removed"
RULE_ADDED = "rule_added"
RULE_REMOVED = "rule_removed"
RULE_CHANGED = "rule_changed"  # its check changed
INDICATOR_ADDED = "indicator_added"
INDICATOR_REMOVED = "indicator_removed"
FORMULA_CHANGED = "formula_changed"
TARGET_CHANGED = "target_changed"
IDENTITY_CHANGED = "identity_changed"  # title, kind, respondents or source
RECOMMENDATION_ADDED = "recommendation_added"
RECOMMENDATION_REMOVED = "recommendation_removed"
# Its title, text, the indicators it is attached to, or the condition that proposes it.
RECOMMENDATION_CHANGED = "recommendation_changed"
MEASURE_KIND_ADDED = "measure_kind_added"
MEASURE_KIND_REMOVED = "measure_kind_removed"
MEASURE_KIND_RELABELLED = "measure_kind_relabelled"
# A date set for the recommendations (prepared, sent): set, moved or dropped.
RECOMMENDATION_DATE_CHANGED = "recommendation_date_changed"

KINDS: tuple[str, ...] = (
    FIELD_ADDED,
    FIELD_REMOVED,
    FIELD_RENAMED,
    FIELD_RETYPED,
    FIELD_MOVED,
    OPTION_ADDED,
    OPTION_REMOVED,
    OPTION_RELABELLED,
    ROW_ADDED,
    ROW_REMOVED,
    COLUMN_ADDED,
    COLUMN_REMOVED,
    COLUMN_RETYPED,
    VISIBILITY_CHANGED,
    SECTION_ADDED,
    SECTION_REMOVED,
    RULE_ADDED,
    RULE_REMOVED,
    RULE_CHANGED,
    INDICATOR_ADDED,
    INDICATOR_REMOVED,
    FORMULA_CHANGED,
    TARGET_CHANGED,
    IDENTITY_CHANGED,
    RECOMMENDATION_ADDED,
    RECOMMENDATION_REMOVED,
    RECOMMENDATION_CHANGED,
    MEASURE_KIND_ADDED,
    MEASURE_KIND_REMOVED,
    MEASURE_KIND_RELABELLED,
    RECOMMENDATION_DATE_CHANGED,
)

# The kinds of change that orphan answers already collected or change their meaning.
# Plain English sentences, marked for extraction and translated where they are shown.
WARNINGS: dict[str, str] = {
    FIELD_REMOVED: mark_for_translation(
        "Answers already collected to this field stay in exports, "
        "but the new version no longer asks it."
    ),
    FIELD_RETYPED: mark_for_translation(
        "Answers already collected were given to a question of another type; their meaning changes."
    ),
    OPTION_REMOVED: mark_for_translation(
        "Answers already collected with this option code are orphaned: "
        "no option of the new version shows them."
    ),
    COLUMN_RETYPED: mark_for_translation(
        "Answers already collected in this column were given as another type; "
        "their meaning changes."
    ),
    ROW_REMOVED: mark_for_translation(
        "Answers already collected in this row stay in exports, "
        "but the new version no longer asks for it."
    ),
    COLUMN_REMOVED: mark_for_translation(
        "Answers already collected in this column stay in exports, "
        "but the new version no longer asks for it."
    ),
    FORMULA_CHANGED: mark_for_translation(
        "Values computed before and after the change are not comparable."
    ),
}

# The keys of a document that make up its identity, in the order they are compared.
IDENTITY_KEYS: tuple[str, ...] = ("title", "kind", "respondents", "source")


@dataclass(frozen=True)
class Change:
    kind: str
    path: str  # the id concerned: "field", "field.option", "field.column.option", ...
    before: str | None = None
    after: str | None = None
    warning: str | None = None


def change(kind: str, path: str, before: str | None = None, after: str | None = None) -> Change:
    """A change of `kind`, with that kind's warning if it has one."""
    return Change(kind, path, before, after, WARNINGS.get(kind))


def warnings(changes: Iterable[Change]) -> list[Change]:
    """The changes that carry a warning, in their order."""
    return [c for c in changes if c.warning is not None]


# --- what a document declares -------------------------------------------------------


def _fields(document: Document) -> Iterator[tuple[str, Document]]:
    """(section id, field) in document order."""
    for section in document.get("sections", []):
        for field in section.get("fields", []):
            yield section["id"], field


def published_ids(document: Document) -> set[str]:
    """Every field id the document declares."""
    return {field["id"] for _, field in _fields(document)}


def option_codes(document: Document) -> dict[str, set[str]]:
    """Field id -> the option values it offers; a grid's or table's column with options
    as "field.column"."""
    codes: dict[str, set[str]] = {}
    for _, field in _fields(document):
        if field.get("options"):
            codes[field["id"]] = {o["value"] for o in field["options"]}
        for column in field.get("columns", []):
            if column.get("options"):
                codes[f"{field['id']}.{column['id']}"] = {o["value"] for o in column["options"]}
    return codes


# --- readable values --------------------------------------------------------------


def _ru(text: Any) -> str | None:
    if text is None:
        return None
    if isinstance(text, str):
        return text
    return str(text.get("ru", ""))


def _label_change(before: Any, after: Any) -> tuple[str, str] | None:
    """None if the two texts are the same; else the two as shown: the Russian text, or
    "ru / en" where only the English text changed."""
    if _normal_text(before) == _normal_text(after):
        return None
    old, new = _ru(before) or "", _ru(after) or ""
    if old != new:
        return old, new
    return _with_english(before), _with_english(after)


def _normal_text(text: Any) -> tuple[str | None, str | None]:
    if text is None or isinstance(text, str):
        return text, None
    return text.get("ru"), text.get("en")


def _with_english(text: Any) -> str:
    ru, en = _normal_text(text)
    return f"{ru or ''} / {en}" if en else ru or ""


def _shown(value: Any) -> str | None:
    """A value of the document's identity as one line of text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) <= {"ru", "en"} and "ru" in value:
        return str(value["ru"])
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _same_expression(before: str | None, after: str | None) -> bool:
    """Two expressions are the same if they parse to the same tree (spacing and
    redundant parentheses aside)."""
    if before is None or after is None:
        return before is after
    return _tree(before) == _tree(after)


def _tree(source: str) -> Node | str:
    try:
        return parse(source)
    except ExpressionError:
        return " ".join(source.split())


def _targets(targets: dict[str, Any] | None) -> str | None:
    if not targets:
        return None
    return ", ".join(f"{year}: {targets[year]}" for year in sorted(targets))


def _by_id(items: Iterable[Document], key: str = "id") -> dict[str, Document]:
    return {item[key]: item for item in items}


# --- comparing --------------------------------------------------------------------


def _options(path: str, before: list[Document], after: list[Document]) -> Iterator[Change]:
    old = _by_id(before, "value")
    new = _by_id(after, "value")
    for value, option in new.items():
        where = f"{path}.{value}"
        if value not in old:
            yield change(OPTION_ADDED, where, None, _ru(option["label"]))
            continue
        relabel = _label_change(old[value]["label"], option["label"])
        if relabel:
            yield change(OPTION_RELABELLED, where, *relabel)
    for value, option in old.items():
        if value not in new:
            yield change(OPTION_REMOVED, f"{path}.{value}", _ru(option["label"]), None)


def _rows(path: str, before: list[Document], after: list[Document]) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for row_id, row in new.items():
        if row_id not in old:
            yield change(ROW_ADDED, f"{path}.{row_id}", None, _ru(row["label"]))
    for row_id, row in old.items():
        if row_id not in new:
            yield change(ROW_REMOVED, f"{path}.{row_id}", _ru(row["label"]), None)


def _columns(path: str, before: list[Document], after: list[Document]) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for column_id, column in new.items():
        where = f"{path}.{column_id}"
        if column_id not in old:
            yield change(COLUMN_ADDED, where, None, _ru(column["label"]))
            continue
        previous = old[column_id]
        if previous["type"] != column["type"]:
            yield change(COLUMN_RETYPED, where, previous["type"], column["type"])
        yield from _options(where, previous.get("options", []), column.get("options", []))
    for column_id, column in old.items():
        if column_id not in new:
            yield change(COLUMN_REMOVED, f"{path}.{column_id}", _ru(column["label"]), None)


def _field(
    before_section: str, before: Document, after_section: str, after: Document
) -> Iterator[Change]:
    fid = after["id"]
    if before_section != after_section:
        yield change(FIELD_MOVED, fid, before_section, after_section)
    relabel = _label_change(before["label"], after["label"])
    if relabel:
        yield change(FIELD_RENAMED, fid, *relabel)
    if before["type"] != after["type"]:
        yield change(FIELD_RETYPED, fid, before["type"], after["type"])
    old_condition, new_condition = before.get("visible_if"), after.get("visible_if")
    if not _same_expression(old_condition, new_condition):
        yield change(VISIBILITY_CHANGED, fid, old_condition, new_condition)
    yield from _options(fid, before.get("options", []), after.get("options", []))
    yield from _rows(fid, before.get("rows", []), after.get("rows", []))
    yield from _columns(fid, before.get("columns", []), after.get("columns", []))


def _identity(before: Document, after: Document) -> Iterator[Change]:
    for key in IDENTITY_KEYS:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        shown_old, shown_new = _shown(old), _shown(new)
        if key == "title":
            relabel = _label_change(old, new)
            if relabel:
                shown_old, shown_new = relabel
        yield change(IDENTITY_CHANGED, key, shown_old, shown_new)


def _sections_and_fields(before: Document, after: Document) -> Iterator[Change]:
    old_sections = _by_id(before.get("sections", []))
    new_sections = _by_id(after.get("sections", []))
    old_fields = {field["id"]: (section, field) for section, field in _fields(before)}
    new_fields = {field["id"]: (section, field) for section, field in _fields(after)}
    for section_id, section in new_sections.items():
        if section_id not in old_sections:
            yield change(SECTION_ADDED, section_id, None, _ru(section["title"]))
        for field in section.get("fields", []):
            fid = field["id"]
            if fid not in old_fields:
                yield change(FIELD_ADDED, fid, None, _ru(field["label"]))
            else:
                old_section, old_field = old_fields[fid]
                yield from _field(old_section, old_field, section_id, field)
    for section_id, section in old_sections.items():
        if section_id not in new_sections:
            yield change(SECTION_REMOVED, section_id, _ru(section["title"]), None)
        for field in section.get("fields", []):
            if field["id"] not in new_fields:
                yield change(FIELD_REMOVED, field["id"], _ru(field["label"]), None)


def _rules(before: Document, after: Document) -> Iterator[Change]:
    old, new = _by_id(before.get("rules", [])), _by_id(after.get("rules", []))
    for rule_id, rule in new.items():
        check = rule_check_source(rule)
        if rule_id not in old:
            yield change(RULE_ADDED, rule_id, None, check)
        elif not _same_expression(rule_check_source(old[rule_id]), check):
            yield change(RULE_CHANGED, rule_id, rule_check_source(old[rule_id]), check)
    for rule_id, rule in old.items():
        if rule_id not in new:
            yield change(RULE_REMOVED, rule_id, rule_check_source(rule), None)


def _indicators(before: Document, after: Document) -> Iterator[Change]:
    old, new = _by_id(before.get("indicators", [])), _by_id(after.get("indicators", []))
    for indicator_id, indicator in new.items():
        if indicator_id not in old:
            yield change(INDICATOR_ADDED, indicator_id, None, _ru(indicator["title"]))
            continue
        previous = old[indicator_id]
        old_formula, new_formula = previous.get("formula"), indicator.get("formula")
        if not _same_expression(old_formula, new_formula):
            yield change(FORMULA_CHANGED, indicator_id, old_formula, new_formula)
        # When it is not applicable decides which units count: as much its meaning.
        old_rule, new_rule = previous.get("not_applicable_if"), indicator.get("not_applicable_if")
        if not _same_expression(old_rule, new_rule):
            yield change(FORMULA_CHANGED, f"{indicator_id}.not_applicable_if", old_rule, new_rule)
        old_targets, new_targets = previous.get("targets", {}), indicator.get("targets", {})
        if old_targets != new_targets:
            yield change(TARGET_CHANGED, indicator_id, _targets(old_targets), _targets(new_targets))
    for indicator_id, indicator in old.items():
        if indicator_id not in new:
            yield change(INDICATOR_REMOVED, indicator_id, _ru(indicator["title"]), None)


def _listed(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def _recommendations(before: Document, after: Document) -> Iterator[Change]:
    """Recommendations by id: added, removed, and per changed part (title, text, the
    indicators it is attached to, the reasons that propose it). A recommendation already
    drafted or sent keeps its own text, so none of these orphans anything."""
    old = _by_id(before.get("recommendations", []))
    new = _by_id(after.get("recommendations", []))
    for rec_id, rec in new.items():
        if rec_id not in old:
            yield change(RECOMMENDATION_ADDED, rec_id, None, _ru(rec.get("title")))
            continue
        previous = old[rec_id]
        for key in ("title", "text"):
            relabel = _label_change(previous.get(key), rec.get(key))
            if relabel:
                yield change(RECOMMENDATION_CHANGED, f"{rec_id}.{key}", *relabel)
        for key in ("indicators", "when"):
            if list(previous.get(key) or []) != list(rec.get(key) or []):
                yield change(
                    RECOMMENDATION_CHANGED,
                    f"{rec_id}.{key}",
                    _listed(previous.get(key)),
                    _listed(rec.get(key)),
                )
    for rec_id, rec in old.items():
        if rec_id not in new:
            yield change(RECOMMENDATION_REMOVED, rec_id, _ru(rec.get("title")), None)
    old_dates = before.get("recommendation_deadlines") or {}
    new_dates = after.get("recommendation_deadlines") or {}
    for step in ("prepared", "sent"):
        was, now = old_dates.get(step, {}).get("date"), new_dates.get(step, {}).get("date")
        if was != now:
            yield change(RECOMMENDATION_DATE_CHANGED, f"recommendation_deadlines.{step}", was, now)


def _measure_kinds(before: Document, after: Document) -> Iterator[Change]:
    """The kinds of measures the document lists, by code (a measure recorded keeps its
    code and is read with the version of its campaign)."""
    old = _by_id(before.get("measure_kinds", []), "value")
    new = _by_id(after.get("measure_kinds", []), "value")
    for value, kind in new.items():
        where = f"measure_kinds.{value}"
        if value not in old:
            yield change(MEASURE_KIND_ADDED, where, None, _ru(kind.get("label")))
            continue
        relabel = _label_change(old[value].get("label"), kind.get("label"))
        if relabel:
            yield change(MEASURE_KIND_RELABELLED, where, *relabel)
    for value, kind in old.items():
        if value not in new:
            yield change(MEASURE_KIND_REMOVED, f"measure_kinds.{value}", _ru(kind.get("label")))


def diff_documents(before: Document, after: Document) -> list[Change]:
    """The changes from `before` to `after`, two versions of one form: the identity, then
    sections and fields in the order of `after` (each section or field removed after
    them, in the order of `before`), then rules, indicators, recommendations and the
    kinds of measures."""
    return [
        *_identity(before, after),
        *_sections_and_fields(before, after),
        *_rules(before, after),
        *_indicators(before, after),
        *_recommendations(before, after),
        *_measure_kinds(before, after),
    ]


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def _touches(change_: Change, answers: dict[str, Any]) -> bool:
    """Whether one response holds an answer the change orphans or changes the meaning of."""
    parts = change_.path.split(".")
    value = answers.get(parts[0])
    if change_.kind in (FIELD_REMOVED, FIELD_RETYPED):
        return _answered(value)
    if change_.kind == OPTION_REMOVED and len(parts) == 2:
        return value == parts[1] or (isinstance(value, list) and parts[1] in value)
    if change_.kind == ROW_REMOVED and len(parts) == 2:
        return isinstance(value, dict) and _answered(value.get(parts[1]))
    if change_.kind in (COLUMN_REMOVED, COLUMN_RETYPED) and len(parts) == 2:
        rows = value.values() if isinstance(value, dict) else value
        return isinstance(rows, Iterable) and any(
            isinstance(row, dict) and _answered(row.get(parts[1])) for row in rows
        )
    return False


def answers_touched(
    changes: Iterable[Change], responses: Iterable[dict[str, Any]]
) -> dict[Change, int]:
    """Per warned change about answers, how many of `responses` (their answers) hold an
    answer it orphans: the publish page says "3 answers use this option", not a guess."""
    counted = [c for c in changes if c.warning and c.kind != FORMULA_CHANGED]
    found = dict.fromkeys(counted, 0)
    for answers in responses:
        for change_ in counted:
            if _touches(change_, answers):
                found[change_] += 1
    return found
