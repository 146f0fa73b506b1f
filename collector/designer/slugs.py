"""Ids made from titles: a coordinator names a form or a question in Russian, and the id
formulas and exports use is its Latin transliteration, free in its scope. Pure: no Flask.

Transliteration follows the passport table (ГОСТ Р 52535.1-2006 as in Russian passports:
ж zh, х kh, ц ts, ч ch, ш sh, щ shch, ю iu, я ia), lower case, words joined by the id's
separator; a title without a Latin-writable letter gives the fallback stem."""

from __future__ import annotations

import re
from collections.abc import Callable

_TABLE = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "ie",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)
_NOT_LATIN = re.compile(r"[^a-z0-9]+")
# An id stays short enough to read in a formula; whole words are kept.
MAX_SLUG = 40


def transliterate(text: str) -> str:
    """Russian letters in Latin (lower case); other characters as they are."""
    return text.lower().translate(_TABLE)


def slug(text: str, separator: str = "-", fallback: str = "form") -> str:
    """An id from a title: «Анкета для родителей 9 классов» → anketa-dlia-roditelei-9-klassov
    (with "_": anketa_dlia_…). It starts with a letter and keeps at most MAX_SLUG
    characters of whole words."""
    words = [w for w in _NOT_LATIN.split(transliterate(text)) if w]
    kept: list[str] = []
    for word in words:
        if len(separator.join([*kept, word])) > MAX_SLUG:
            break
        kept.append(word)
    if not kept and words:
        kept = [words[0][:MAX_SLUG]]
    made = separator.join(kept)
    if not made:
        return fallback
    return made if made[0].isalpha() else f"{fallback}{separator}{made}"[:MAX_SLUG]


def free(stem: str, taken: Callable[[str], bool], separator: str = "-") -> str:
    """The stem itself when it is free, else the stem with the first free number
    (anketa-2, anketa-3 …)."""
    if not taken(stem):
        return stem
    number = 2
    while taken(f"{stem}{separator}{number}"):
        number += 1
    return f"{stem}{separator}{number}"
