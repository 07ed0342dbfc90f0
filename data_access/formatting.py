"""The one wording module: every "number or row -> text" of the product, and the numbers exported beside them.

Pages, map hover, the all-schools deck, slide PNG, meeting pack (PPTX/PDF), Word report, CSV/XLSX tables and
`mhmonitor` print through these functions and nowhere else, so a figure reads the same everywhere:

- values at their unit's display precision, the last digit rounded toward the side of the threshold the status
  is on (19.9967 hours against ">= 20" with status 接近 prints 19.99, never 20.00);
- counts and fractions as whole numbers, never in scientific notation (124/3,550,770, not 124/3.55077e+06),
  with thousands separators from five digits on;
- gaps rounded away from zero (a unit 0.0033 hours short never shows 0.00);
- what is missing in whole natural units (还需 3 名专职教师);
- no rate at all for the statuses that judge nothing (status.UNJUDGED_STATUSES: 样本不足, 不适用, 无数据 ...):
  a 3-student survey prints neither its rate nor its passes, in a table, a hover or a file.

`shown_number` and `shown_gap` give the printed numbers as numbers, for CSV/XLSX cells.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from data_access import catalog
from data_access.status import BAND_BY_STATUS, UNJUDGED_STATUSES, UNMET_STATUSES, Status

# Decimals shown per value unit (indicators.toml `value_unit`); anything else gets DEFAULT_DECIMALS.
DECIMALS: dict[str, int] = {"%": 1, "学时/人": 2, "人/10万人": 2}
DEFAULT_DECIMALS = 2
# Decimals of a count that is not whole (training hours summed over teachers).
COUNT_DECIMALS = 2
# Thousands separators from this many integer digits on (124/3,550,770; a year or 5534 stays as it is).
SEPARATOR_DIGITS = 5
MISSING = "—"
# Value units in English (the Chinese ones are the catalog's); "%" is the same in both.
UNITS_EN: dict[str, str] = {"学时/人": "hours per person", "人/10万人": "per 100,000 people"}
# Statuses that say whether the value meets its target; other statuses (no data, not applicable, small
# sample) leave the side to the value itself.
MEETS = {"met": True, "close": False, "behind": False, "slipped": False}
# English for the engine's Chinese shortfall nouns ("名专职教师"), by the thing counted; first match wins.
SHORTFALL_NOUNS_EN = (("兼职", "part-time teachers"), ("专职", "full-time teachers"), ("教师", "teachers"),
                      ("辅导室", "counseling rooms"), ("门诊", "clinics"), ("家长学校", "parent schools"),
                      ("指导站", "guidance stations"), ("医师", "psychiatrists"), ("医生", "psychiatrists"),
                      ("学生", "students"), ("测评", "schools screening"), ("规划", "schools with it in their plan"),
                      ("必修课", "universities with the course"), ("学时", "training hours"))
# The two "reported" counts, each named for what it counts: units that reported this indicator's figures (the
# maps, rankings, pack), and units that sent a report at all (the completeness page).
REPORTED_INDICATOR = ("报送本项指标", "reported this indicator")
REPORTED_REPORT = ("报送{report}", "sent {report}")
NOT_MET = ("未达标", "Not met")


def _lang(lang: str) -> int:
    return 1 if lang == "en" else 0


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def prints_no_rate(status: object) -> bool:
    """True for a status that judges nothing (样本不足, 不适用, 无数据, ...): no rate, pass count or gap is shown."""
    return isinstance(status, str) and status in UNJUDGED_STATUSES


def _grouped(digits: str) -> str:
    """Thousands separators on an integer part of SEPARATOR_DIGITS digits or more."""
    sign, body = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    if len(body) < SEPARATOR_DIGITS:
        return digits
    return sign + f"{int(body):,}"


def _decimal_text(number: Decimal) -> str:
    """A Decimal in plain positional notation (never "1E+6"), integer part grouped."""
    text = f"{number:f}"
    whole, _, fraction = text.partition(".")
    return _grouped(whole) + (f".{fraction}" if fraction else "")


def decimals_for(value_unit: str | None) -> int:
    return DECIMALS.get(value_unit or "", DEFAULT_DECIMALS)


def _meets(value: Decimal, threshold: float, comparison: str, status: str | None) -> bool:
    if status in MEETS:
        return MEETS[status]
    limit = Decimal(repr(float(threshold)))
    return value >= limit if comparison == ">=" else value <= limit


def _rounded(value: float, value_unit: str | None, threshold: float | None, comparison: str | None,
             status: str | None) -> Decimal:
    exact = Decimal(repr(float(value)))  # repr keeps the shortest exact decimal of the float
    step = Decimal(1).scaleb(-decimals_for(value_unit))
    shown = exact.quantize(step, rounding=ROUND_HALF_UP)
    if not _missing(threshold) and comparison in (">=", "<="):
        limit = Decimal(repr(float(threshold)))  # type: ignore[arg-type]
        meets = _meets(exact, float(threshold), comparison, status)  # type: ignore[arg-type]
        shown_meets = shown >= limit if comparison == ">=" else shown <= limit
        if shown_meets and not meets:
            shown = exact.quantize(step, rounding=ROUND_FLOOR if comparison == ">=" else ROUND_CEILING)
        elif meets and not shown_meets:
            shown = exact.quantize(step, rounding=ROUND_CEILING if comparison == ">=" else ROUND_FLOOR)
    return abs(shown) if shown == 0 else shown  # never "-0.0"


def display_number(value: float | None, value_unit: str | None, threshold: float | None = None,
                   comparison: str | None = None, status: str | None = None) -> str:
    """The number alone (no unit, no separators) at display precision; "" when there is no value (CLI cells)."""
    if _missing(value) or prints_no_rate(status):
        return ""
    return f"{_rounded(value, value_unit, threshold, comparison, status):f}"  # type: ignore[arg-type]


def shown_number(value: float | None, value_unit: str | None, threshold: float | None = None,
                 comparison: str | None = None, status: str | None = None) -> float | None:
    """The printed value as a number for CSV/XLSX (19.99, not 19.9967); None where nothing is printed."""
    text = display_number(value, value_unit, threshold, comparison, status)
    return float(text) if text else None


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
    """A value with its unit ("19.99 学时/人", "95.0%"), or "—" when there is none or its status prints none."""
    number = display_number(value, value_unit, threshold, comparison, status)
    return _with_unit(number, value_unit, lang) if number else MISSING


def format_count(number: object) -> str:
    """A count or sum as printed: whole numbers without decimals, never scientific (3,550,770; 1,234.5 hours)."""
    if _missing(number):
        return MISSING
    exact = Decimal(repr(float(number)))  # type: ignore[arg-type]
    shown = exact.quantize(Decimal(1)) if exact == exact.to_integral_value() \
        else exact.quantize(Decimal(1).scaleb(-COUNT_DECIMALS), rounding=ROUND_HALF_UP)
    return _decimal_text(abs(shown) if shown == 0 else shown)


def shown_count(number: object) -> int | float | None:
    """A count as printed, kept numeric for CSV/XLSX: 3 (not 3.0), 1234.5; None when there is none."""
    if _missing(number):
        return None
    text = count_number(number)
    return float(text) if "." in text else int(text)


def count_number(number: object) -> str:
    """A count for a machine-read cell (CLI CSV): whole numbers without decimals, no separators; "" when none."""
    if _missing(number):
        return ""
    return format_count(number).replace(",", "")


def format_fraction(numerator: object, denominator: object) -> str:
    """"124/3,550,770": the numerator over the denominator it was computed from; "—" without a denominator."""
    if _missing(denominator):
        return MISSING
    return f"{format_count(0 if _missing(numerator) else numerator)}/{format_count(denominator)}"


def format_share(part: object, whole: object) -> str:
    """"n/N" of units (5534/6847)."""
    return f"{format_count(part)}/{format_count(whole)}"


def format_percent(part: float, whole: float) -> str:
    """A share of a whole in % at one decimal, never rounded up to 100.0% (or up onto any whole) unless complete:
    99.96% reported prints 99.9%."""
    if not whole:
        return MISSING
    return format_value(100.0 * part / whole, "%", 100.0, ">=")


def share_with_percent(part: int, whole: int) -> str:
    """"5534/6847 (80.8%)" — a count of units and its percentage, as in the pack's completeness table."""
    return f"{format_share(part, whole)} ({format_percent(part, whole)})" if whole else MISSING


def reported_text(reported: object, expected: object, lang: str = "zh", *, report: str | None = None) -> str:
    """The "reported" count named for what it counts: "报送本项指标 5534/6847" (units that reported this
    indicator's figures), or with `report` "报送学校年报 5546/6847" (units that sent that report at all)."""
    words = REPORTED_REPORT[_lang(lang)].format(report=report) if report else REPORTED_INDICATOR[_lang(lang)]
    return f"{words} {format_share(reported, expected)}" if lang != "en" else f"{format_share(reported, expected)} " \
        f"{words}"


def plain_number(number: float) -> str:
    """A number as declared or stored (90, 0.5, 4000, 106.12345), never in scientific notation, no separators."""
    return f"{Decimal(repr(float(number))).normalize():f}"


def attainment_label(attainment: float) -> str:
    """A share of the target as declared ("90%" for status.CLOSE_ATTAINMENT 0.9)."""
    return f"{plain_number(round(attainment * 100, 6))}%"


def stored_value_text(value: object) -> str:
    """How a stored report value reads in the import preview and history: 空(未上报), 是/否, the number as stored
    (coordinates keep their five decimals), text as it is."""
    if value is None:
        return "空(未上报)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return plain_number(value)
    return str(value)


def threshold_label(threshold: float | None, comparison: str | None, value_unit: str | None,
                    lang: str = "zh") -> str:
    """A target as printed beside a value: "≥95%", "≥4 per 100,000 people"; "—" without a target."""
    if _missing(threshold) or comparison not in (">=", "<="):
        return MISSING
    sign = "≥" if comparison == ">=" else "≤"
    number = plain_number(float(threshold))  # type: ignore[arg-type]
    if value_unit == "%" or lang != "en":
        return f"{sign}{number}{value_unit or ''}"
    return f"{sign}{_with_unit(number, value_unit, lang)}"


def target_text(row: dict, lang: str = "zh") -> str:
    """A row's target in the language ("≥4 per 100,000 people"); "—" when no target applies."""
    label = threshold_label(row.get("threshold"), row.get("comparison"), row.get("value_unit"), lang)
    if label == MISSING and row.get("target_label"):
        return row["target_label"]  # a frame that carries only the label (no threshold) keeps it
    return label


def deadline_label(deadline_year: object, lang: str = "zh") -> str:
    """"2025年底" / "end of 2025"; a recurring duty "每学年" / "every school year"."""
    if _missing(deadline_year):
        return "every school year" if lang == "en" else "每学年"
    return f"end of {int(deadline_year)}" if lang == "en" else f"{int(deadline_year)}年底"  # type: ignore[arg-type]


def status_label(status: object, lang: str = "zh") -> str:
    """The band label of a status, from status.BANDS (the status itself if no band declares it)."""
    try:
        band = BAND_BY_STATUS[Status(status)]
    except ValueError:
        return str(status)
    return band.label_en if lang == "en" else band.label_zh


def _gap_decimal(gap: float, value_unit: str | None) -> Decimal:
    step = Decimal(1).scaleb(-decimals_for(value_unit))
    exact = Decimal(repr(float(gap)))
    shown = exact.quantize(step, rounding=ROUND_CEILING if exact > 0 else ROUND_FLOOR)
    return abs(shown) if shown == 0 else shown


def format_gap(gap: float | None, value_unit: str | None, *, lang: str = "zh") -> str:
    """How far a value is from its target (positive = short), rounded away from zero so a unit that is
    short never shows a gap of 0; "—" when there is no value."""
    if _missing(gap):
        return MISSING
    shown = f"{_gap_decimal(gap, value_unit):f}"  # type: ignore[arg-type]
    if value_unit == "%":
        return f"{shown} {'pp' if lang == 'en' else '个百分点'}"
    return _with_unit(shown, value_unit, lang)


def shown_gap(gap: float | None, value_unit: str | None, status: str | None = None) -> float | None:
    """The printed gap as a number for CSV/XLSX; None where nothing is printed."""
    if _missing(gap) or prints_no_rate(status):
        return None
    return float(_gap_decimal(gap, value_unit))  # type: ignore[arg-type]


def shortfall_count(shortfall: float | None) -> int | None:
    """Whole units still missing (a fraction of a teacher is one more teacher); None when not countable."""
    if _missing(shortfall):
        return None
    return max(0, math.ceil(round(float(shortfall), 9)))  # type: ignore[arg-type]


def shortfall_noun(noun: str, lang: str = "zh") -> str:
    """The thing a shortfall counts, in the language ("名专职教师" / "full-time teachers")."""
    if lang != "en":
        return noun
    return next((english for key, english in SHORTFALL_NOUNS_EN if key in noun), "units")


def format_shortfall(shortfall: float | None, shortfall_unit: str | None, prefix: str | None = None, *,
                     lang: str = "zh") -> str:
    """"还需 3 名专职教师"; "—" when not countable (no unit, no value) and "已达标" when nothing is missing."""
    count = shortfall_count(shortfall)
    if count is None or not shortfall_unit:
        return MISSING
    if count == 0:
        return "target met" if lang == "en" else "已达标"
    if prefix is None:
        prefix = "still needed: " if lang == "en" else "还需 "
    return f"{prefix}{format_count(count)} {shortfall_noun(shortfall_unit, lang)}"


def _is_one_unit_share(row: dict) -> bool:
    """A school judged on a yes/no rule: its "rate" is 0% or 100% of one, which says nothing as a percentage."""
    indicator = catalog.indicators().get(row.get("indicator") or "")
    return row.get("level") == "school" and indicator is not None and indicator.rollup == "share"


def value_text(row: dict, lang: str = "zh") -> str:
    """What to print as a unit's value (an evaluation row): the formatted value; met / not met for a school's
    yes/no rule; "—" for a status that prints no rate (a 3-student survey shows no 33.3%)."""
    status = row.get("status")
    if prints_no_rate(status):
        return MISSING
    if not _is_one_unit_share(row):
        return format_value(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                            status, lang=lang)
    if status in UNMET_STATUSES:
        return NOT_MET[_lang(lang)]
    return status_label(status or Status.NO_DATA.value, lang)


def value_or_status(row: dict, lang: str = "zh") -> str:
    """The value, or for a status that prints no rate its label (hover and tooltips, where no status column
    stands beside it)."""
    return status_label(row.get("status"), lang) if prints_no_rate(row.get("status")) else value_text(row, lang)


def row_number(row: dict) -> str:
    """display_number for one evaluation row: the number alone, "" when there is none or none is printed."""
    return display_number(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                          row.get("status"))


def row_shown_value(row: dict) -> float | None:
    """shown_number for one evaluation row (CSV/XLSX)."""
    return shown_number(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                        row.get("status"))


def fraction_text(row: dict) -> str:
    """Numerator/denominator of a row ("124/3,550,770"); "—" where the status prints no rate."""
    if prints_no_rate(row.get("status")):
        return MISSING
    return format_fraction(row.get("numerator"), row.get("denominator"))


def row_numerator(row: dict) -> int | float | None:
    """The numerator for a CSV/XLSX cell; None where the status prints no rate (it would give the rate away)."""
    return None if prints_no_rate(row.get("status")) else shown_count(row.get("numerator"))


def missing_text(row: dict, lang: str = "zh") -> str:
    """What a unit still lacks: '缺 1 名专(兼)职教师' for a school, '还需 3 名专职教师' above; else the gap.

    An area that meets its target as a whole while some of its counties do not says so: '已达标; 下辖县区还需
    805 名学生知晓' (short enough for the ranking's column). "—" for a status that judges nothing.
    """
    if prints_no_rate(row.get("status")):
        return MISSING
    school = row.get("level") == "school"
    prefix = ("missing " if lang == "en" else "缺 ") if school else ("still needed: " if lang == "en" else "还需 ")
    noun = row.get("shortfall_unit")
    met = "met" if lang == "en" else "已达标"
    if row.get("status") == Status.MET and row.get("level") not in ("school", "county") and noun:
        below = format_shortfall(row.get("shortfall"), noun, prefix="", lang=lang)
        if below not in (MISSING, "已达标", "target met"):
            return f"met; its counties still need {below}" if lang == "en" else f"已达标; 下辖县区还需 {below}"
    text = format_shortfall(row.get("shortfall"), noun, prefix=prefix, lang=lang)
    if text in ("已达标", "target met"):
        return met
    if text != MISSING or _is_one_unit_share(row):
        return text
    gap = row.get("gap")
    if _missing(gap):
        return MISSING
    if gap <= 0:  # type: ignore[operator]
        return met
    shown = format_gap(gap, row.get("value_unit"), lang=lang)  # type: ignore[arg-type]
    return f"{shown} short" if lang == "en" else f"差 {shown}"


TRAJECTORY_WORDS = {"met": ("已达标", "Met"), "due": ("本学年须达标", "Due this school year"),
                    "overdue": ("已到期, 差 {gap}", "Deadline passed, {gap} short"),
                    "per_year": ("每年 +{step} ({years} 年)", "+{step} a year ({years} years)")}


def trajectory_text(row: dict, lang: str = "zh") -> str:
    """Yearly progress still needed by the deadline, in words a meeting understands ("每年 +5.0 个百分点 (2 年)")."""
    status, gap = row.get("status"), row.get("gap")
    words = {key: pair[_lang(lang)] for key, pair in TRAJECTORY_WORDS.items()}
    if prints_no_rate(status) or _missing(gap):
        return status_label(status or Status.NO_DATA.value, lang)
    unit = row.get("value_unit")
    if gap <= 0:  # type: ignore[operator]
        return words["met"]
    years_left = row.get("years_left")
    if _missing(years_left):
        return words["due"]
    if years_left <= 0:  # type: ignore[operator]
        return words["overdue"].format(gap=format_gap(gap, unit, lang=lang))  # type: ignore[arg-type]
    return words["per_year"].format(step=format_gap(row.get("needed_per_year"), unit, lang=lang),
                                    years=int(years_left))  # type: ignore[arg-type]
