"""A tiny warehouse whose every indicator value can be computed by hand (see test_evaluation.py)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from data_access import schema

REGIONS = [
    # adcode, name, level, parent, city, province
    ("610000", "陕西省", "province", None, None, "610000"),
    ("610100", "西安市", "city", "610000", "610100", "610000"),
    ("610102", "新城区", "county", "610100", "610100", "610000"),
    ("610103", "碑林区", "county", "610100", "610100", "610000"),
    ("620000", "甘肃省", "province", None, None, "620000"),
    ("620800", "平凉市", "city", "620000", "620800", "620000"),
    ("620802", "崆峒区", "county", "620800", "620800", "620000"),
]

SCHOOL_COLUMNS = ("school_id", "name", "county_adcode", "stage", "boarding", "urban_rural", "longitude", "latitude")
SCHOOLS = [
    ("S1", "一小", "610102", "primary", False, "urban", 108.96, 34.27),
    ("S2", "二小", "610102", "primary", True, "urban", 108.97, 34.27),
    ("S3", "三中", "610102", "junior_secondary", False, "urban", 108.98, 34.27),
    ("S4", "四中", "610102", "junior_secondary", False, "urban", 108.99, 34.27),
    ("U1", "甲大学", "610102", "university", False, "urban", 108.95, 34.26),
    ("U2", "乙学院", "610102", "university", False, "urban", 108.95, 34.25),
    ("U3", "丙学院", "610102", "university", False, "urban", 108.95, 34.24),
    ("S5", "五高", "610103", "senior_high", False, "urban", 108.94, 34.25),
    ("S6", "六职", "610103", "secondary_vocational", True, "urban", 108.93, 34.25),
    ("P1", "崆峒一小", "620802", "primary", False, "urban", 106.67, 35.54),
    ("P2", "崆峒二中", "620802", "junior_secondary", False, "rural", 106.68, 35.54),
]

YEAR_COLUMNS = ("school_id", "year", "enrollment", "boarding_students", "fulltime_teachers", "parttime_teachers",
                "counseling_room", "mh_in_school_plan", "mh_course", "screening_done", "students_screened",
                "fulltime_training_hours", "parttime_training_hours")
SCHOOL_YEARS = [
    ("S1", 2025, 1200, 0, 1, 0, True, True, None, True, 1100, 36.0, None),
    ("S2", 2025, 300, 250, 0, 1, True, True, None, True, 280, None, 10.0),
    ("S3", 2025, 150, 0, 0, 0, False, False, None, False, 0, None, None),  # reported zero teachers
    ("S4", 2024, 1100, 0, 1, 0, True, True, None, True, 1000, 20.0, None),  # 2025: no report at all
    ("U1", 2025, 10000, 0, 2, 0, True, True, True, True, 2500, 90.0, None),
    ("U2", 2025, 3000, 0, 2, 0, True, True, False, True, 800, 70.0, None),
    ("U3", 2025, 5000, 0, 1, 0, True, True, None, True, 1200, 40.0, None),
    ("S5", 2025, 2000, 0, 1, 2, True, True, None, True, 1900, 24.0, 30.0),
    ("S6", 2025, 800, 600, None, 1, False, True, None, None, None, None, 12.0),
    ("P1", 2024, 500, 0, 0, 1, True, True, None, True, 450, None, 12.0),
    ("P2", 2024, 1500, 0, 0, 0, False, True, None, True, 1400, None, None),
]

SURVEYS = [("S1", 2025, 100, 90), ("S2", 2025, 50, 25), ("S3", 2025, 10, 10)]

HOSPITALS = [
    ("H1", "市精神卫生中心", "610102", "psychiatric"),
    ("H2", "新城区人民医院", "610102", "general"),
    ("H3", "碑林区妇幼保健院", "610103", "maternal_child"),
    ("H4", "市儿童医院", "610103", "children"),
]
HOSPITAL_YEARS = [("H1", 2025, True), ("H2", 2025, False), ("H3", 2025, True)]  # H4 did not report

COMMUNITIES = [
    ("C1", "东社区", "610102", "urban"),
    ("C2", "西社区", "610102", "urban"),
    ("C3", "南村", "610102", "rural"),
    ("C4", "北村", "610102", "rural"),
    ("C5", "中社区", "610102", "urban"),
]
COMMUNITY_YEARS = [
    ("C1", 2025, True, True, True),
    ("C2", 2025, False, True, False),
    ("C3", 2025, True, False, None),
    ("C5", 2025, None, False, None),  # parent school left blank: not reported
]

REGION_YEARS = [("610102", 2025, 500_000, 25), ("610103", 2025, 600_000, 18)]


def populate(engine: sa.Engine, until: int | None = None) -> None:
    """Fill an empty migrated warehouse with the hand-computable fixture (yearly facts up to `until` only)."""
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.regions), [
            dict(zip(("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"), row,
                     strict=True)) for row in REGIONS])
        conn.execute(sa.insert(schema.schools), [dict(zip(SCHOOL_COLUMNS, row, strict=True)) for row in SCHOOLS])
        conn.execute(sa.insert(schema.hospitals), [
            dict(zip(("hospital_id", "name", "county_adcode", "hospital_type"), row, strict=True))
            for row in HOSPITALS])
        conn.execute(sa.insert(schema.communities), [
            dict(zip(("community_id", "name", "county_adcode", "urban_rural"), row, strict=True))
            for row in COMMUNITIES])
        insert_facts(conn, lambda year: until is None or year <= until)
        conn.execute(sa.insert(schema.warehouse_meta), [{"key": "is_demo", "value": "0"},
                                                        {"key": "data_as_of", "value": "2025-12-31"}])


FACT_ROWS = (
    (schema.school_year, YEAR_COLUMNS, SCHOOL_YEARS),
    (schema.awareness_survey, ("school_id", "year", "surveyed", "passed"), SURVEYS),
    (schema.hospital_year, ("hospital_id", "year", "clinic_open"), HOSPITAL_YEARS),
    (schema.community_year, ("community_id", "year", "parent_school", "guidance_station", "station_mh_education"),
     COMMUNITY_YEARS),
    (schema.region_year, ("adcode", "year", "population", "psychiatrists"), REGION_YEARS),
)


def insert_facts(conn: sa.Connection, wanted: Callable[[int], bool]) -> None:
    """Insert the fixture's yearly facts of the years `wanted` accepts."""
    for table, columns, rows in FACT_ROWS:
        chosen = [dict(zip(columns, row, strict=True)) for row in rows if wanted(row[1])]
        if chosen:
            conn.execute(sa.insert(table), chosen)
