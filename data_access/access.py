"""The one access rule: who may do what, where. Pages, the command line and the importer all ask `can`.

A principal has one role and one region (a province, city or county adcode, ALL_REGIONS, or, for a school's
own reporter, one school's 学校标识码). Every right stops at the principal's region: a region is inside it
when the region's path (itself, its city, its province) names it; a school's path is the school, its
county, city and province, so a school principal reaches only their school and nothing around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data_access.regions import ALL_REGIONS, RegionError, path_of
from data_access.schema import regions, schools

# Review actions (data_access/review.py adds the level rules: who approves what): a county's reporters submit;
# the level above approves, returns and withdraws. The reviewer role (审核) reviews without importing or
# managing accounts.
REVIEW_ACTIONS = frozenset({"approve", "return", "withdraw"})
# The school's own reporter (学校填报): fills its own entry form (填报) and undoes its own saves; no map, no
# table, no export of anything, since every other right needs a region and a school is none. A county's
# reporters, reviewers and administrators review (and return) their schools' own reports (review_schools).
SCHOOL_ROLE = "school"
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view", "export"}),
    "reporter": frozenset({"view", "export", "import", "undo_own", "submit", "review_schools"}),
    "reviewer": frozenset({"view", "export", "review_schools"}) | REVIEW_ACTIONS,
    "admin": frozenset({"view", "export", "import", "undo_own", "undo_any", "manage_users", "submit",
                        "set_deadline", "review_schools"}) | REVIEW_ACTIONS,
    SCHOOL_ROLE: frozenset({"enter", "undo_own"}),
}
ACTIONS = frozenset().union(*ROLE_ACTIONS.values())
ACTION_ZH = {"view": "查看", "export": "导出", "import": "导入", "undo_own": "撤销本人导入", "undo_any": "撤销他人导入",
             "manage_users": "管理账号", "submit": "上报", "approve": "审核通过", "return": "退回",
             "withdraw": "取消审核", "set_deadline": "设置截止日期", "enter": "填报", "review_schools": "审核学校填报"}


class AccessDenied(RegionError, PermissionError):
    """The principal may not do this here, or see this region (read_model.scope_for, permitted_region); message
    in Chinese.

    The one refusal of the access rule: a RegionError too, so a scope check's callers catch it with the other
    region errors, and a PermissionError for everything else."""


@dataclass(frozen=True)
class Principal:
    login: str  # "" for the anonymous demo visitor and the shell operator
    display_name: str
    role: str
    region: str

    @property
    def anonymous(self) -> bool:
        return not self.login and self.role == "viewer"


# Visitors of the demo warehouse without a session: read-only, everything (the data is generated).
ANONYMOUS_DEMO = Principal(login="", display_name="匿名访客 (演示数据)", role="viewer", region=ALL_REGIONS)
# `mhmonitor` run on the server without --as: the operator owns the warehouse file (or its URL) anyway.
SHELL_OPERATOR = Principal(login="", display_name="服务器操作员", role="admin", region=ALL_REGIONS)


def unit_path(region: Mapping | pd.Series) -> tuple[str, ...]:
    """The codes a region or school lies inside, itself first: a school row (school_id, county_adcode, ...)
    adds the school in front of its county's path."""
    if "school_id" in region:
        return (region["school_id"], *path_of({**dict(region), "adcode": region["county_adcode"]}))
    return path_of(region)


def _inside(region: Mapping | pd.Series | str, ancestor: str) -> bool:
    if ancestor == ALL_REGIONS:
        return True
    if isinstance(region, str):
        return region == ancestor  # a bare code: only the region (or school) itself is known to be inside
    return ancestor in unit_path(region)


def can(principal: Principal, action: str, region: Mapping | pd.Series | str) -> bool:
    """May `principal` do `action` in `region` (a region row with adcode/city_adcode/province_adcode, a school
    row from `unit_row`, or a bare code; ALL_REGIONS means everywhere)?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action not in ROLE_ACTIONS.get(principal.role, frozenset()):
        return False
    if isinstance(region, str) and region == ALL_REGIONS:
        return principal.region == ALL_REGIONS
    return _inside(region, principal.region)


def require(principal: Principal, action: str, region: Mapping | pd.Series | str) -> None:
    """`can`, or AccessDenied with a Chinese message naming the action and the region."""
    if not can(principal, action, region):
        code = region if isinstance(region, str) else unit_path(region)[0]
        name = "" if isinstance(region, str) else f"{region.get('name', '')}"
        who = principal.display_name or principal.login or "未登录访客"
        raise AccessDenied(f"无权{ACTION_ZH[action]}: {who} (角色 {principal.role}, 范围 {principal.region}) "
                           f"不能在 {name}({code}) {ACTION_ZH[action]}")


def allowed_region(principal: Principal) -> str:
    """The region every query of this principal is scoped to."""
    return principal.region


def narrower(first: str, second: str, region_rows: pd.DataFrame) -> str | None:
    """The smaller of two scopes when one lies inside the other, else None (they do not overlap)."""
    if first == ALL_REGIONS:
        return second
    if second == ALL_REGIONS:
        return first
    rows = region_rows.set_index("adcode", drop=False)
    if second in rows.index and first in path_of(rows.loc[second]):
        return second
    if first in rows.index and second in path_of(rows.loc[first]):
        return first
    return None


def region_row(conn: sa.Connection, adcode: str) -> dict | None:
    """The region row of an adcode, or (a school principal's region) the school's row with its county path."""
    row = conn.execute(sa.select(regions).where(regions.c.adcode == adcode)).mappings().first()
    return dict(row) if row else school_row(conn, adcode)


def school_row(conn: sa.Connection, school_id: str) -> dict | None:
    """A school with its county path (school_id, name, county_adcode, city_adcode, province_adcode), or None."""
    county = regions.alias("county")
    row = conn.execute(
        sa.select(schools.c.school_id, schools.c.name, schools.c.county_adcode, county.c.city_adcode,
                  county.c.province_adcode, schools.c.opened_year, schools.c.closed_year)
        .join_from(schools, county, schools.c.county_adcode == county.c.adcode)
        .where(schools.c.school_id == school_id)).mappings().first()
    return dict(row) if row else None


def is_school_principal(principal: Principal) -> bool:
    return principal.role == SCHOOL_ROLE


def permitted_region(conn: sa.Connection, principal: Principal, action: str, requested: str = ALL_REGIONS) -> str:
    """The region `principal` does `action` in: `requested` narrowed to their own region.

    ALL_REGIONS asks for everything the principal may reach; a region outside theirs is AccessDenied.
    """
    if requested == ALL_REGIONS:
        require(principal, action, principal.region if principal.region == ALL_REGIONS
                else region_row(conn, principal.region) or principal.region)
        return principal.region
    row = region_row(conn, requested)
    require(principal, action, row or requested)
    return requested
