"""The form schema compiler: pure, no Flask. `compile_text(json) -> Compiled` or SchemaError."""

from collector.schema.compiler import Compiled, compile_document, compile_text, load
from collector.schema.errors import CODES, Issue, SchemaError

__all__ = ["CODES", "Compiled", "Issue", "SchemaError", "compile_document", "compile_text", "load"]
