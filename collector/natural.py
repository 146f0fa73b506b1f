"""Names in the order people expect: «СОШ № 1, СОШ № 2, СОШ № 18», not the text order
«СОШ № 1, СОШ № 18, СОШ № 2». Pure (no framework, no database): pages, lists, workbooks
and charts sort with this one key."""

from __future__ import annotations

import re

# ASCII digits only: int() would also read other scripts' digits, which no name here uses.
_NUMBER = re.compile(r"([0-9]+)")

NaturalKey = tuple[tuple[str | int, ...], str, str]


def natural_key(text: str) -> NaturalKey:
    """A sort key for `text`: numbers inside it compared as numbers, letters without
    regard to case, «ё» as «е» (a Python string compares «ё» after «я»), runs of spaces
    as one. Names equal in all of this keep a fixed order (by their folded, then their
    exact text), so a list is ordered the same on every page."""
    folded = " ".join(text.split()).casefold().replace("ё", "е")
    # re.split with a group alternates text and digits, text first: positions match.
    parts = tuple(int(p) if i % 2 else p for i, p in enumerate(_NUMBER.split(folded)))
    return parts, folded, text
