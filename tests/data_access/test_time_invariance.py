"""A closed year's figures never move: adding data for a later year leaves every earlier output unchanged.

For every indicator with a target and every level, on both engines: the fixture warehouse is loaded up to a
cut-off year, evaluated, then given the rest of its facts plus a 2026 in which everything changes (schools
grow into the 1000+ group, teachers leave, rooms close, surveys and hospitals flip), and evaluated again.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import catalog, schema
from data_access.evaluation import evaluate
from tests.data_access import fixture_warehouse
from tests.data_access.fixture_warehouse import (
    COMMUNITY_YEARS,
    HOSPITAL_YEARS,
    REGION_YEARS,
    SCHOOL_YEARS,
    SURVEYS,
    YEAR_COLUMNS,
)

SCOPES = (("610000", "province"), ("610000", "city"), ("610000", "county"), ("610100", "school"),
          ("620800", "city"), ("620800", "county"), ("620800", "school"))


def _flip(flag: bool | None) -> bool:
    return not flag


def _year_2026(conn: sa.Connection) -> None:
    """Every unit reports in 2026, and differently: larger schools, fewer teachers, flags reversed."""
    latest = {row[0]: row for row in sorted(SCHOOL_YEARS, key=lambda r: r[1])}
    reports = []
    for school_id, _, enrollment, boarders, _ft, _pt, room, plan, course, screened, *_rest in latest.values():
        reports.append(dict(zip(YEAR_COLUMNS, (
            school_id, 2026, enrollment + 1000, boarders, 0, 3, _flip(room), _flip(plan), _flip(course),
            _flip(screened), 5, 0.0, 1.0), strict=True)))
    conn.execute(sa.insert(schema.school_year), reports)
    conn.execute(sa.insert(schema.awareness_survey), [
        {"school_id": school_id, "year": 2026, "surveyed": surveyed * 2, "passed": 1}
        for school_id, _, surveyed, _ in SURVEYS])
    conn.execute(sa.insert(schema.hospital_year), [
        {"hospital_id": hospital_id, "year": 2026, "clinic_open": not open_}
        for hospital_id, _, open_ in HOSPITAL_YEARS])
    conn.execute(sa.insert(schema.community_year), [
        {"community_id": cid, "year": 2026, "parent_school": _flip(ps), "guidance_station": True,
         "station_mh_education": _flip(mh)} for cid, _, ps, _, mh in COMMUNITY_YEARS])
    conn.execute(sa.insert(schema.region_year), [
        {"adcode": adcode, "year": 2026, "population": population, "psychiatrists": 1}
        for adcode, _, population, _ in REGION_YEARS])


def _outputs(engine: sa.Engine, years: list[int]) -> dict[tuple[str, str], pd.DataFrame]:
    return {(region, level): evaluate(engine, region, level, years) for region, level in SCOPES}


@pytest.mark.parametrize("cutoff", [2024, 2025])
def test_later_years_never_change_an_earlier_year(engine, cutoff):
    fixture_warehouse.populate(engine, until=cutoff)
    years = [year for year in (2023, 2024, 2025) if year <= cutoff]
    before = _outputs(engine, years)
    with engine.begin() as conn:
        fixture_warehouse.insert_facts(conn, lambda year: year > cutoff)
        _year_2026(conn)
    after = _outputs(engine, years)
    for scope, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[scope], obj=f"{scope} up to {cutoff}")
    covered = {indicator for frame in before.values() for indicator in frame["indicator"]}
    assert covered == {target.indicator for target in catalog.targets()}
    # The check is not empty: the 2024 outputs hold judged values (e.g. Pingliang's rooms at 50%).
    assert before[("620800", "county")]["value"].notna().any()
