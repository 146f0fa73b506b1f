"""How numbers, days and moments are written on the pages and in messages, in the
interface language's conventions (Babel, through Flask-Babel's locale). The one home of
these formats: templates use them as filters (registered in collector/web.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, format_scientific, get_locale

from collector.indicators.results import ROUNDED_BELOW, at_precision

NBSP = "\u00a0"


def indicator_value(value: float | None, unit: str | None, decimals: int | None = None) -> str:
    """An indicator's value as people read it: one decimal for a percentage, whole
    numbers as they are, other numbers with up to two decimals; with `decimals` (an
    indicator's precision), rounded so (collector.indicators.results.at_precision, as
    "met" is judged) and a percentage with exactly that many."""
    if value is None:
        return "—"
    if math.isinf(value):
        return str(format_decimal(value))
    if abs(value) >= ROUNDED_BELOW:  # a stored value past any count: 1,7E308
        return str(format_scientific(value, format="0.###E0"))
    places = (1 if unit == "%" else 2) if decimals is None else decimals
    value = at_precision(float(value), places)
    if unit == "%":
        pattern = "#,##0" + ("." + "0" * places if places else "")
    elif float(value).is_integer():
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "#" * places
    return _decimal(value, pattern)


def count_text(value: int | None) -> str:
    """A count (answers, organisations) with the language's grouping: «10 614» in
    Russian (a no-break space), «10,614» in English; «—» for none."""
    if value is None:
        return "—"
    return _decimal(value, "#,##0")


@lru_cache(maxsize=64)
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def _decimal(value: float, pattern: str) -> str:
    """What flask_babel.format_decimal writes, with the pattern parsed once: a report
    page writes thousands of numbers, and parsing the pattern was a third of each."""
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)  # outside a request: Russian
    # -0.0 equals 0.0 and is written "-0": told apart by its sign.
    return _written(value, math.copysign(1.0, value) < 0, pattern, locale)


@lru_cache(maxsize=8192, typed=True)
def _written(value: float, negative: bool, pattern: str, locale: Locale) -> str:
    # The same counts and shares come again and again (a page of 50 units, each with its
    # answers and shares): each is written once; Babel takes 40 µs a number.
    return str(_number_pattern(pattern).apply(value, locale))


def with_unit(value: float | None, unit: str | None) -> str:
    """A value and its unit, kept on one line: «100 %», «1 250 чел.»; a bare number
    when there is no unit."""
    text = indicator_value(value, unit)
    return f"{text}{NBSP}{unit}" if unit and value is not None else text


# Dates and moments: one pattern per interface language, a 24-hour clock in every one
# («15.05.2027 18:00», «15 May 2027, 18:00»), never Babel's "short" (which is
# «5/15/27, 6:00 PM» in English). A language without its own patterns gets Russian ones.
DATE_PATTERNS = {"ru": "dd.MM.yyyy", "en": "d MMMM yyyy"}
MOMENT_PATTERNS = {"ru": "dd.MM.yyyy HH:mm", "en": "d MMMM yyyy, HH:mm"}
DEFAULT_LANGUAGE = "ru"


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def date_text(day: date | datetime | None) -> str:
    """A day in the interface language: «15.05.2027», «15 May 2027»; «—» for none."""
    if day is None:
        return "—"
    if isinstance(day, datetime):
        day = day.date()
    pattern = DATE_PATTERNS.get(_language(), DATE_PATTERNS[DEFAULT_LANGUAGE])
    return str(format_date(day, pattern))


def moment_text(moment: datetime | None, timezone: str | None = None) -> str:
    """A moment in the interface language, as the wall-clock time of `timezone` (a
    region's), or of the app's default zone when none is given: «15.05.2027 18:00»,
    «15 May 2027, 18:00». A moment without a zone is taken as UTC, as stored."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = ZoneInfo(timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    pattern = MOMENT_PATTERNS.get(_language(), MOMENT_PATTERNS[DEFAULT_LANGUAGE])
    return str(format_datetime(moment.astimezone(zone), pattern, rebase=False))


def local_time(moment: datetime | None, timezone: str) -> str:
    """A moment as the wall-clock time of a region, with the zone's name, so that a
    coordinator in Moscow and a school in Omsk read the same deadline the same way."""
    if moment is None:
        return "—"
    return f"{moment_text(moment, timezone)} ({timezone})"


def iso_local_time(moment: str | None, timezone: str) -> str:
    """An ISO moment kept in an audit record, shown as `local_time` shows a datetime."""
    return local_time(datetime.fromisoformat(moment) if moment else None, timezone)


def local_date(moment: datetime | None, timezone: str) -> str:
    """The calendar day of a moment in a region's zone (a deadline's day: «30.09.2026»)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return date_text(moment.astimezone(ZoneInfo(timezone)).date())
