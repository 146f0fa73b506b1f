"""How numbers are written on the pages, in the interface language's conventions
(Babel, through Flask-Babel's locale)."""

from __future__ import annotations

from flask_babel import format_decimal

NBSP = "\u00a0"


def indicator_value(value: float | None, unit: str | None) -> str:
    """An indicator's value as people read it: one decimal for a percentage, whole
    numbers as they are, other numbers with up to two decimals."""
    if value is None:
        return "—"
    if unit == "%":
        pattern = "#,##0.0"
    elif float(value).is_integer():
        pattern = "#,##0"
    else:
        pattern = "#,##0.##"
    return str(format_decimal(value, format=pattern))


def with_unit(value: float | None, unit: str | None) -> str:
    """A value and its unit, kept on one line: «100 %», «1 250 чел.»; a bare number
    when there is no unit."""
    text = indicator_value(value, unit)
    return f"{text}{NBSP}{unit}" if unit and value is not None else text
