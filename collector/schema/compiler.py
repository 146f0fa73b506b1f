"""The schema compiler: load → validate → spec, each stage pure."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from collector.schema.errors import Issue, SchemaError
from collector.schema.spec import FormSpec, build_spec
from collector.schema.validate import MAX_JSON_DEPTH, depth_issues, validate


@dataclass(frozen=True)
class Compiled:
    spec: FormSpec
    document: dict[str, Any]
    warnings: list[Issue]


def load(text: str | bytes) -> Any:
    """Parse JSON; a syntax error becomes a coded issue with its line and column, and a
    document nested past MAX_JSON_DEPTH is refused before anything else reads it."""
    try:
        document = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded_int
        )
    except UnicodeDecodeError as error:
        raise SchemaError([Issue("$", "json_syntax", f"not UTF-8 text: {error.reason}")]) from None
    except json.JSONDecodeError as error:
        message = f"{error.msg} (line {error.lineno}, column {error.colno})"
        raise SchemaError([Issue("$", "json_syntax", message)]) from None
    except ValueError as error:
        # NaN, Infinity, 1e999, an integer of thousands of digits: not numbers a form holds.
        raise SchemaError([Issue("$", "json_syntax", str(error))]) from None
    except RecursionError:
        # json's own parser recurses per level and gives up near a thousand.
        message = f"arrays and objects nest more than {MAX_JSON_DEPTH} levels deep"
        raise SchemaError([Issue("$", "json_too_deep", message)]) from None
    issues = depth_issues(document)
    if issues:
        raise SchemaError(issues)
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]} is too large a number")
    return number


# Far past any bound or count a form states (2^53 has 16 digits).
MAX_INTEGER_DIGITS = 30


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"{text[:40]}… is too long a number")
    return int(text)


def compile_document(document: Any) -> Compiled:
    issues = validate(document)
    if any(not issue.warning for issue in issues):
        raise SchemaError(issues)
    return Compiled(build_spec(document), document, issues)


def compile_text(text: str | bytes) -> Compiled:
    return compile_document(load(text))
