"""The values a field may hold: the bounds every door checks and every reader relies on.

Numbers end up as float64 in the indicator engine and in spreadsheets, so an integer stays
within the range a float64 holds exactly (|n| ≤ 2^53) and a decimal is finite with no more
digits than a float64 keeps. Text holds no control characters but tab and line breaks:
PostgreSQL refuses NUL in JSON, and the others break exports and pages.

Every entry point checks values here (web forms of reports, survey links and registries,
imported tables, unit and figure imports, the designer's preview), and every reader of
stored answers (the indicator engine, exporters, pages) reads numbers through
`stored_number`, so a value an older version let through is counted as out of range
instead of breaking the report. Pure: no Flask.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from collector.marks import mark_for_translation

# The largest integer a float64 holds exactly, and so the largest the engine can add up.
MAX_SAFE_INTEGER = 2**53
# Significant digits a float64 keeps, and digits after the decimal point worth keeping.
MAX_DIGITS = 15
MAX_PLACES = 10
# Texts without a declared length: a line and a long answer.
DEFAULT_TEXT_LENGTH = 500
DEFAULT_LONG_TEXT_LENGTH = 10_000

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; and halves of
# UTF-16 pairs, which a JSON body can carry ("\ud800") but no page or file can encode.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# The only user-facing texts of this module, marked for translation (pure modules have
# no translation machinery: the door that shows a problem translates it, as the field
# kinds do with `field.gettext`; Russian is in the catalogue).
MESSAGES = {
    "not_finite": mark_for_translation("Enter an ordinary number (not NaN or infinity)."),
    "integer_range": mark_for_translation(
        "The number is too large in magnitude: at most %(limit)s is allowed."
    ),
    "digits": mark_for_translation(
        "Too many digits: at most %(digits)d significant digits are allowed."
    ),
    "places": mark_for_translation(
        "Too many digits after the decimal point: at most %(places)d are allowed."
    ),
    "control": mark_for_translation(
        "The text holds characters that cannot be stored (such as a null byte)."
    ),
}


@dataclass(frozen=True)
class ValueProblem:
    """Why a value cannot be stored: a message marked for translation and its values."""

    message: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message in the language `translate` gives (as written, without it)."""
        message = self.message if translate is None else translate(self.message)
        return message % dict(self.values) if self.values else message

    def __str__(self) -> str:
        return self.text()


_LIMIT = ValueProblem(
    MESSAGES["integer_range"], {"limit": f"{MAX_SAFE_INTEGER:,}".replace(",", " ")}
)


def integer_bounds(low: Decimal | None, high: Decimal | None) -> tuple[Decimal, Decimal]:
    """The schema's range narrowed to what float64 holds exactly."""
    limit = Decimal(MAX_SAFE_INTEGER)
    return (
        -limit if low is None else max(low, -limit),
        limit if high is None else min(high, limit),
    )


def decimal_bounds(low: Decimal | None, high: Decimal | None) -> tuple[Decimal, Decimal]:
    """The schema's range narrowed to numbers of at most MAX_DIGITS integer digits."""
    limit = Decimal(10) ** MAX_DIGITS
    return (
        -limit if low is None else max(low, -limit),
        limit if high is None else min(high, limit),
    )


def number_problem(value: Decimal | int | float, *, integer: bool) -> ValueProblem | None:
    """Why a number cannot be stored whatever the schema's range says, or None: not
    finite, too large for float64 to hold exactly, too many digits. Cheap for any input:
    only the exponent and the digit count are looked at before any arithmetic."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ValueProblem(MESSAGES["not_finite"])
        value = Decimal(repr(value))
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return _LIMIT
        return None
    if not value.is_finite():
        return ValueProblem(MESSAGES["not_finite"])
    if value.is_zero():
        return None
    if integer:
        if value.adjusted() > 16 or abs(value) > MAX_SAFE_INTEGER:
            return _LIMIT
        return None
    if value.adjusted() >= MAX_DIGITS:
        return ValueProblem(MESSAGES["digits"], {"digits": MAX_DIGITS})
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite number's exponent
    # Trailing zeros are not significant (1.500 has two digits after the point).
    significant = len(digits)
    while significant > 1 and digits[significant - 1] == 0:
        significant -= 1
        exponent += 1
    if significant > MAX_DIGITS:
        return ValueProblem(MESSAGES["digits"], {"digits": MAX_DIGITS})
    if -exponent > MAX_PLACES:
        return ValueProblem(MESSAGES["places"], {"places": MAX_PLACES})
    return None


def text_problem(text: str) -> ValueProblem | None:
    """Why a text cannot be stored (control characters), or None."""
    if _CONTROL.search(text):
        return ValueProblem(MESSAGES["control"])
    return None


def clean_text(text: str) -> str:
    """A typed text as stored: line breaks as \\n, NFC, blanks around it removed."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_decimal(text: str) -> Decimal | None:
    """A number as a person writes it (12,5; 1 000 with plain or non-breaking spaces),
    or None when it is not one. Long strings are refused before Decimal sees them."""
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    if not compact or len(compact) > 64:
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def finite_decimal(text: str) -> Decimal | None:
    """Text as a number for expressions over one response (visibility, rules), or None:
    not a number, not finite, or beyond anything a door lets through (10^17, 10^-40)."""
    if len(text) > 64:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    # Bounded both ways so that no quotient or product of a rule overflows Decimal.
    if not number.is_finite() or number.adjusted() > 16:
        return None
    if not number.is_zero() and number.adjusted() < -40:
        return None
    return number


def stored_number(value: Any) -> tuple[float | None, bool]:
    """A stored answer read as a number: (the value, whether it was refused). Missing is
    (None, False); what the engine cannot hold (NaN, Infinity, past 2^53 or 10^15, text or
    a list where a number belongs, all of it written before the doors checked) is
    (None, True), so that readers count it instead of failing or adding it up."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return None, True
        return float(value), False
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 10.0**MAX_DIGITS:
            return None, True
        return value, False
    if isinstance(value, str):
        if len(value) > 64:
            return None, True
        try:
            number = float(value)  # the common case, fast: decimals are kept as "12.5"
        except ValueError:
            if not value.strip():
                return None, False
            parsed = parse_decimal(value)
            if parsed is None or number_problem(parsed, integer=False) is not None:
                return None, True
            return float(parsed), False
        if not math.isfinite(number) or abs(number) >= 10.0**MAX_DIGITS:
            return None, True
        return number, False
    return None, True


@dataclass(frozen=True)
class RefusedAnswer:
    """A stored value no door accepts now: where it is in the answers (the field, then a
    grid's row and column or a table's row number and column) and the value itself."""

    path: tuple[str | int, ...]
    value: Any

    @property
    def field_id(self) -> str:
        return str(self.path[0])

    def shown(self, limit: int = 40) -> str:
        """The value as a reader sees it, cut to `limit` characters, controls visible."""
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(self.value))
        return text if len(text) <= limit else text[: limit - 1] + "…"


def without_value(answers: Mapping[str, Any], path: Sequence[str | int]) -> dict[str, Any]:
    """The answers with the value at `path` removed (a coordinator voids it): a copy,
    the rest of the response untouched."""
    result = dict(answers)
    head, *rest = path
    if not rest:
        result.pop(str(head), None)
        return result
    container = answers.get(str(head))
    if isinstance(container, dict) and len(rest) == 2:
        cells = dict(container.get(str(rest[0])) or {})
        cells.pop(str(rest[1]), None)
        grid = {**container, str(rest[0]): cells}
        result[str(head)] = {k: v for k, v in grid.items() if v} or None
    elif isinstance(container, list) and len(rest) == 2 and isinstance(rest[0], int):
        rows = [dict(r) if isinstance(r, dict) else r for r in container]
        if 0 <= rest[0] < len(rows) and isinstance(rows[rest[0]], dict):
            rows[rest[0]].pop(str(rest[1]), None)
        result[str(head)] = rows
    if result.get(str(head)) is None:
        result.pop(str(head), None)
    return result
