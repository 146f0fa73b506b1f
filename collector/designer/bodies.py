"""Bodies the designer's scripts post as JSON, checked for shape before anything uses
them: a body of another shape (a number, a string, a list of numbers, a thousand levels of
brackets, a megabyte of keys) is refused with a message, never half read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from collector.schema import SchemaError
from collector.schema.compiler import load

# The outline of the largest seed (about 700 questions) posts some 15 KB.
MAX_ORDER_BYTES = 256 * 1024
MAX_ORDER_SECTIONS = 500
MAX_ORDER_KEYS = 10_000
_SECTION_KEY = re.compile(r"section-\d{1,6}")
_FIELD_KEY = re.compile(r"field-\d{1,6}-\d{1,6}")
_REVISION = re.compile(r"\d{1,12}")


class BodyRefused(ValueError):
    """A body not of the shape the page sends; the message says so, for the user."""


@dataclass(frozen=True)
class OrderBody:
    rows: list[list[str]]  # each a section's key, then its fields' keys
    revision: str


def json_body(mimetype: str, length: int | None, read: Callable[[], bytes], limit: int) -> Any:
    """The posted JSON, read only when it says it is JSON and is no larger than `limit`;
    nesting, NaN and huge numbers are refused as the schema compiler refuses them."""
    if mimetype != "application/json":
        raise BodyRefused(_("The designer's request was not sent as JSON."))
    if length is not None and length > limit:
        raise BodyRefused(_("The designer's request is too large."))
    data = read()
    if len(data) > limit:
        raise BodyRefused(_("The designer's request is too large."))
    try:
        return load(data)
    except SchemaError:
        raise BodyRefused(_("The designer's request is not valid JSON.")) from None


def order_body(mimetype: str, length: int | None, read: Callable[[], bytes]) -> OrderBody:
    """The outline's order after a drag: {"order": [["section-1", "field-1-0", …], …],
    "revision": "12"}, every key of its kind, within counts no form reaches."""
    body = json_body(mimetype, length, read, MAX_ORDER_BYTES)
    refused = BodyRefused(
        _(
            "The order sent is not the outline's: sections, each followed by its "
            "questions, and the page's revision. Reload the page and drag again."
        )
    )
    if not isinstance(body, dict) or set(body) != {"order", "revision"}:
        raise refused
    rows, revision = body["order"], body["revision"]
    if isinstance(revision, int) and not isinstance(revision, bool):
        revision = str(revision)
    if not isinstance(revision, str) or not _REVISION.fullmatch(revision):
        raise refused
    if not isinstance(rows, list) or not 0 < len(rows) <= MAX_ORDER_SECTIONS:
        raise refused
    keys = 0
    for row in rows:
        if not isinstance(row, list) or not row:
            raise refused
        keys += len(row)
        if keys > MAX_ORDER_KEYS or not all(isinstance(key, str) for key in row):
            raise refused
        if not _SECTION_KEY.fullmatch(row[0]) or not all(
            _FIELD_KEY.fullmatch(key) for key in row[1:]
        ):
            raise refused
    return OrderBody(rows, revision)
