"""Region lookups and access scoping: which units lie inside which region."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data_access.schema import regions, schools

LEVEL_ORDER = ("province", "city", "county", "school")
# Passed as allowed_region by callers with national rights (CLI, tests); a real deployment passes the
# user's own adcode.
ALL_REGIONS = "000000"


class RegionError(ValueError):
    """A region, level or scope the caller asked for does not exist or is not allowed; message in Chinese."""


def region_frame(engine: sa.Engine) -> pd.DataFrame:
    """Every region row (a few hundred at most): adcode, name, level, parent/city/province adcodes."""
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(regions).order_by(regions.c.adcode), conn)
    return frame


def path_of(row: pd.Series | dict) -> tuple[str, ...]:
    """A region's adcode path from itself upwards (self, city, province), without gaps."""
    path = [row["adcode"], row.get("city_adcode"), row.get("province_adcode")]
    return tuple(dict.fromkeys(code for code in path if isinstance(code, str) and code))


def within(row: pd.Series | dict, ancestor: str) -> bool:
    return ancestor == ALL_REGIONS or ancestor in path_of(row)


def require_region(engine: sa.Engine, adcode: str, allowed_region: str = ALL_REGIONS) -> dict:
    """The region row for an adcode, or RegionError when unknown or outside the caller's region."""
    frame = region_frame(engine)
    match = frame[frame["adcode"] == adcode]
    if match.empty:
        raise RegionError(f"行政区划代码 {adcode} 不在数据仓库中")
    row = match.iloc[0].to_dict()
    if not within(row, allowed_region):
        raise RegionError(f"无权查看 {row['name']}({adcode}): 超出允许范围 {allowed_region}")
    return row


def scope_clause(columns: sa.ColumnCollection | object, region: str) -> sa.ColumnElement[bool]:
    """SQL condition: a row whose county/city/province adcode columns place it inside `region`."""
    if region == ALL_REGIONS:
        return sa.true()
    return sa.or_(columns.county_adcode == region, columns.city_adcode == region,
                  columns.province_adcode == region)


def schools_in(engine: sa.Engine, region: str, allowed_region: str = ALL_REGIONS) -> pd.DataFrame:
    """Schools inside a region (and inside the caller's allowed region), with their county path."""
    county = regions.alias("county")
    located = (
        sa.select(schools, county.c.name.label("county_name"), county.c.city_adcode,
                  county.c.province_adcode)
        .join_from(schools, county, schools.c.county_adcode == county.c.adcode)
        .subquery()
    )
    query = (
        sa.select(located)
        .where(scope_clause(located.c, region), scope_clause(located.c, allowed_region))
        .order_by(located.c.school_id)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def open_in_year(units: pd.DataFrame, year: int) -> pd.DataFrame:
    """The units of a register frame (opened_year, closed_year) that were open in `year` (blank = open-ended)."""
    opened, closed = (pd.to_numeric(units[c], errors="coerce") for c in ("opened_year", "closed_year"))
    return units[(opened.isna() | (opened <= year)) & (closed.isna() | (year <= closed))]
