"""Reading stored answers: every report and export decodes each response's JSON, so the
decoder is orjson (a third of the time the standard library takes). What orjson refuses
and Python's json reads (NaN, which an older version let in) is read by the standard
library: one stored row never breaks a report (issue 19). orjson reads an integer beyond
64 bits as a float: such a value is outside every bound a door or a report accepts
(collector.schema.values), so it is refused and named either way, only shown rounded."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(bytes(data) if isinstance(data, bytearray | memoryview) else data)
