"""Validation: the meta-schema first (structure), then the rules a JSON Schema cannot say,
one small function each. Every problem is collected; nothing stops at the first."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from collector.schema.errors import Issue, json_path
from collector.schema.expressions import ExpressionError, parse
from collector.schema.kinds import (
    FieldKind,
    field_kinds,
    grid_column_types,
    kind_of,
    table_column_types,
)
from collector.schema.recommendations import check_deadlines, check_recommendations
from collector.schema.typecheck import Checker, Symbol, bare_unit_calls, speaks_of_groups
from collector.schema.types import ValueKind
from collector.schema.values import text_problem

META_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "form_schemas" / "meta-schema.json"

Document = dict[str, Any]

# The seeds nest nine levels at most (a grid column's option's label). Past this a document
# is not a form, and it is refused before anything recursive reads it (the meta-schema's
# validation, copies, comparisons, JSON text with indents): those recurse once or more per
# level, and Python stops at a thousand.
MAX_JSON_DEPTH = 64
# The longest message of a structure issue, in characters.
MAX_MESSAGE = 300


def meta_validator() -> Draft202012Validator:
    """The meta-schema with the types of fields and columns the registry knows (the file
    lists the built-in ones, for readers; a test keeps the two the same)."""
    return _meta_validator(tuple(field_kinds()), tuple(table_column_types()))


@cache
def _meta_validator(
    field_types: tuple[str, ...], column_types: tuple[str, ...]
) -> Draft202012Validator:
    schema = json.loads(META_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"]["field"]["properties"]["type"] = {"enum": list(field_types)}
    schema["$defs"]["column"]["properties"]["type"] = {"enum": list(column_types)}
    return Draft202012Validator(schema)


def too_deep_at(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The JSON path of the first array or object nested more than `limit` levels deep,
    or None. An explicit stack, never recursion: the value may be as deep as a parser let
    through."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        children: list[tuple[str | int, Any]]
        if isinstance(item, dict):
            children = list(item.items())
        elif isinstance(item, list):
            children = list(enumerate(item))
        else:
            continue
        if len(path) >= limit:
            return json_path(path)
        # Reversed onto the stack: the first deep place in document order is named.
        stack.extend(
            (child, (*path, key))
            for key, child in reversed(children)
            if isinstance(child, dict | list)
        )
    return None


def depth_issues(document: Any) -> list[Issue]:
    where = too_deep_at(document)
    if where is None:
        return []
    return [
        Issue(
            where,
            "json_too_deep",
            f"arrays and objects nest here more than {MAX_JSON_DEPTH} levels deep; "
            "a form needs about ten",
        )
    ]


def control_text_at(value: Any) -> str | None:
    """The JSON path of the first text, key or value, holding control characters (a NUL
    among them: PostgreSQL refuses to store it), or None. An explicit stack again."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if text_problem(item):
                return json_path(path)
            continue
        children: list[tuple[str | int, Any]]
        if isinstance(item, dict):
            if any(isinstance(key, str) and text_problem(key) for key in item):
                return json_path(path)
            children = list(item.items())
        elif isinstance(item, list):
            children = list(enumerate(item))
        else:
            continue
        stack.extend((child, (*path, key)) for key, child in reversed(children))
    return None


def control_issues(document: Any) -> list[Issue]:
    where = control_text_at(document)
    if where is None:
        return []
    return [
        Issue(
            where,
            "control_character",
            "the text holds control characters (such as NUL); only tab and line breaks are kept",
        )
    ]


def structure_issues(document: Any) -> list[Issue]:
    issues = []
    for error in meta_validator().iter_errors(document):
        # For oneOf/anyOf the deepest cause names the real problem.
        cause = min(error.context, key=lambda e: -len(e.absolute_path)) if error.context else error
        # jsonschema's message quotes the value: a 2,000-character expression, a whole
        # object. What it says is in the first few hundred characters.
        message = f"{cause.validator}: {cause.message}"
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        issues.append(Issue(json_path(cause.absolute_path), "structure", message))
    return sorted(issues)


def fields_with_paths(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for s, section in enumerate(document["sections"]):
        for f, field in enumerate(section["fields"]):
            yield json_path(("sections", s, "fields", f)), field


def check_unique_ids(document: Document) -> list[Issue]:
    seen: dict[str, str] = {}
    issues = []
    places = [
        (json_path(("sections", s)), section) for s, section in enumerate(document["sections"])
    ]
    places += list(fields_with_paths(document))
    for key in ("rules", "indicators", "imports", "recommendations"):
        places += [(json_path((key, n)), item) for n, item in enumerate(document.get(key, []))]
    for path, item in places:
        if item["id"] in seen:
            issues.append(
                Issue(
                    f"{path}.id",
                    "duplicate_id",
                    f"{item['id']!r} is also used at {seen[item['id']]}",
                )
            )
        else:
            seen[item["id"]] = path
    return issues


def _option_lists(document: Document) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    categories = document["respondents"].get("categories")
    if categories:
        yield "$.respondents.categories", categories
    if document.get("measure_kinds"):
        yield "$.measure_kinds", document["measure_kinds"]
    for path, field in fields_with_paths(document):
        if "options" in field:
            yield f"{path}.options", field["options"]
        for c, column in enumerate(field.get("columns", [])):
            if "options" in column:
                yield f"{path}.columns[{c}].options", column["options"]


def check_unique_options(document: Document) -> list[Issue]:
    issues = []
    for path, options in _option_lists(document):
        values = [o["value"] for o in options]
        for n, value in enumerate(values):
            if value in values[:n]:
                issues.append(
                    Issue(
                        f"{path}[{n}].value",
                        "duplicate_option",
                        f"option {value!r} is listed twice",
                    )
                )
    for path, field in fields_with_paths(document):
        for key in ("rows", "columns"):
            ids = [item["id"] for item in field.get(key, [])]
            for n, item_id in enumerate(ids):
                if item_id in ids[:n]:
                    issues.append(
                        Issue(
                            f"{path}.{key}[{n}].id", "duplicate_id", f"{item_id!r} is listed twice"
                        )
                    )
    return issues


def check_ranges(document: Document) -> list[Issue]:
    issues = []
    for path, field in fields_with_paths(document):
        items = [(path, field)] + [
            (f"{path}.columns[{c}]", col) for c, col in enumerate(field.get("columns", []))
        ]
        scale = field.get("scale")
        if scale:
            items.append((f"{path}.scale", scale))
        for where, item in items:
            low, high = item.get("min"), item.get("max")
            if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                issues.append(Issue(f"{where}.min", "min_above_max", f"min {low} > max {high}"))
        rows_low, rows_high = field.get("min_rows"), field.get("max_rows")
        if rows_low is not None and rows_high is not None and rows_low > rows_high:
            issues.append(
                Issue(
                    f"{path}.min_rows",
                    "min_above_max",
                    f"min_rows {rows_low} > max_rows {rows_high}",
                )
            )
    return issues


def check_type_keys(document: Document) -> list[Issue]:
    issues = []
    grid_types = grid_column_types()
    for path, field in fields_with_paths(document):
        kind = kind_of(field["type"])
        for key in sorted(kind.needs - field.keys()):
            issues.append(Issue(f"{path}.{key}", "missing_key", f"a {kind.name} needs {key!r}"))
        if kind.needs_one_of and not kind.needs_one_of & field.keys():
            wanted = " or ".join(sorted(kind.needs_one_of))
            issues.append(Issue(path, "missing_key", f"a {kind.name} needs {wanted}"))
        if kind.unit_reports_only and document["kind"] != "unit_report":
            issues.append(
                Issue(
                    f"{path}.type",
                    "structure",
                    f"a {kind.name} question is answered only in a unit report",
                )
            )
        for key in sorted(field.keys() - kind.allowed_keys):
            issues.append(
                Issue(
                    f"{path}.{key}",
                    "unused_key",
                    f"{key!r} means nothing for a {kind.name}",
                    warning=True,
                )
            )
        if kind.value_kind == ValueKind.GRID:
            for c, column in enumerate(field.get("columns", [])):
                if column["type"] not in grid_types:
                    issues.append(
                        Issue(
                            f"{path}.columns[{c}].type",
                            "missing_key",
                            f"grid cells are numbers: {' or '.join(grid_types)}",
                        )
                    )
        issues += _column_keys(path, field.get("columns", []))
    return issues


def _column_keys(path: str, columns: list[Document]) -> list[Issue]:
    """The keys each column's kind needs (a single-choice column: its options)."""
    return [
        Issue(
            f"{path}.columns[{c}].{key}",
            "missing_key",
            f"a {column['type']} column needs {key!r}",
        )
        for c, column in enumerate(columns)
        for key in sorted(kind_of(column["type"]).column_needs - column.keys())
    ]


def symbols(document: Document) -> dict[str, Symbol]:
    table: dict[str, Symbol] = {}
    for _path, field in fields_with_paths(document):
        kind = kind_of(field["type"])
        table[field["id"]] = Symbol(kind.value_kind, _option_values(field))
        if kind.value_kind == ValueKind.GRID:
            for row in field.get("rows", []):
                for column in field.get("columns", []):
                    table[f"{field['id']}.{row['id']}.{column['id']}"] = Symbol(ValueKind.NUMBER)
        if kind.value_kind == ValueKind.TABLE:
            for column in field.get("columns", []):
                table[f"{field['id']}.{column['id']}"] = _column_symbol(column)
    for imported in document.get("imports", []):
        # An imported table is a table of its unit: count() its rows, sum() a column.
        table[imported["id"]] = Symbol(ValueKind.TABLE)
        for column in imported["columns"]:
            table[f"{imported['id']}.{column['id']}"] = _column_symbol(column)
    return table


def _option_values(item: Document) -> frozenset[str] | None:
    return frozenset(o["value"] for o in item.get("options", [])) or None


def _column_symbol(column: Document) -> Symbol:
    return Symbol(kind_of(column["type"]).value_kind, _option_values(column), column_of_table=True)


def _expressions(document: Document) -> Iterator[tuple[str, str, bool, bool]]:
    """(path, source, is an indicator formula, must be a condition)."""
    for s, section in enumerate(document["sections"]):
        if "visible_if" in section:
            yield f"{json_path(('sections', s))}.visible_if", section["visible_if"], False, True
    for path, field in fields_with_paths(document):
        if "visible_if" in field:
            yield f"{path}.visible_if", field["visible_if"], False, True
    for n, rule in enumerate(document.get("rules", [])):
        if "check" in rule:  # a group of parts is checked by check_rule_parts
            yield f"$.rules[{n}].check", rule["check"], False, True
    if "headcount" in document["respondents"]:
        yield "$.respondents.headcount", document["respondents"]["headcount"], True, False
    for value, source in document["respondents"].get("category_headcount", {}).items():
        yield f"$.respondents.category_headcount.{value}", source, True, False
    for n, indicator in enumerate(document.get("indicators", [])):
        if "not_calculated" in indicator or "not_defined" in indicator:
            continue  # never computed: a formula left there is not read
        yield f"$.indicators[{n}].formula", indicator["formula"], True, False
        if "not_applicable_if" in indicator:
            yield f"$.indicators[{n}].not_applicable_if", indicator["not_applicable_if"], True, True


def check_expressions(document: Document) -> list[Issue]:
    table = symbols(document)
    issues: list[Issue] = []
    for path, source, indicator, condition in _expressions(document):
        try:
            tree = parse(source)
        except ExpressionError as error:
            issues.append(Issue(path, error.code, f"{error} (at character {error.position})"))
            continue
        checker = Checker(table, path, indicator=indicator)
        kind = checker.check(tree)
        issues.extend(checker.issues)
        # A formula is always computed per group; a not-applicable rule is when it
        # aggregates. There, a unit function needs a count or sum around it.
        if indicator and (not condition or speaks_of_groups(tree)):
            issues.extend(
                Issue(
                    path,
                    "function_not_allowed",
                    f"{name}() speaks of one unit: put it inside count_if(), share(), "
                    "sum() or count_units()",
                )
                for name in sorted(set(bare_unit_calls(tree)))
            )
        if condition and kind not in (ValueKind.BOOL, ValueKind.ANY) and not checker.issues:
            issues.append(
                Issue(path, "not_a_condition", f"the expression gives {kind}, not yes/no")
            )
    return issues


def check_rule_fields(document: Document) -> list[Issue]:
    known = set(symbols(document))
    return [
        Issue(f"$.rules[{n}].fields[{f}]", "unknown_field", f"no field {name!r}")
        for n, rule in enumerate(document.get("rules", []))
        for f, name in enumerate(rule.get("fields", []))
        if name not in known
    ]


def check_rule_parts(document: Document) -> list[Issue]:
    """A group of parts names numbers of the form (fields or grid cells), each once, and
    not its total among its parts."""
    table = symbols(document)
    issues = []
    for n, rule in enumerate(document.get("rules", [])):
        if "parts" not in rule:
            continue
        named = [(f"$.rules[{n}].parts[{p}]", name) for p, name in enumerate(rule["parts"])]
        named.append((f"$.rules[{n}].total", rule["total"]))
        seen: set[str] = set()
        for path, name in named:
            symbol = table.get(name)
            if symbol is None:
                issues.append(Issue(path, "unknown_field", f"no field {name!r}"))
            elif symbol.kind != ValueKind.NUMBER:
                issues.append(
                    Issue(path, "type_mismatch", f"{name!r} is {symbol.kind}, not a number")
                )
            if name in seen:
                issues.append(Issue(path, "repeated_part", f"{name!r} is named twice in the group"))
            seen.add(name)
    return issues


def check_hidden_values(document: Document) -> list[Issue]:
    """A field's hidden value is one it may hold (within min and max), on a field that
    can be hidden (it or its section has visible_if)."""
    issues = []
    for s, section in enumerate(document["sections"]):
        for f, field in enumerate(section["fields"]):
            value = field.get("hidden_value")
            if value is None or "hidden_value" not in kind_of(field["type"]).allowed_keys:
                continue  # on another kind: an unused key, warned about apart
            path = f"{json_path(('sections', s, 'fields', f))}.hidden_value"
            low, high = field.get("min"), field.get("max")
            if "visible_if" not in field and "visible_if" not in section:
                issues.append(
                    Issue(path, "hidden_value_unfit", "the field is never hidden: no visible_if")
                )
            elif (isinstance(low, int | float) and value < low) or (
                isinstance(high, int | float) and value > high
            ):
                issues.append(
                    Issue(path, "hidden_value_unfit", f"{value} is outside the field's min–max")
                )
    return issues


def check_category_field(document: Document) -> list[Issue]:
    name = document["respondents"].get("category_field")
    if name is None:
        if document["respondents"].get("category_headcount"):
            return [
                Issue(
                    "$.respondents.category_headcount",
                    "not_a_category",
                    "headcounts per group need a category_field",
                )
            ]
        return []
    field = next((f for _path, f in fields_with_paths(document) if f["id"] == name), None)
    if field is None or kind_of(field["type"]).value_kind != ValueKind.CHOICE:
        return [
            Issue(
                "$.respondents.category_field",
                "not_a_category",
                f"{name!r} is not a single-choice field of the form",
            )
        ]
    values = {o["value"] for o in field.get("options", [])}
    return [
        Issue(
            f"$.respondents.category_headcount.{value}",
            "not_a_category",
            f"{name!r} has no option {value!r}",
        )
        for value in document["respondents"].get("category_headcount", {})
        if value not in values
    ]


def check_reported_with(document: Document) -> list[Issue]:
    if document["respondents"].get("reported_with") != document["id"]:
        return []
    return [
        Issue(
            "$.respondents.reported_with",
            "reported_with_itself",
            f"{document['id']!r} names itself; name the companion survey's id",
        )
    ]


def _header_key(header: str) -> str:
    return " ".join(header.split()).lower()


def check_imports(document: Document) -> list[Issue]:
    """An imported table's columns: distinct ids and file headers (the unit's column
    among them), sensible ranges, options for a single choice."""
    issues = []
    if document["kind"] == "survey" and document.get("imports"):
        issues.append(
            Issue(
                "$.imports",
                "structure",
                "imported rows join a unit's report; a survey's anonymous answers have none "
                "to join: declare the table on a unit report",
            )
        )
    for n, imported in enumerate(document.get("imports", [])):
        path = json_path(("imports", n))
        # Compared as the file reader reads headers: case and spacing do not count.
        headers = {_header_key(imported["match"]["column"]): f"{path}.match.column"}
        ids: set[str] = set()
        for c, column in enumerate(imported["columns"]):
            where = f"{path}.columns[{c}]"
            if column["id"] in ids:
                issues.append(
                    Issue(f"{where}.id", "duplicate_id", f"{column['id']!r} is listed twice")
                )
            ids.add(column["id"])
            header = _header_key(column.get("header", column["id"]))
            if header in headers:
                issues.append(
                    Issue(
                        f"{where}.header",
                        "duplicate_header",
                        f"the file's column {header!r} is also read at {headers[header]}",
                    )
                )
            headers.setdefault(header, where)
            low, high = column.get("min"), column.get("max")
            if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                issues.append(Issue(f"{where}.min", "min_above_max", f"min {low} > max {high}"))
            issues += [
                Issue(f"{where}.{key}", "missing_key", f"a {column['type']} column needs {key!r}")
                for key in sorted(kind_of(column["type"]).column_needs - column.keys())
            ]
    return issues


# What a registry summary may group records by, and sum per group.


def _types(chosen: Callable[[FieldKind], bool]) -> frozenset[str]:
    return frozenset(name for name, kind in field_kinds().items() if chosen(kind))


def check_registry(document: Document) -> list[Issue]:
    """A registry names its records by a text field and groups them by fields that have
    a few values; only a registry has records."""
    registry = document.get("registry")
    is_registry = document["kind"] == "registry"
    if registry is None:
        if is_registry:
            return [Issue("$", "missing_key", "a registry needs 'registry' with 'record_title'")]
        return []
    if not is_registry:
        return [Issue("$.registry", "structure", "only a form of kind 'registry' keeps records")]
    types = {field["id"]: field["type"] for _path, field in fields_with_paths(document)}
    issues = []

    def need(path: str, field_id: str, allowed: frozenset[str], what: str) -> None:
        if field_id not in types:
            issues.append(Issue(path, "unknown_field", f"the form has no field {field_id!r}"))
        elif types[field_id] not in allowed:
            issues.append(
                Issue(
                    path,
                    "type_mismatch",
                    f"{what} needs a {' or '.join(sorted(allowed))} field; "
                    f"{field_id!r} is {types[field_id]}",
                )
            )

    need(
        "$.registry.record_title",
        registry["record_title"],
        _types(lambda k: k.titles_records),
        "record_title",
    )
    seen: set[str] = set()
    for n, summary in enumerate(registry.get("summaries", [])):
        where = f"$.registry.summaries[{n}]"
        if summary["id"] in seen:
            issues.append(Issue(f"{where}.id", "duplicate_id", f"{summary['id']!r} twice"))
        seen.add(summary["id"])
        need(f"{where}.by", summary["by"], _types(lambda k: k.groups_records), "a summary's 'by'")
        if "sum" in summary:
            need(
                f"{where}.sum",
                summary["sum"],
                _types(lambda k: k.sums_records),
                "a summary's 'sum'",
            )
    if document.get("imports"):
        issues.append(
            Issue("$.imports", "structure", "a registry's records are typed, not imported")
        )
    return issues


SEMANTIC_CHECKS: tuple[Callable[[Document], list[Issue]], ...] = (
    check_unique_ids,
    check_unique_options,
    check_ranges,
    check_type_keys,
    check_expressions,
    check_rule_fields,
    check_rule_parts,
    check_hidden_values,
    check_category_field,
    check_reported_with,
    check_imports,
    check_registry,
    check_recommendations,
    check_deadlines,
)


def validate(document: Any) -> list[Issue]:
    """Every issue of the document; semantic checks run only on a well-formed one, and
    nothing at all reads a document nested too deeply."""
    issues = depth_issues(document) or sorted(control_issues(document) + structure_issues(document))
    if issues:
        return issues
    return sorted(issue for check in SEMANTIC_CHECKS for issue in check(document))
