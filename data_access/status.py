"""Statuses: declared once, used by every level, year, map, card, legend and export.

A unit's attainment is value / threshold for "at least" targets (threshold / value for "at most").
Attainment bands are fixed so that green means the same in a county as in a city. Besides the three
attainment bands there are statuses that are not a judgement of the value: 达标后回落 (met at the deadline,
below it since), 样本不足 and 不适用 (neutral: never counted as "behind" nor ranked), and 无数据.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    MET = "met"
    CLOSE = "close"
    BEHIND = "behind"
    SLIPPED = "slipped"
    SMALL_SAMPLE = "small_sample"
    NOT_APPLICABLE = "not_applicable"
    NO_DATA = "no_data"
    PENDING_REVIEW = "pending_review"


@dataclass(frozen=True)
class Band:
    status: Status
    label_zh: str
    label_en: str
    colour: str
    # Lowest attainment (value / threshold) that still falls in this band; None = not an attainment band.
    min_attainment: float | None
    explanation_zh: str
    explanation_en: str
    # Neutral statuses are drawn grey-ish and left out of "behind" counts and rankings.
    neutral: bool = False


# "close" = within 10% of the target (e.g. 81%+ against a 90% target).
CLOSE_ATTAINMENT = 0.90
# A pooled student rate over fewer students than this is noise (and nearly identifies people): 样本不足.
SMALL_SAMPLE_STUDENTS = 10

BANDS: tuple[Band, ...] = (
    Band(Status.MET, "达标", "Met", "#1a9850", 1.0, "已达到目标值", "Target reached"),
    Band(Status.CLOSE, "接近", "Close", "#fdae61", CLOSE_ATTAINMENT, "达到目标值的90%以上, 尚未达标",
         "At least 90% of the target, not yet met"),
    Band(Status.BEHIND, "落后", "Behind", "#d73027", 0.0, "不足目标值的90%", "Below 90% of the target"),
    Band(Status.SLIPPED, "达标后回落", "Slipped", "#7b3294", None,
         "期限年已达标, 此后低于目标", "Met at the deadline, below the target since"),
    Band(Status.SMALL_SAMPLE, "样本不足", "Small sample", "#c6dbef", None,
         f"受调查学生不足{SMALL_SAMPLE_STUDENTS}人, 比率不可靠, 不作判断",
         f"Fewer than {SMALL_SAMPLE_STUDENTS} students surveyed: no rate is judged", neutral=True),
    Band(Status.NOT_APPLICABLE, "不适用", "Not applicable", "#f0f0f0", None,
         "该年本地区没有此指标统计范围内的单位", "No unit of this indicator's population here in that year",
         neutral=True),
    Band(Status.NO_DATA, "无数据", "No data", "#bdbdbd", None, "应上报单位均未上报", "No expected unit reported"),
    # Shown only with 仅显示已审核数据: the unit's figures exist but the level above has not approved them yet,
    # so they count as not reported (never as zero).
    Band(Status.PENDING_REVIEW, "待审核", "Pending review", "#d9c9a3", None,
         "上报数据尚未经上级审核, 按未上报计", "Not yet approved by the level above: counted as not reported",
         neutral=True),
)
BAND_BY_STATUS: dict[Status, Band] = {band.status: band for band in BANDS}
STATUS_COLOURS: dict[str, str] = {band.status.value: band.colour for band in BANDS}
# The status sets, declared here only. Statuses that mean "not there yet" (counted as behind; ranked):
# everything judged and not met.
UNMET_STATUSES: frozenset[Status] = frozenset({Status.CLOSE, Status.BEHIND, Status.SLIPPED})
# Neutral: a judgement withheld (too few students, nothing expected); never counted as behind.
NEUTRAL_STATUSES: frozenset[Status] = frozenset(band.status for band in BANDS if band.neutral)
# Statuses that judge nothing: the neutral ones and 无数据. They print no rate, pass count or gap anywhere
# (formatting.prints_no_rate), are drawn grey-ish, listed after the ranked units and never ranked.
UNJUDGED_STATUSES: frozenset[Status] = NEUTRAL_STATUSES | {Status.NO_DATA}


def attainment(value: float | None, threshold: float, comparison: str) -> float | None:
    """Share of the target reached (1.0 = exactly met); None when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if comparison == ">=":
        if threshold == 0:
            return 1.0
        return value / threshold
    if comparison == "<=":
        if value <= 0:
            return 1.0
        return threshold / value
    raise ValueError(f"unknown comparison {comparison!r}")


def status_for(value: float | None, threshold: float | None, comparison: str | None) -> Status:
    """Attainment band of a value against its target; NO_DATA when either is missing."""
    if threshold is None or comparison is None:
        return Status.NO_DATA
    reached = attainment(value, threshold, comparison)
    if reached is None:
        return Status.NO_DATA
    # Rounding noise must not turn an exact 90.0% into "close".
    reached = round(reached, 9)
    for band in BANDS:
        if band.min_attainment is not None and reached >= band.min_attainment:
            return band.status
    return Status.BEHIND


def unit_status(value: float | None, threshold: float | None, comparison: str | None, *, expected: int,
                denominator: float | None = None, min_denominator: float | None = None) -> Status:
    """Status of one unit: 不适用 when nothing was expected, 样本不足 when a pooled denominator was reported
    below its minimum (0 surveyed included: reported, and too few to judge), else the attainment band
    (SLIPPED needs the deadline year and is set by the engine)."""
    if expected == 0:
        return Status.NOT_APPLICABLE
    reported_sample = denominator is not None and not math.isnan(denominator)
    if min_denominator is not None and reported_sample and denominator < min_denominator:
        return Status.SMALL_SAMPLE
    return status_for(value, threshold, comparison)
