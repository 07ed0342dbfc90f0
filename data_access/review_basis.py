"""Which figures analytics count: every report, or only what the level above approved (仅显示已审核数据).

With `approved_only`, a county's reports of a year and report type that are not approved count as not
reported: the county is 待审核 (pending review), never zero, and a city sums only its approved counties. A
county's own users still see their county's unapproved figures (`own_county`), marked 未审核.

Every output states its basis: "已审核 8/10 县" (approved counties of those expected to report) or
"含未审核数据" (the figures include unapproved reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

# An indicator's unit kind (indicators.toml) names the yearly report type its facts come from.
REPORT_TYPE_OF_KIND: dict[str, str] = {"school": "school", "survey": "survey", "hospital": "hospital",
                                       "community": "community", "region": "region"}
# Per-row review marks (evaluate's `review` column).
APPROVED, PENDING, UNAPPROVED_SHOWN, UNAPPROVED = "approved", "pending", "unapproved_shown", "unapproved"

Approvals = Mapping[tuple[int, str], frozenset[str]]  # (year, report type) -> approved county adcodes


@dataclass(frozen=True)
class Basis:
    """The basis a figure is computed on; a plain value, so it can key caches."""

    approved_only: bool = False
    own_county: str | None = None  # a county user's own county: shown even when not approved, marked 未审核


ALL_DATA = Basis(approved_only=False)


def approvals(engine: sa.Engine, years: Iterable[int], report_types: Iterable[str]) -> Approvals:
    """Approved counties per (year, report type), read through the review state machine's own rule."""
    from data_access import review

    wanted = [(int(year), report_type) for year in sorted(set(years)) for report_type in sorted(set(report_types))]
    with engine.connect() as conn:
        return {key: frozenset(review.approved_counties(conn, *key)) for key in wanted}


def basis_text(approved: int, total: int, *, approved_only: bool, unapproved_shown: bool = False,
               lang: str = "zh") -> str:
    """'已审核 8/10 县' or '含未审核数据': what the figures beside it are computed on.

    Without the switch the figures hold every report: all approved reads as approved, else as including
    unapproved data. `unapproved_shown`: a county user's own unapproved figures are in it.
    """
    if unapproved_shown or (not approved_only and approved < total):
        return "includes unapproved data" if lang == "en" else "含未审核数据"
    if lang == "en":
        return f"approved {approved}/{total} counties"
    return f"已审核 {approved}/{total} 县"


def row_basis_text(row: Mapping, *, approved_only: bool, lang: str = "zh") -> str:
    """A unit's basis for hover and ranking rows: a county or school says 已审核 / 待审核 / 未审核, an area
    the count of its approved counties."""
    mark = row.get("review")
    if row.get("level") in ("county", "school"):
        if mark == APPROVED:
            return "approved" if lang == "en" else "已审核"
        if mark == PENDING:
            return "pending review" if lang == "en" else "待审核"
        if mark in (UNAPPROVED, UNAPPROVED_SHOWN):
            return "not approved" if lang == "en" else "未审核"
        return ""
    approved, total = row.get("counties_approved"), row.get("counties_total")
    if approved is None or total is None or total != total:  # NaN: no review columns
        return ""
    return basis_text(int(approved), int(total), approved_only=approved_only,
                      unapproved_shown=bool(row.get("unapproved_shown")), lang=lang)
