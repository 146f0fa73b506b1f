"""The schema compiler: load → validate → spec, each stage pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from collector.schema.errors import Issue, SchemaError
from collector.schema.spec import FormSpec, build_spec
from collector.schema.validate import validate


@dataclass(frozen=True)
class Compiled:
    spec: FormSpec
    document: dict[str, Any]
    warnings: list[Issue]


def load(text: str | bytes) -> Any:
    """Parse JSON; a syntax error becomes a coded issue with its line and column."""
    try:
        return json.loads(text)
    except UnicodeDecodeError as error:
        raise SchemaError([Issue("$", "json_syntax", f"not UTF-8 text: {error.reason}")]) from None
    except json.JSONDecodeError as error:
        message = f"{error.msg} (line {error.lineno}, column {error.colno})"
        raise SchemaError([Issue("$", "json_syntax", message)]) from None
    except RecursionError:
        raise SchemaError([Issue("$", "json_syntax", "the document nests too deeply")]) from None


def compile_document(document: Any) -> Compiled:
    issues = validate(document)
    if any(not issue.warning for issue in issues):
        raise SchemaError(issues)
    return Compiled(build_spec(document), document, issues)


def compile_text(text: str | bytes) -> Compiled:
    return compile_document(load(text))
