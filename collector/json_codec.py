"""Reading stored answers: every report and export decodes each response's JSON, so the
decoder is orjson (a third of the time the standard library takes). What orjson refuses
and Python's json reads (NaN, which an older version let in) is read by the standard
library: one stored row never breaks a report (issue 19). orjson reads an integer beyond
64 bits as a float: such a value is outside every bound a door or a report accepts
(collector.schema.values), so it is refused and named either way, only shown rounded."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    text = bytes(data) if isinstance(data, bytearray | memoryview) else data
    try:
        found = json.loads(text)
    except RecursionError:
        # Nested deeper than any door lets in (written around them): read as no answer.
        return None
    if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("latin-1")):
        return _without_lone_surrogates(found)
    return found


# orjson refuses half of a UTF-16 pair written alone ("\ud800"), and Python's json reads
# it into a string no page or file can encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _whole(text: str) -> str:
    # Pairs are joined into their character; a half alone becomes U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with every string made whole, walked without recursion (as deep as the
    standard library read it)."""
    if isinstance(value, str):
        return _whole(value)
    if not isinstance(value, dict | list):
        return value
    pending: list[dict[Any, Any] | list[Any]] = [value]
    while pending:
        container = pending.pop()
        keys = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            item = container[key]
            if isinstance(item, str):
                container[key] = _whole(item)
            elif isinstance(item, dict | list):
                pending.append(item)
        if isinstance(container, dict) and any(isinstance(k, str) for k in container):
            renamed = {_whole(k) if isinstance(k, str) else k: v for k, v in container.items()}
            container.clear()
            container.update(renamed)
    return value
