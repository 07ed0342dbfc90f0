"""The demo's review story (逐级审核): 2022-2025 fully approved, 2026 in mid-review.

2022-2025: every county's five yearly reports submitted by its reporter and approved by its city; Shaanxi's
cities confirmed by the province (written as rows: thousands of transitions of a finished past).
2026 goes through the state machine itself (data_access.review), so its history is real:

- Pingliang (the city's approval is final), 学校年报 and 调查 due 2026-11-15 (passed):
  崆峒区 approved; 泾川县 submitted; 灵台县 returned with a reason; 崇信县 submitted with an explained
  plausibility warning (a school's enrolment up more than 30 %); 庄浪县, 静宁县 and 华亭市 open, so overdue.
- Shaanxi, 学校年报 due 2026-11-30 (passed): 西安市's first counties approved by the city, the next ones
  submitted, 宝鸡市's counties submitted; every other county open, so overdue.

Accounts of the story (reporters per county, reviewers per city and the province) exist without a password:
`mhmonitor user passwd LOGIN --password-stdin` lets someone try the chain on the demo.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_access import review, schema
from data_access.access import Principal

PAST_YEARS = (2022, 2023, 2024, 2025)
CURRENT = 2026
PINGLIANG, SHAANXI, XIAN, BAOJI = "620800", "610000", "610100", "610300"
PINGLIANG_DUE = date(2026, 11, 15)
SHAANXI_DUE = date(2026, 11, 30)
RETURN_REASON = "3 所学校心理辅导室填为「否」, 与 2025 年不符, 请核实后重新上报"
WARNING_COUNTY = "620823"  # 崇信县
ENROLMENT_JUMP = 1.4  # +40 %: above the 30 % plausibility rule
WARNING_EXPLANATION = "该校 2026 年合并了邻近两所村小, 在校生数增加属实 (县教育局文件 崇教发〔2026〕12 号)"
XIAN_APPROVED, XIAN_SUBMITTED = 5, 3  # of Xi'an's counties, in adcode order


def reporter(county: dict) -> Principal:
    return Principal(f"rep.{county['adcode']}", f"{county['name']}填报员", "reporter", county["adcode"])


def reviewer(region: dict) -> Principal:
    return Principal(f"rev.{region['adcode']}", f"{region['name']}审核员", "reviewer", region["adcode"])


def jump_enrolment(school_years: list[dict], schools: pd.DataFrame) -> tuple[str, int, int] | None:
    """Raise one 崇信县 school's 2026 enrolment by 40 % (the warning the county explains); returns
    (school_id, 2025 value, 2026 value)."""
    mine = set(schools.loc[schools["county_adcode"] == WARNING_COUNTY, "school_id"])
    by_key = {(row["school_id"], row["year"]): row for row in school_years if row["school_id"] in mine}
    for school_id in sorted(mine):
        before, now = by_key.get((school_id, CURRENT - 1)), by_key.get((school_id, CURRENT))
        if before and now and before.get("enrollment") and now.get("enrollment"):
            now["enrollment"] = int(round(before["enrollment"] * ENROLMENT_JUMP))
            return school_id, int(before["enrollment"]), int(now["enrollment"])
    return None


def story_users(regions: pd.DataFrame) -> list[dict]:
    """users rows: one reporter per county, one reviewer per city and for Shaanxi; no password."""
    created = datetime(2022, 1, 1)
    people = [reporter(row) for row in regions[regions["level"] == "county"].to_dict("records")]
    people += [reviewer(row) for row in regions[regions["level"] == "city"].to_dict("records")]
    people += [reviewer(row) for row in regions[regions["adcode"] == SHAANXI].to_dict("records")]
    return [{"login": p.login, "display_name": p.display_name, "role": p.role, "region_adcode": p.region,
             "active": True, "password_hash": None, "oidc_subject": None, "email": None, "created_at": created}
            for p in people]


def _event(unit: str, year: int, report_type: str, action: str, before: str, after: str, actor: Principal,
           at: datetime) -> dict:
    return {"event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mhmonitor-demo/{unit}/{year}/{report_type}/{action}")),
            "unit_adcode": unit, "year": year, "report_type": report_type, "action": action, "from_state": before,
            "to_state": after, "actor": actor.login, "actor_name": actor.display_name, "actor_region": actor.region,
            "occurred_at": at, "reason": None, "explanation": None, "rows_reported": 0, "open_warnings": 0}


def past_rows(regions: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """review_states and review_events of 2022-2025: submitted in September, approved by the city ten days
    later, Shaanxi's cities confirmed by the province in October."""
    by_code = regions.set_index("adcode", drop=False)
    states, events = [], []
    counties = regions[regions["level"] == "county"].to_dict("records")
    for year in PAST_YEARS:
        submitted, approved, confirmed = datetime(year, 9, 10, 2), datetime(year, 9, 20, 2), datetime(year, 10, 8, 2)
        for county in counties:
            city = by_code.loc[county["city_adcode"]].to_dict()
            who, approver = reporter(county), reviewer(city)
            for report_type in review.REPORT_TYPES:
                states.append({"unit_adcode": county["adcode"], "year": year, "report_type": report_type,
                               "state": review.STATE_APPROVED, "submitted_by": who.login, "submitted_at": submitted,
                               "approved_by": approver.login, "approved_at": approved,
                               "approver_region": city["adcode"], "reason": None, "updated_by": approver.login,
                               "updated_at": approved})
                events.append(_event(county["adcode"], year, report_type, "submit", review.STATE_OPEN,
                                     review.STATE_SUBMITTED, who, submitted))
                events.append(_event(county["adcode"], year, report_type, "approve", review.STATE_SUBMITTED,
                                     review.STATE_APPROVED, approver, approved))
        province = reviewer(by_code.loc[SHAANXI].to_dict())
        for city in regions[(regions["level"] == "city") & (regions["province_adcode"] == SHAANXI)].to_dict("records"):
            for report_type in review.REPORT_TYPES:
                states.append({"unit_adcode": city["adcode"], "year": year, "report_type": report_type,
                               "state": review.STATE_APPROVED, "submitted_by": None, "submitted_at": None,
                               "approved_by": province.login, "approved_at": confirmed, "approver_region": SHAANXI,
                               "reason": None, "updated_by": province.login, "updated_at": confirmed})
                events.append(_event(city["adcode"], year, report_type, "approve", review.STATE_OPEN,
                                     review.STATE_APPROVED, province, confirmed))
    return states, events


def _warning_batch(conn: sa.Connection, county: dict, warning: tuple[str, int, int]) -> None:
    """The 2026 import of 崇信县's school report as the review chain sees it: an applied batch carrying one
    plausibility warning (its figures are the demo's own rows)."""
    school_id, before, after = warning
    batch = str(uuid.uuid5(uuid.NAMESPACE_URL, "mhmonitor-demo/batch/620823/2026/school"))
    conn.execute(sa.insert(schema.import_batches).values(
        batch_id=batch, report_type="school", file_name="崇信县学校年报2026.xlsx", file_sha256="0" * 64,
        imported_by=reporter(county).login, imported_at=datetime(2026, 11, 3, 2), allowed_region=county["adcode"],
        status="applied", rows_total=1, rows_added=0, rows_changed=1, rows_unchanged=0, issue_count=0,
        message=None, undo_of=None))
    conn.execute(sa.insert(schema.import_warnings).values(
        batch_id=batch, warning_no=1, rule_id="enrollment_change_30pct", report_type="school",
        county_adcode=county["adcode"], unit_id=school_id, year=CURRENT, file_name="崇信县学校年报2026.xlsx",
        excel_row=5, column_header="在校生数", previous_year=CURRENT - 1, old_value=str(before), new_value=str(after),
        message=f"在校生数较上一次上报 ({CURRENT - 1} 年) 变化超过 30%: 请核实是否填错, 确实如此请在上报时说明原因"))


def current_round(conn: sa.Connection, regions: pd.DataFrame, warning: tuple[str, int, int] | None) -> None:
    """2026 through the state machine, inside the demo build's transaction."""
    by_code = regions.set_index("adcode", drop=False)
    county = {code: by_code.loc[code].to_dict() for code in by_code.index}
    pingliang = reviewer(county[PINGLIANG])
    operator = Principal("demo.admin", "演示管理员", "admin", "000000")
    for report_type in ("school", "survey"):
        review.set_deadline(conn, operator, PINGLIANG, CURRENT, report_type, PINGLIANG_DUE)
    review.set_deadline(conn, operator, SHAANXI, CURRENT, "school", SHAANXI_DUE)

    review.submit(conn, reporter(county["620802"]), "620802", CURRENT, "school")
    review.approve(conn, pingliang, "620802", CURRENT, "school")
    review.submit(conn, reporter(county["620821"]), "620821", CURRENT, "school")
    review.submit(conn, reporter(county["620822"]), "620822", CURRENT, "school")
    review.return_(conn, pingliang, "620822", CURRENT, "school", reason=RETURN_REASON)
    if warning is not None:
        _warning_batch(conn, county[WARNING_COUNTY], warning)
    review.submit(conn, reporter(county[WARNING_COUNTY]), WARNING_COUNTY, CURRENT, "school",
                  WARNING_EXPLANATION if warning is not None else None)

    xian = sorted(regions[(regions["city_adcode"] == XIAN) & (regions["level"] == "county")]["adcode"])
    for code in xian[:XIAN_APPROVED + XIAN_SUBMITTED]:
        review.submit(conn, reporter(county[code]), code, CURRENT, "school")
    for code in xian[:XIAN_APPROVED]:
        review.approve(conn, reviewer(county[XIAN]), code, CURRENT, "school")
    for code in sorted(regions[(regions["city_adcode"] == BAOJI) & (regions["level"] == "county")]["adcode"]):
        review.submit(conn, reporter(county[code]), code, CURRENT, "school")


def write_story(conn: sa.Connection, regions: pd.DataFrame, warning: tuple[str, int, int] | None) -> dict[str, int]:
    """Every row of the story; returns row counts for the build summary."""
    users = story_users(regions)
    states, events = past_rows(regions)
    conn.execute(sa.insert(schema.users), users)
    conn.execute(sa.insert(schema.review_states), states)
    conn.execute(sa.insert(schema.review_events), events)
    current_round(conn, regions, warning)
    return {"users": len(users), "review_states (2022-2025)": len(states), "review_events (2022-2025)": len(events)}
