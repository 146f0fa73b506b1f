"""Numbers: a whole number, a decimal, a percentage. Bounded where they enter (the range a
float64 holds exactly, at most 15 significant digits: collector.schema.values); a stored
one past those bounds is refused, not counted and named."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

from wtforms import DecimalField, IntegerField

from collector.marks import mark_for_translation
from collector.schema.kinds.base import (
    Cell,
    CellProblem,
    FieldKind,
    number_cell,
    number_checks,
    problem,
    stored_decimal,
)
from collector.schema.spec import Column, FieldSpec
from collector.schema.types import ValueKind
from collector.schema.values import finite_decimal, number_problem, parse_decimal, stored_number

# hidden_value: the number read where the field is hidden (docs/form-schema.md).
_NUMERIC = frozenset({"unit", "min", "max", "hidden_value"})

# What a person types for a number: digits (ASCII only: int() would also read other
# scripts' digits), a sign, a decimal comma or point; spaces between groups of digits.
_WHOLE = re.compile(r"[+-]?[0-9]{1,4000}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,4000}(?:[.,][0-9]{0,4000})?|[.,][0-9]{1,4000})")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
# Said once, in the user's language (collector.forms translates it), instead of WTForms'
# «Not a valid integer value.» and a range check of the value that is not there.
NOT_WHOLE = mark_for_translation("Enter a whole number, digits only, for example 12.")
NOT_NUMBER = mark_for_translation("Enter a number, for example 12 or 12,5.")


def _typed_text(valuelist: list[Any]) -> str:
    """A typed number without the spaces people group digits with («1 200»)."""
    return _SPACES.sub("", str(valuelist[0]))


class WholeNumberField(IntegerField):
    """A whole number as people type it («1 200», «+3»); «2.5», «1e5» or «12 шт.» is
    refused with one message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        text = _typed_text(valuelist)
        if not text:
            return
        if not _WHOLE.fullmatch(text):
            raise ValueError(self.gettext(NOT_WHOLE))
        self.data = int(text)


class TypedDecimalField(DecimalField):
    """A decimal as people type it: «12,5» as well as «12.5», «1 200,75»; «1e5» or «NaN»
    is refused with one message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        text = _typed_text(valuelist)
        if not text:
            return
        if not _DECIMAL.fullmatch(text):
            raise ValueError(self.gettext(NOT_NUMBER))
        self.data = Decimal(text.replace(",", "."))


class _Number(FieldKind):
    value_kind = ValueKind.NUMBER
    in_tables = True
    in_grids = True
    reader = "decimal"
    integer: ClassVar[bool] = False

    def refused(self, value: Any) -> bool:
        return stored_number(value)[1]

    def readable(self, value: Any) -> Any:
        """A number, typed: a decimal is stored as text ("12.50") and equals 12.5, while a
        text answer that looks like a number stays text. One no door accepts is missing."""
        if value is None or self.refused(value):
            return None
        return finite_decimal(str(value))

    def cell_value(self, value: Any) -> Cell:
        return number_cell(value)

    def bounds(self, low: Decimal | None, high: Decimal | None) -> tuple[Any, Any]:
        """The range an uploaded cell is held to (a percentage: 0 to 100 by default)."""
        return low, high

    def parse_cell(self, column: Column, text: str) -> tuple[Any, CellProblem | None]:
        # Russian files write 12,5 and group thousands with (non-breaking) spaces.
        number = parse_decimal(text)
        if number is None or not number.is_finite():
            return None, problem(mark_for_translation("not a number: «%(text)s»"), text=text)
        if self.integer and number != number.to_integral_value():
            return None, problem(mark_for_translation("not a whole number: «%(text)s»"), text=text)
        if number_problem(number, integer=self.integer) is not None:
            return None, problem(
                mark_for_translation("%(value)s is too large or too long"), value=text
            )
        low, high = self.bounds(column.min, column.max)
        if low is not None and number < low:
            return None, problem(
                mark_for_translation("%(value)s is less than %(min)s"), value=text, min=low
            )
        if high is not None and number > high:
            return None, problem(
                mark_for_translation("%(value)s is more than %(max)s"), value=text, max=high
            )
        return (int(number) if self.integer else float(number)), None


class IntegerKind(_Number):
    name = "integer"
    label = mark_for_translation("Whole number")
    sums_records = True
    allows = _NUMERIC
    integer = True
    reader = "integer"
    cell_kind = "integer"

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return WholeNumberField(
            label,
            number_checks(spec.min, spec.max, integer=True),
            render_kw={"inputmode": "numeric"},
        )

    def cell_field(self, column: Column, language: str) -> Any:
        return WholeNumberField(
            column.label.get(language),
            number_checks(column.min, column.max, integer=True),
            render_kw={"inputmode": "numeric"},
        )


class DecimalKind(_Number):
    name = "decimal"
    label = mark_for_translation("Decimal number")
    sums_records = True
    allows = _NUMERIC | {"decimals"}
    cell_kind = "number"

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        low, high = self.form_bounds(spec.min, spec.max)
        return TypedDecimalField(
            label,
            number_checks(low, high, integer=False),
            places=spec.decimals,
            render_kw={"inputmode": "decimal"},
        )

    def form_bounds(
        self, low: Decimal | None, high: Decimal | None
    ) -> tuple[Decimal | None, Decimal | None]:
        return low, high

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        # Kept as text so that no digit is lost to binary floating point.
        return None if data is None else str(data)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return stored_decimal(answer)

    def cell_field(self, column: Column, language: str) -> Any:
        return TypedDecimalField(
            column.label.get(language), number_checks(column.min, column.max, integer=False)
        )

    def cell_data(self, column: Column, answer: Any) -> Any:
        return None if answer is None else stored_decimal(answer)


class PercentKind(DecimalKind):
    name = "percent"
    label = mark_for_translation("Percent")
    sums_records = False
    allows = frozenset({"min", "max", "decimals", "hidden_value"})

    def form_bounds(
        self, low: Decimal | None, high: Decimal | None
    ) -> tuple[Decimal | None, Decimal | None]:
        return (Decimal(0) if low is None else low), (Decimal(100) if high is None else high)

    def bounds(self, low: Decimal | None, high: Decimal | None) -> tuple[Any, Any]:
        return low, (Decimal(100) if high is None else high)
