"""Coded problems found in a form schema, each with the JSON path where it was found."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# Every code the compiler can report, with what it means. Tests hold one __ok and one
# __error case per code.
CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        "json_syntax": "the file is not valid JSON",
        "json_too_deep": "the document nests arrays and objects deeper than any form needs",
        "control_character": "a text holds control characters (such as NUL)",
        "structure": "the document does not match the meta-schema",
        "duplicate_id": "an id is used twice in the form",
        "duplicate_option": "an option value is used twice in one list",
        "min_above_max": "min is greater than max",
        "missing_key": "the field type needs a key that is missing",
        "unused_key": "the key has no meaning for this field type (warning)",
        "expression_syntax": "an expression cannot be parsed",
        "expression_too_long": "an expression has more characters or parts than allowed",
        "expression_too_deep": "an expression nests deeper than allowed",
        "unknown_reference": "an expression names an id the form does not have",
        "unknown_function": "an expression calls a function that does not exist",
        "function_not_allowed": "the function is only for indicators",
        "function_arity": "a function gets the wrong number of arguments",
        "type_mismatch": "an expression combines values of unfitting types",
        "unknown_option": "an expression compares a choice with a value it does not offer",
        "unknown_figure": "figure() names a reference figure that does not exist",
        "unknown_field": "a rule lists a field the form does not have",
        "repeated_part": "a group of parts names a field twice, or its total among its parts",
        "hidden_value_unfit": "a hidden value on a field never hidden, or outside its min–max",
        "not_a_condition": "visible_if, check and not_applicable_if must be yes/no conditions",
        "not_a_category": "the respondent category must name a single-choice field",
        "reported_with_itself": "a survey is reported together with another form, not itself",
        "duplicate_header": "two columns of an imported table read the same column of the file",
        "unknown_school_type": "school_type() names a school type that does not exist",
        "unknown_indicator": "a recommendation names an indicator the form does not declare",
        "indicator_not_computed": "a recommendation names an indicator that is never computed "
        "(not_calculated or not_defined), so no miss can propose it",
        "no_such_day": "a date set for the recommendations is not a day of every year",
        "sent_before_prepared": "the recommendations are due to be sent before they are prepared",
        "not_a_unit_expression": "count_units() and sum_units() read only what is known of a "
        "unit (figure, teaches, school_type), not answers",
    }
)


@dataclass(frozen=True, order=True)
class Issue:
    path: str
    code: str
    message: str
    warning: bool = False

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered issue code {self.code!r}")

    def line(self, filename: str) -> str:
        return f"{filename}: {self.path}: {self.code}: {self.message}"


class SchemaError(Exception):
    """The schema has errors; `issues` lists all of them (and any warnings)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.code}" for i in issues if not i.warning))
        self.issues = issues

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if not i.warning]


def json_path(parts: object) -> str:
    """("sections", 0, "fields", 2) -> "$.sections[0].fields[2]"."""
    path = "$"
    for part in parts:  # type: ignore[attr-defined]
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
