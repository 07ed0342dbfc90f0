"""Attainment bands: declared once, used by every level, year, map, card and export.

A unit's attainment is value / threshold for "at least" targets (threshold / value for "at most").
Bands are fixed so that green means the same in a county as in a city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    MET = "met"
    CLOSE = "close"
    BEHIND = "behind"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Band:
    status: Status
    label_zh: str
    label_en: str
    colour: str
    # Lowest attainment (value / threshold) that still falls in this band.
    min_attainment: float | None


# "close" = within 10% of the target (e.g. 81%+ against a 90% target).
CLOSE_ATTAINMENT = 0.90

BANDS: tuple[Band, ...] = (
    Band(Status.MET, "达标", "Met", "#1a9850", 1.0),
    Band(Status.CLOSE, "接近", "Close", "#fdae61", CLOSE_ATTAINMENT),
    Band(Status.BEHIND, "落后", "Behind", "#d73027", 0.0),
    Band(Status.NO_DATA, "无数据", "No data", "#bdbdbd", None),
)
BAND_BY_STATUS: dict[Status, Band] = {band.status: band for band in BANDS}
STATUS_COLOURS: dict[str, str] = {band.status.value: band.colour for band in BANDS}


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
    """Band of a value against its target; NO_DATA when either is missing."""
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


def status_label(status: str | Status, lang: str = "zh") -> str:
    band = BAND_BY_STATUS[Status(status)]
    return band.label_zh if lang == "zh" else band.label_en
