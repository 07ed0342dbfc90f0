"""Reporting completeness: which units of a region reported a given report type in a year, and which not.

A unit is expected only in the years it was open: opened_year <= year <= closed_year (first and last school
years of operation, a school year counted as the year it ends; NULL = open-ended). A closed unit's earlier
reports stay in the warehouse and count for their own years.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data_access.importing.spec import YEARLY_TYPES
from data_access.regions import ALL_REGIONS, RegionError, require_region, scope_clause
from data_access.schema import regions
from data_access.school_reports import SCHOOL_REPORT_TYPES, hidden_school_facts
from data_access.status import status_for

# The yearly report types of the importer, declared once (key, Chinese name, register, fact table); the
# registries are not reports a unit can miss.
REPORT_KINDS = YEARLY_TYPES


def unit_reports(engine: sa.Engine, region: str, year: int, report_type: str,
                 allowed_region: str = ALL_REGIONS) -> pd.DataFrame:
    """One row per expected unit inside `region`: unit_id, name, county_adcode, county_name, reported,
    longitude, latitude (NaN for units without coordinates: hospitals, communities, counties)."""
    if report_type not in REPORT_KINDS:
        raise RegionError(f"未知的上报类型 {report_type}: 可选 {', '.join(REPORT_KINDS)}")
    require_region(engine, region, allowed_region)
    kind = REPORT_KINDS[report_type]
    county = regions.alias("county")
    unit_id = kind.units.c[kind.unit_key]
    county_of = unit_id if kind.units is regions else kind.units.c.county_adcode
    fact_key = kind.facts.c[kind.unit_key]
    joined = kind.units.join(county, county_of == county.c.adcode)
    fact_on = [fact_key == unit_id, kind.facts.c.year == year]
    if report_type in SCHOOL_REPORT_TYPES:  # a school's own draft is not yet reported to the county's figures
        hidden = hidden_school_facts(report_type, "hidden")
        joined = joined.outerjoin(hidden, sa.and_(hidden.c.school_id == unit_id, hidden.c.year == year))
        fact_on.append(hidden.c.school_id.is_(None))
    located = (
        sa.select(
            unit_id.label("unit_id"), kind.units.c.name.label("name"), county.c.adcode.label("county_adcode"),
            county.c.name.label("county_name"), county.c.city_adcode, county.c.province_adcode,
            sa.case((fact_key.isnot(None), True), else_=False).label("reported"),
            *_coordinates(kind.units),
        )
        .select_from(joined)
        .outerjoin(kind.facts, sa.and_(*fact_on))
        .where(county.c.level == "county", open_in(kind.units, year))
        .subquery()
    )
    query = (sa.select(located.c.unit_id, located.c.name, located.c.county_adcode, located.c.county_name,
                       located.c.reported, located.c.longitude, located.c.latitude)
             .where(scope_clause(located.c, region), scope_clause(located.c, allowed_region))
             .order_by(located.c.county_adcode, located.c.unit_id))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["reported"] = frame["reported"].astype(bool)
    frame[["longitude", "latitude"]] = frame[["longitude", "latitude"]].astype(float)
    return frame


def open_in(units: sa.Table, year: int) -> sa.ColumnElement[bool]:
    """SQL condition: the unit was open in `year` (always true for registers without a lifecycle)."""
    if "opened_year" not in units.c:
        return sa.true()
    return sa.and_(sa.or_(units.c.opened_year.is_(None), units.c.opened_year <= year),
                   sa.or_(units.c.closed_year.is_(None), units.c.closed_year >= year))


def _coordinates(units: sa.Table) -> list[sa.ColumnElement]:
    """The register's point coordinates, or typed NULLs for registers without them."""
    return [units.c[name].label(name) if name in units.c else sa.cast(sa.null(), sa.Double).label(name)
            for name in ("longitude", "latitude")]


def county_completeness(units: pd.DataFrame) -> pd.DataFrame:
    """Per county: reported, expected and the share reported (for the map and the table)."""
    if units.empty:
        return pd.DataFrame(columns=["county_adcode", "county_name", "reported", "expected", "share"])
    grouped = units.groupby(["county_adcode", "county_name"], as_index=False).agg(
        reported=("reported", "sum"), expected=("reported", "size"))
    grouped["reported"] = grouped["reported"].astype(int)
    grouped["share"] = 100.0 * grouped["reported"] / grouped["expected"]
    return grouped.sort_values(["share", "county_adcode"]).reset_index(drop=True)


def county_reporting_attainment(counties: pd.DataFrame) -> pd.DataFrame:
    """county_completeness as the map reads an evaluation: the share reported against a target of 100%.

    One row per county: unit_id, name, value (% reported), numerator/denominator (reported/expected),
    status (met only when every expected unit reported), gap in percentage points.
    """
    return pd.DataFrame({
        "unit_id": counties["county_adcode"], "name": counties["county_name"], "value": counties["share"],
        "value_unit": "%", "numerator": counties["reported"], "denominator": counties["expected"],
        "reported": counties["reported"], "expected": counties["expected"], "threshold": 100.0, "comparison": ">=",
        "gap": 100.0 - counties["share"],
        "status": [status_for(share, 100, ">=").value for share in counties["share"]],
    })


def reporting_totals(units: pd.DataFrame) -> tuple[int, int, float]:
    """Units that reported, units expected, and the share reported in % (0 when none is expected)."""
    reported, expected = int(units["reported"].sum()), len(units)
    return reported, expected, (100.0 * reported / expected if expected else 0.0)
