"""Review progress beside completeness and deadlines, and the reminder list (催报) of overdue counties.

The review page and the completeness page read one frame: per county in scope and report type, the review
state (data_access.review), completeness n/N, open plausibility warnings, the deadline and the days to it
(negative = past). A county is overdue when its deadline has passed and it has not submitted (填报中 or
已退回). The reminder list names what is missing and who to call: the county's reporter accounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from data_access import accounts, review
from data_access.completeness import REPORT_KINDS, unit_reports
from data_access.regions import ALL_REGIONS

BEIJING = timedelta(hours=8)
NOT_SUBMITTED = frozenset({review.STATE_OPEN, review.STATE_RETURNED})
# Overdue rows on the review and completeness pages: a colour no status band uses.
OVERDUE_COLOUR = "#f8c8dc"

PROGRESS_COLUMNS = (*review.REVIEW_COLUMNS, "reported", "expected", "days_left", "overdue")
REMINDER_COLUMNS = ("county_adcode", "county_name", "report_type", "report_name", "state", "state_label", "missing",
                    "reported", "expected", "reporters", "reporter_names", "deadline", "days_overdue")


def today_in_beijing(now: datetime | None = None) -> date:
    """Deadlines are calendar days in China."""
    return ((now or datetime.now(UTC)).astimezone(UTC) + BEIJING).date()


def _completeness(engine: sa.Engine, year: int, allowed_region: str) -> pd.DataFrame:
    """Reported and expected units per county and report type."""
    parts = []
    for report_type in review.REPORT_TYPES:
        if report_type not in REPORT_KINDS:
            continue
        units = unit_reports(engine, allowed_region, year, report_type, allowed_region) \
            if allowed_region != ALL_REGIONS else _all_units(engine, year, report_type)
        if units.empty:
            continue
        counted = units.groupby("county_adcode", as_index=False).agg(reported=("reported", "sum"),
                                                                      expected=("reported", "size"))
        parts.append(counted.assign(report_type=report_type))
    if not parts:
        return pd.DataFrame(columns=["county_adcode", "report_type", "reported", "expected"])
    return pd.concat(parts, ignore_index=True)


def _all_units(engine: sa.Engine, year: int, report_type: str) -> pd.DataFrame:
    """Every province's units (the national operator's scope): unit_reports per province."""
    from data_access.regions import region_frame

    provinces = region_frame(engine).query("level == 'province'")["adcode"]
    frames = [unit_reports(engine, code, year, report_type) for code in provinces]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["county_adcode", "reported"])


def review_progress(engine: sa.Engine, year: int, allowed_region: str, *, today: date | None = None) -> pd.DataFrame:
    """review.review_table with completeness (reported, expected), days to the deadline (negative: past) and
    `overdue` (deadline passed, not submitted)."""
    table = review.review_table(engine, year, allowed_region)
    counted = _completeness(engine, year, allowed_region)
    merged = table.merge(counted, on=["county_adcode", "report_type"], how="left")
    merged[["reported", "expected"]] = merged[["reported", "expected"]].fillna(0).astype(int)
    day = today or today_in_beijing()
    merged["days_left"] = [pd.NA if deadline is None or pd.isna(deadline) else (_as_date(deadline) - day).days
                           for deadline in merged["deadline"]]
    merged["days_left"] = merged["days_left"].astype("Int64")
    merged["overdue"] = [bool(state in NOT_SUBMITTED and days is not pd.NA and days < 0)
                         for state, days in zip(merged["state"], merged["days_left"], strict=True)]
    return merged[list(PROGRESS_COLUMNS)]


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _missing_text(row: dict) -> str:
    """What the county still owes: the report itself, and how many units have not reported."""
    state = review.STATE_ZH.get(row["state"], row["state"])
    units = f"已上报 {row['reported']}/{row['expected']} 个单位" if row["expected"] else "无应报单位"
    reason = f"; 退回原因: {row['reason']}" if row["state"] == review.STATE_RETURNED and row.get("reason") else ""
    return f"{review.REPORT_NAMES_ZH.get(row['report_type'], row['report_type'])}未提交 ({state}, {units}){reason}"


def reminder_list(engine: sa.Engine, year: int, allowed_region: str, *, today: date | None = None,
                  progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per overdue county and report type: what is missing, the county's active reporter accounts
    (logins and display names, ';'-separated) and the days overdue, most overdue first."""
    found = progress if progress is not None else review_progress(engine, year, allowed_region, today=today)
    overdue = found[found["overdue"]]
    reporters: dict[str, list[accounts.User]] = {}
    for user in accounts.list_users(engine):
        if user.active and user.role == "reporter":
            reporters.setdefault(user.region, []).append(user)
    rows = []
    for row in overdue.to_dict("records"):
        people = sorted(reporters.get(row["county_adcode"], []), key=lambda user: user.login)
        rows.append({
            "county_adcode": row["county_adcode"], "county_name": row["county_name"],
            "report_type": row["report_type"],
            "report_name": review.REPORT_NAMES_ZH.get(row["report_type"], row["report_type"]),
            "state": row["state"], "state_label": review.STATE_ZH.get(row["state"], row["state"]),
            "missing": _missing_text(row), "reported": row["reported"], "expected": row["expected"],
            "reporters": "; ".join(user.login for user in people) or "—",
            "reporter_names": "; ".join(user.display_name for user in people),
            "deadline": row["deadline"], "days_overdue": -int(row["days_left"]),
        })
    frame = pd.DataFrame(rows, columns=list(REMINDER_COLUMNS))
    return frame.sort_values(["days_overdue", "county_adcode", "report_type"], ascending=[False, True, True]) \
        .reset_index(drop=True)
