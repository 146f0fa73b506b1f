"""What the designer tells a coordinator, in words: each problem the form's check finds
named by the element it concerns («Раздел 1 «Основное»: добавьте хотя бы один вопрос»)
and linked to the input that mends it, and a refused save's summary entries linked to
their fields. The compiler's codes and JSON paths stay in the JSON file and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from collector.designer.document import Document, key_of_path, text_of_title
from collector.schema.errors import Issue

# What each problem means, in words a coordinator reads (by the compiler's code). Codes
# of branches not merged yet are here too: a code shown is never a bare code.
CODE_TEXTS: dict[str, Any] = {
    "json_syntax": _l("the form's file cannot be read: it is damaged"),
    "json_too_deep": _l("the form nests lists inside lists deeper than any form needs"),
    "control_character": _l("a text holds invisible control characters: type it again"),
    "structure": _l("this value is not allowed here"),
    "duplicate_id": _l("this code is already used by another element of the form: choose another"),
    "duplicate_option": _l("two options have the same code"),
    "min_above_max": _l("the minimum is greater than the maximum"),
    "missing_key": _l("this kind of question needs a setting that is missing"),
    "unused_key": _l("a setting means nothing for this kind of question and is not used"),
    "expression_syntax": _l("the condition or formula cannot be read: check brackets and quotes"),
    "expression_too_long": _l("the condition or formula is too long"),
    "expression_too_deep": _l("the condition or formula nests too many brackets"),
    "unknown_reference": _l("the condition or formula names a question the form does not have"),
    "unknown_function": _l("the formula uses a function that does not exist"),
    "function_not_allowed": _l("this function may be used in indicators only"),
    "function_arity": _l("a function is given the wrong number of values"),
    "type_mismatch": _l(
        "the condition or formula combines answers that do not fit together (a number and a text)"
    ),
    "unknown_option": _l(
        "the condition compares an answer with an option the question does not offer"
    ),
    "unknown_figure": _l("the formula names a reference figure that does not exist"),
    "unknown_field": _l("the rule names a question the form does not have"),
    "repeated_part": _l("a group of parts names a question twice, or its total among its parts"),
    "hidden_value_unfit": _l(
        "a value for a hidden question is set where it is never hidden, or outside its range"
    ),
    "not_a_condition": _l("the condition must be answered with yes or no"),
    "not_a_category": _l("the group of respondents must be a question with one answer"),
    "reported_with_itself": _l("a survey is shown together with another form, not with itself"),
    "duplicate_header": _l("two columns of an imported table read the same column of the file"),
    "unknown_school_type": _l("the formula names a type of school that does not exist"),
    "not_a_unit_expression": _l(
        "a count over organisations reads only what is known of them (figures, grades taught, "
        "school type), not answers"
    ),
    "unknown_indicator": _l("a recommendation names an indicator the form does not have"),
    "indicator_not_computed": _l("a recommendation names an indicator that is never computed"),
    "no_such_day": _l("a date set for the recommendations is not a day of every year"),
    "sent_before_prepared": _l("the recommendations are due to be sent before they are prepared"),
}

# The elements' keys in words, and the input of the element's page each is typed in.
KEY_TEXTS: dict[str, Any] = {
    "title": _l("title"),
    "label": _l("question text"),
    "id": _l("code"),
    "message": _l("message"),
    "formula": _l("formula"),
    "check": _l("condition"),
    "visible_if": _l("condition for showing"),
    "not_applicable_if": _l("condition of not applying"),
    "unit": _l("unit"),
    "min": _l("minimum"),
    "max": _l("maximum"),
    "options": _l("options"),
    "rows": _l("rows of the grid"),
    "columns": _l("columns"),
    "unit_types": _l("who answers"),
    "kind": _l("kind of form"),
    "type": _l("kind of question"),
    "targets": _l("targets"),
    "levels": _l("levels"),
    "document": _l("document"),
    "clause": _l("clause"),
    "help": _l("explanation"),
    "description": _l("description"),
}
_INPUTS = {
    "title": "title_ru",
    "label": "label_ru",
    "message": "message_ru",
    "help": "help_ru",
    "description": "description_ru",
    "document": "source_document",
    "clause": "source_clause",
}
_AT_LEAST_ONE: dict[str, Any] = {
    "sections": _l("add at least one section"),
    "fields": _l("add at least one question"),
    "options": _l("add at least one option"),
    "rows": _l("add at least one row"),
    "columns": _l("add at least one column"),
    "unit_types": _l("choose at least one kind of organisation that answers"),
}
# Codes whose compiler message quotes the name at fault ('pupils'): it is named too.
_NAMING = {
    "unknown_reference": 1,
    "unknown_function": 1,
    "unknown_figure": 1,
    "unknown_field": 1,
    "unknown_school_type": 1,
    "duplicate_id": 1,
    "unknown_option": 2,
}
_QUOTED = re.compile(r"'([^']{1,80})'")
_REQUIRED = re.compile(r"'([a-z_]+)' is a required property")
_STEP = re.compile(r"\.([a-z_]+)|\[(\d+)\]")
_ELEMENT = re.compile(r"^\$\.(?:sections\[\d+\](?:\.fields\[\d+\])?|(?:rules|indicators)\[\d+\])")


@dataclass(frozen=True)
class Problem:
    """One problem in words: where (the element), what, and the input that mends it."""

    element: str  # the element's key (document.key_of_path)
    anchor: str  # the id of the input on the element's page ("" for the page itself)
    where: str
    what: str
    warning: bool = False
    code: str = ""  # the compiler's code, for the page's data attributes (never shown)

    @property
    def text(self) -> str:
        return f"{self.where}: {self.what}"


def _steps(path: str) -> list[str]:
    """The names along a JSON path, indexes left out ("$.sections[0].title.ru" → sections,
    title, ru)."""
    return [name for name, _index in _STEP.findall(path) if name]


def _own_key(issue: Issue) -> str:
    """The key of the element the issue is about, past the element itself (`title` of
    "$.sections[0].title.ru", `fields` of "$.sections[0].fields"; for a property
    required and missing, that property); "" for the element as a whole."""
    if issue.code == "structure" and (missing := _REQUIRED.search(issue.message)):
        return missing.group(1)
    found = _ELEMENT.match(issue.path)
    rest = issue.path[found.end() :] if found else issue.path.removeprefix("$")
    steps = [s for s in _steps(rest) if s not in ("ru", "en")]
    if not steps:
        return ""
    return steps[1] if steps[0] == "source" and len(steps) > 1 else steps[0]


def where(document: Document, path: str) -> str:
    """The element a path is in, as a coordinator names it."""
    key = key_of_path(path)
    kind, _, numbers = key.partition("-")
    if kind == "section":
        s = int(numbers)
        title = text_of_title(_at(document, "sections", s))
        return gettext("Section %(n)d «%(title)s»", n=s + 1, title=title)
    if kind == "field":
        s, f = (int(n) for n in numbers.split("-"))
        field = _at(_at(document, "sections", s), "fields", f)
        return gettext(
            "Question «%(label)s» (section %(n)d)", label=text_of_title(field, "label"), n=s + 1
        )
    if kind == "rule":
        return gettext("Check %(n)d", n=int(numbers) + 1)
    if kind == "indicator":
        item = _at(document, "indicators", int(numbers))
        return gettext("Indicator «%(title)s»", title=text_of_title(item))
    return gettext("The form")


def _at(container: Any, name: str, index: int) -> Any:
    items = container.get(name) if isinstance(container, dict) else None
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else {}


def what(issue: Issue, key: str) -> str:
    """What is wrong, in words."""
    if issue.code != "structure":
        text = str(CODE_TEXTS.get(issue.code, CODE_TEXTS["structure"]))
        quoted = _QUOTED.findall(issue.message)[: _NAMING.get(issue.code, 0)]
        return text + "".join(
            f" «{name}»" if n == 0 else f", «{name}»" for n, name in enumerate(quoted)
        )
    validator = issue.message.split(":", 1)[0]
    named = str(KEY_TEXTS[key]) if key in KEY_TEXTS else ""
    if validator == "minItems" and key in _AT_LEAST_ONE:
        return str(_AT_LEAST_ONE[key])
    if validator in ("required", "minLength") and named:
        return gettext("fill in the %(what)s", what=named)
    if validator == "pattern" and key == "id":
        return gettext(
            "the code may hold Latin lower-case letters, digits and _ only, starting with a letter"
        )
    if validator == "maxLength" and named:
        return gettext("the %(what)s is too long", what=named)
    if named:
        return gettext("the %(what)s is not allowed here", what=named)
    return str(CODE_TEXTS["structure"])


def problems(document: Document, issues: list[Issue]) -> list[Problem]:
    """The issues in words, each with the element and the input to go to."""
    found = []
    for issue in issues:
        key = _own_key(issue)
        element = key_of_path(issue.path)
        anchor = _INPUTS.get(key, key if key in KEY_TEXTS else "")
        if key == "fields" and element.startswith("section-"):
            # A section without questions: to the outline's «Add a question» of it.
            anchor = f"add-question-{element.removeprefix('section-')}"
        found.append(
            Problem(
                element,
                anchor,
                where(document, issue.path),
                what(issue, key),
                issue.warning,
                issue.code,
            )
        )
    return found


@dataclass(frozen=True)
class Refusal:
    """One entry of a refused save's summary: the field's label, its message and the
    input's id to go to."""

    anchor: str
    label: str
    message: str


def refusals(form: Any) -> Iterator[Refusal]:
    """Each refused input of a designer form (a list's rows too), in the form's order."""
    for field in form:
        errors = field.errors
        if not errors:
            continue
        if isinstance(errors, dict):
            errors = [m for messages in errors.values() for m in messages]
        entries = getattr(field, "entries", None)
        if entries is not None:
            yield from _list_refusals(field, entries)
            messages = [e for e in errors if isinstance(e, str)]
        else:
            messages = [str(e) for e in errors]
        for message in messages:
            yield Refusal(field.id, str(field.label.text), message)


def _list_refusals(field: Any, entries: list[Any]) -> Iterator[Refusal]:
    for number, entry in enumerate(entries, start=1):
        inner = getattr(entry, "form", None)
        if inner is None:
            continue
        for sub in inner:
            for message in sub.errors if isinstance(sub.errors, list) else []:
                label = gettext(
                    "%(list)s, row %(n)d: %(what)s",
                    list=field.label.text,
                    n=number,
                    what=sub.label.text,
                )
                yield Refusal(sub.id, label, str(message))
