"""Names in the order people expect: «СОШ № 1, СОШ № 2, СОШ № 18», not the text order
«СОШ № 1, СОШ № 18, СОШ № 2». Pure (no framework, no database): pages, lists, workbooks
and charts sort with this one key, and the database sorts by the same text stored beside
each unit (collector.models.units, `sort_path`)."""

from __future__ import annotations

import re

# ASCII digits only: int() would also read other scripts' digits, which no name here uses.
_NUMBER = re.compile(r"[0-9]+")
# Control characters are dropped: the stored tree order separates its parts with one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Numbers up to this many digits are written zero-padded to it; longer ones (which no
# school's name holds) after ":" (which follows every digit) and their length.
NUMBER_WIDTH = 12

NaturalKey = tuple[str, str]


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0") or "0"
    if len(digits) <= NUMBER_WIDTH:
        return digits.zfill(NUMBER_WIDTH)
    return f":{len(digits):03d}{digits}"


def natural_text(text: str) -> str:
    """`text` as a string whose plain comparison (code point by code point: Python's,
    SQLite's, PostgreSQL's "C" collation) is the natural order: numbers inside it
    compared as numbers (zero-padded to one width), letters without regard to case, «ё»
    as «е» (a Python string compares «ё» after «я»), runs of spaces as one."""
    folded = _CONTROL.sub("", " ".join(text.split()).casefold().replace("ё", "е"))
    return _NUMBER.sub(_number, folded)


def natural_key(text: str) -> NaturalKey:
    """A sort key for `text`: its natural text, and then the text itself, so that names
    equal in natural order keep a fixed order and a list is the same on every page."""
    return natural_text(text), text
