"""The one rule for printing a figure, shared by pages, hover, PNG, PPTX/PDF and the CLI.

A value is shown at its unit's display precision. Ordinary rounding could carry a value across its target
(19.9967 hours against ">= 20" would print "20.00" next to a "not met" status), so the last digit is
rounded toward the side of the threshold the status is on: a value that does not meet its target never
prints as meeting it, and a value that meets it never prints as short.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

# Decimals shown per value unit (indicators.toml `value_unit`); anything else gets DEFAULT_DECIMALS.
DECIMALS: dict[str, int] = {"%": 1, "学时/人": 2, "人/10万人": 2}
DEFAULT_DECIMALS = 2
MISSING = "—"
# Value units in English (the Chinese ones are the catalog's); "%" is the same in both.
UNITS_EN: dict[str, str] = {"学时/人": "hours per person", "人/10万人": "per 100,000 people"}
# Statuses that say whether the value meets its target; other statuses (no data, not applicable, small
# sample) leave the side to the value itself.
MEETS = {"met": True, "close": False, "behind": False, "slipped": False}


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def decimals_for(value_unit: str | None) -> int:
    return DECIMALS.get(value_unit or "", DEFAULT_DECIMALS)


def _meets(value: Decimal, threshold: float, comparison: str, status: str | None) -> bool:
    if status in MEETS:
        return MEETS[status]
    limit = Decimal(repr(float(threshold)))
    return value >= limit if comparison == ">=" else value <= limit


def display_number(value: float | None, value_unit: str | None, threshold: float | None = None,
                   comparison: str | None = None, status: str | None = None) -> str:
    """The number alone (no unit) at display precision; "" when there is no value (CLI, CSV cells)."""
    if _missing(value):
        return ""
    exact = Decimal(repr(float(value)))  # repr keeps the shortest exact decimal of the float
    step = Decimal(1).scaleb(-decimals_for(value_unit))
    shown = exact.quantize(step, rounding=ROUND_HALF_UP)
    if not _missing(threshold) and comparison in (">=", "<="):
        limit = Decimal(repr(float(threshold)))
        meets = _meets(exact, float(threshold), comparison, status)
        shown_meets = shown >= limit if comparison == ">=" else shown <= limit
        if shown_meets and not meets:
            shown = exact.quantize(step, rounding=ROUND_FLOOR if comparison == ">=" else ROUND_CEILING)
        elif meets and not shown_meets:
            shown = exact.quantize(step, rounding=ROUND_CEILING if comparison == ">=" else ROUND_FLOOR)
    if shown == 0:
        shown = abs(shown)  # never "-0.0"
    return f"{shown:f}"


def unit_label(value_unit: str | None, lang: str = "zh") -> str:
    if not value_unit:
        return ""
    return UNITS_EN.get(value_unit, value_unit) if lang == "en" else value_unit


def _with_unit(number: str, value_unit: str | None, lang: str) -> str:
    if value_unit == "%":
        return f"{number}%"
    return f"{number} {unit_label(value_unit, lang)}" if value_unit else number


def format_value(value: float | None, value_unit: str | None, threshold: float | None = None,
                 comparison: str | None = None, status: str | None = None, *, lang: str = "zh") -> str:
    """A value with its unit ("19.99 学时/人", "95.0%"), or "—" when there is none."""
    number = display_number(value, value_unit, threshold, comparison, status)
    return _with_unit(number, value_unit, lang) if number else MISSING


def threshold_label(threshold: float | None, comparison: str | None, value_unit: str | None,
                    lang: str = "zh") -> str:
    """A target as printed beside a value: "≥95%", "≥4 per 100,000 people"; "—" without a target."""
    if _missing(threshold) or comparison not in (">=", "<="):
        return MISSING
    sign = "≥" if comparison == ">=" else "≤"
    number = f"{float(threshold):g}"
    if value_unit == "%" or lang != "en":
        return f"{sign}{number}{value_unit or ''}"
    return f"{sign}{_with_unit(number, value_unit, lang)}"


def format_gap(gap: float | None, value_unit: str | None, *, lang: str = "zh") -> str:
    """How far a value is from its target (positive = short), rounded away from zero so a unit that is
    short never shows a gap of 0; "—" when there is no value."""
    if _missing(gap):
        return MISSING
    step = Decimal(1).scaleb(-decimals_for(value_unit))
    exact = Decimal(repr(float(gap)))
    shown = exact.quantize(step, rounding=ROUND_CEILING if exact > 0 else ROUND_FLOOR)
    if shown == 0:
        shown = abs(shown)
    if value_unit == "%":
        return f"{shown:f} {'pp' if lang == 'en' else '个百分点'}"
    return _with_unit(f"{shown:f}", value_unit, lang)


def shortfall_count(shortfall: float | None) -> int | None:
    """Whole units still missing (a fraction of a teacher is one more teacher); None when not countable."""
    if _missing(shortfall):
        return None
    return max(0, math.ceil(round(float(shortfall), 9)))


def format_shortfall(shortfall: float | None, shortfall_unit: str | None, prefix: str = "还需 ") -> str:
    """"还需 3 名专职教师"; "—" when not countable (no unit, no value) and "已达标" when nothing is missing."""
    count = shortfall_count(shortfall)
    if count is None or not shortfall_unit:
        return MISSING
    if count == 0:
        return "已达标"
    return f"{prefix}{count} {shortfall_unit}"


def row_value(row: dict, lang: str = "zh") -> str:
    """format_value for one row of an evaluation frame (value, value_unit, threshold, comparison, status)."""
    return format_value(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                        row.get("status"), lang=lang)


def row_number(row: dict) -> str:
    """display_number for one row of an evaluation frame: the number alone, "" when there is none (CLI, CSV)."""
    return display_number(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                          row.get("status"))
