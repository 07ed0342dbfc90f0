"""One school's own reports, year by year (the school page)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data_access.regions import ALL_REGIONS, RegionError, within
from data_access.schema import awareness_survey, regions, school_year, schools


def school_record(engine: sa.Engine, school_id: str, allowed_region: str = ALL_REGIONS) -> dict:
    """The school's master data with its county path; RegionError when unknown or outside the scope."""
    county = regions.alias("county")
    query = (sa.select(schools, county.c.name.label("county_name"), county.c.city_adcode,
                       county.c.province_adcode)
             .join_from(schools, county, schools.c.county_adcode == county.c.adcode)
             .where(schools.c.school_id == school_id))
    with engine.connect() as conn:
        found = conn.execute(query).mappings().first()
    if found is None:
        raise RegionError(f"学校编号 {school_id} 不在数据仓库中")
    record = dict(found)
    path = {"adcode": record["county_adcode"], "city_adcode": record["city_adcode"],
            "province_adcode": record["province_adcode"]}
    if not within(path, allowed_region):
        raise RegionError(f"无权查看学校 {record['name']}: 超出允许范围 {allowed_region}")
    return record


def school_reports(engine: sa.Engine, school_id: str, allowed_region: str = ALL_REGIONS) -> pd.DataFrame:
    """Every yearly report of a school with its awareness survey; years without a report are absent."""
    school_record(engine, school_id, allowed_region)
    query = (
        sa.select(school_year, awareness_survey.c.surveyed, awareness_survey.c.passed)
        .join_from(school_year, awareness_survey,
                   sa.and_(awareness_survey.c.school_id == school_year.c.school_id,
                           awareness_survey.c.year == school_year.c.year), isouter=True)
        .where(school_year.c.school_id == school_id)
        .order_by(school_year.c.year)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
