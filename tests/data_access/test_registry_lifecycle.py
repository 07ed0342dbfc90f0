"""A unit with years of reports goes through its registry lifecycle, on DuckDB and PostgreSQL.

Renamed, moved to another county, closed (its last school year 2025, so it is no longer expected in 2026) and
reopened, each through a registry import, then each undone. Its four years of reports stay as they were
throughout, and no reference dangles (every fact refers to a unit, every unit lies in a county).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.completeness import unit_reports
from data_access.importing import import_file, undo_import
from data_access.schema import (
    awareness_survey,
    communities,
    community_year,
    hospital_year,
    hospitals,
    regions,
    school_year,
    schools,
)
from tests.data_access import fixture_warehouse

HEADER = "学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡,经度,纬度,开办年份,停办年份\n"
SCHOOL_ID = "2161000001"
OPENED = f"{SCHOOL_ID},新城新一小,610102,小学,否,城镇,108.96,34.27,2020,\n"
RENAMED = f"{SCHOOL_ID},新城实验小学,610102,小学,否,城镇,108.96,34.27,2020,\n"
MOVED = f"{SCHOOL_ID},新城实验小学,610103,小学,否,城镇,108.94,34.25,2020,\n"  # 碑林区, coordinates inside it
CLOSED = f"{SCHOOL_ID},新城实验小学,610103,小学,否,城镇,108.94,34.25,2020,2025\n"  # last school year 2025
REOPENED = MOVED
YEARS = (2022, 2023, 2024, 2025)


@pytest.fixture
def warehouse(engine) -> sa.Engine:
    fixture_warehouse.populate(engine)
    applied(engine, HEADER + OPENED)
    reports = "学校代码,年度,在校生数,专职心理健康教师数\n" + "".join(
        f"{SCHOOL_ID},{year},{300 + year % 10},1\n" for year in YEARS)
    applied(engine, reports)
    applied(engine, "学校代码,年度,调查人数,知晓人数\n" + f"{SCHOOL_ID},2025,40,30\n")
    return engine


def applied(engine: sa.Engine, text: str) -> str:
    outcome = import_file(engine, "文件.csv", text.encode(), imported_by="test")
    assert outcome.status == "applied", outcome.summary_lines()
    return outcome.batch_id


def the_school(engine: sa.Engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(schools).where(schools.c.school_id == SCHOOL_ID)).mappings().one())


def history(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        facts = conn.execute(sa.select(school_year.c.year, school_year.c.enrollment, school_year.c.fulltime_teachers)
                             .where(school_year.c.school_id == SCHOOL_ID).order_by(school_year.c.year)).all()
        surveys = conn.execute(sa.select(awareness_survey.c.year, awareness_survey.c.surveyed)
                               .where(awareness_survey.c.school_id == SCHOOL_ID)).all()
    return [tuple(row) for row in facts] + [("survey", *row) for row in surveys]


def expected_in(engine: sa.Engine, year: int) -> dict[str, tuple[str, bool]]:
    """Expected schools of 西安市 in `year`: id -> (county, reported)."""
    frame = unit_reports(engine, "610100", year, "school")
    return {row.unit_id: (row.county_adcode, bool(row.reported)) for row in frame.itertuples()}


def dangling_references(engine: sa.Engine) -> list[tuple]:
    """Facts whose unit is missing, and units whose county is not a county region of the warehouse."""
    found: list[tuple] = []
    county = regions.alias("county")
    with engine.connect() as conn:
        for facts, units, key in ((school_year, schools, "school_id"), (awareness_survey, schools, "school_id"),
                                  (hospital_year, hospitals, "hospital_id"),
                                  (community_year, communities, "community_id")):
            orphans = sa.select(facts.c[key]).outerjoin(units, units.c[key] == facts.c[key]) \
                .where(units.c[key].is_(None))
            found += [(facts.name, row) for row in conn.execute(orphans).scalars()]
        for units, key in ((schools, "school_id"), (hospitals, "hospital_id"), (communities, "community_id")):
            outside = sa.select(units.c[key]).outerjoin(
                county, sa.and_(county.c.adcode == units.c.county_adcode, county.c.level == "county")) \
                .where(county.c.adcode.is_(None))
            found += [(units.name, row) for row in conn.execute(outside).scalars()]
    return found


def test_rename_move_close_reopen_and_undo_each_keep_the_history(warehouse):
    reports = history(warehouse)
    assert [row[0] for row in reports] == [*YEARS, "survey"]
    assert expected_in(warehouse, 2026)[SCHOOL_ID] == ("610102", False)
    states, batches = [the_school(warehouse)], []
    for text in (RENAMED, MOVED, CLOSED, REOPENED):
        batches.append(applied(warehouse, HEADER + text))
        states.append(the_school(warehouse))
        assert history(warehouse) == reports
        assert dangling_references(warehouse) == []
        if text is CLOSED:
            # Closed after its 2025 school year: not expected in 2026, still counted (and reported) in 2025.
            assert SCHOOL_ID not in expected_in(warehouse, 2026)
            assert expected_in(warehouse, 2025)[SCHOOL_ID] == ("610103", True)
            late = import_file(warehouse, "年报.csv", f"学校代码,年度,在校生数\n{SCHOOL_ID},2026,300\n".encode(),
                               imported_by="test")
            assert late.status == "rejected" and "停办" in late.issues[0].message
    renamed, moved, closed, reopened = states[1:]
    assert (renamed["name"], renamed["county_adcode"]) == ("新城实验小学", "610102")
    assert (moved["county_adcode"], moved["longitude"], moved["closed_year"]) == ("610103", 108.94, None)
    assert closed["closed_year"] == 2025 and reopened == moved
    assert expected_in(warehouse, 2026)[SCHOOL_ID] == ("610103", False)

    # Undo the four changes, newest first: each puts the previous state back, the reports never move.
    for batch, before in zip(reversed(batches), reversed(states[:-1]), strict=True):
        undo_import(warehouse, batch, imported_by="test")
        assert the_school(warehouse) == before
        assert history(warehouse) == reports
        assert dangling_references(warehouse) == []
        if before is closed:
            assert SCHOOL_ID not in expected_in(warehouse, 2026)
    assert expected_in(warehouse, 2026)[SCHOOL_ID] == ("610102", False)
    assert expected_in(warehouse, 2025)[SCHOOL_ID] == ("610102", True)


def test_the_database_still_refuses_deleting_a_unit_with_reports(warehouse):
    # The facts -> unit foreign keys are kept on both engines (only DuckDB's unit -> county key was dropped).
    with pytest.raises(sa.exc.IntegrityError), warehouse.begin() as conn:
        conn.execute(sa.delete(schools).where(schools.c.school_id == SCHOOL_ID))
    assert history(warehouse)[0][0] == 2022


def test_a_move_to_a_county_the_warehouse_does_not_have_is_refused(warehouse):
    outcome = import_file(warehouse, "名录.csv", (HEADER + MOVED.replace("610103", "610199")).encode(),
                          imported_by="test")
    assert outcome.status == "rejected" and "不在数据仓库的行政区划中" in outcome.issues[0].message
    assert the_school(warehouse)["county_adcode"] == "610102" and dangling_references(warehouse) == []
