"""URL parts as the database can hold them: an id in a URL is a 32-bit integer, so a
longer number is simply not found instead of PostgreSQL's "integer out of range"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every primary key here


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` matching only what an id column holds (longer numbers: 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def id_value(text: str) -> int:
    """A query or form value read as an id or a page number (`request.args.get(name,
    type=id_value)`): ASCII digits within LARGEST_ID, anything else raises ValueError,
    which Werkzeug turns into the default."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise ValueError(text)
    number = int(text)
    if number > LARGEST_ID:
        raise ValueError(text)
    return number


def id_or(text: str, default: int = 0) -> int:
    """`text` read as id_value does; `default` for anything else (a revision posted back
    by a page: a tampered one counts as none)."""
    try:
        return id_value(text)
    except ValueError:
        return default


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
