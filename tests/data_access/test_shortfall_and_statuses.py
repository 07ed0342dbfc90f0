"""Shortfall in natural units, 不适用, 样本不足, 达标后回落 and unit lifecycles, hand-computed on the fixture
warehouse (tests/data_access/fixture_warehouse.py) plus the few rows each test adds; both engines."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import catalog, schema
from data_access.evaluation import evaluate
from tests.data_access import fixture_warehouse
from tests.data_access.fixture_warehouse import YEAR_COLUMNS

# A fourth Xi'an district with four universities around the 1:4000 rule (at least 2 full-time teachers each).
LIANHU = ("610104", "莲湖区", "county", "610100", "610100", "610000")
UNIVERSITIES = [("V1", "丁学院"), ("V2", "戊学院"), ("V3", "己大学"), ("V4", "庚大学")]
UNIVERSITY_YEARS = [
    # enrollment, full-time, part-time: V1 3,999 needs max(2, 1) = 2 and has 0 (one part-time teacher);
    # V2 4,000 needs max(2, 1) = 2 and has 1; V3 8,001 needs max(2, 3) = 3 and has 2; V4 8,001 has 3 (passes).
    ("V1", 2025, 3999, 0, 0, 1), ("V2", 2025, 4000, 0, 1, 0), ("V3", 2025, 8001, 0, 2, 0), ("V4", 2025, 8001, 0, 3, 0),
]


def _school(school_id: str, name: str, county: str, stage: str, opened_year: int | None = None,
            closed_year: int | None = None) -> dict:
    return {"school_id": school_id, "name": name, "county_adcode": county, "stage": stage, "boarding": False,
            "urban_rural": "urban", "longitude": 108.9, "latitude": 34.2, "opened_year": opened_year,
            "closed_year": closed_year}


def _report(school_id: str, year: int, **values) -> dict:
    return {**dict.fromkeys(YEAR_COLUMNS), "school_id": school_id, "year": year, **values}


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.regions), [dict(zip(
            ("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"), LIANHU, strict=True))])
        conn.execute(sa.insert(schema.schools),
                     [_school(sid, name, "610104", "university") for sid, name in UNIVERSITIES]
                     + [_school("S7", "七小", "610103", "primary")])
        conn.execute(sa.insert(schema.school_year), [
            _report(sid, year, enrollment=enrolled, boarding_students=boarders, fulltime_teachers=ft,
                    parttime_teachers=pt) for sid, year, enrolled, boarders, ft, pt in UNIVERSITY_YEARS]
            + [_report("S7", 2025, enrollment=400, boarding_students=0, fulltime_teachers=0, parttime_teachers=1)])
        # S7 surveyed 3 students, 1 passed: 33.3% over three people is not a rate to judge.
        conn.execute(sa.insert(schema.awareness_survey), [{"school_id": "S7", "year": 2025, "surveyed": 3,
                                                            "passed": 1}])
    return engine


def row(frame: pd.DataFrame, unit: str, indicator: str, year: int | None = None) -> dict:
    found = frame[(frame["unit_id"] == unit) & (frame["indicator"] == indicator)]
    if year is not None:
        found = found[found["year"] == year]
    assert len(found) == 1, f"expected one row for {unit}/{indicator}, got {len(found)}"
    return found.iloc[0].to_dict()


def shortfall(found: dict) -> float | None:
    return None if math.isnan(found["shortfall"]) else found["shortfall"]


# County shortfall in 2025 per indicator, worked out from the fixture (None = not countable: no data or not
# applicable). 610102 unless said:
COUNTY_SHORTFALL_2025 = {
    # 5 of 6 reporting schools have a teacher, target 100%: S3 needs 1. 610103: S5, S6, S7 all have one; 610104:
    # every university has at least one teacher.
    "counselor_coverage": {"610102": 1, "610103": 0, "610104": 0},
    # K-12 only: S1, S2 pass, S3 fails (S4 silent).
    "counselor_coverage_k12": {"610102": 1, "610103": 0},
    # U1-U3 all have a full-time teacher: 3/3 against 90%. 610104: V2-V4 of 4 = 75% < 90%: ceil(3.6 - 3) = 1.
    "fulltime_coverage_upper": {"610102": 0, "610103": 0, "610104": 1},
    # S1 of S1-S3 has a full-time teacher: 1/3 against 50%: ceil(1.5 - 1) = 1. 610103: S7 (part-time only)
    # is its one primary school: 0/1.
    "fulltime_coverage_basic": {"610102": 1, "610103": 1},
    # S1 passes, S2 (boarding 300, ft 0) fails. 610103: S5 passes, S6 did not report ft.
    "large_school_fulltime": {"610102": 1, "610103": 0},
    # U1 yes, U2 no (U3 blank).
    "university_course": {"610102": 1, "610104": None},
    # U1 10,000 students / 2 ft needs 3: 1 more; U3 5,000 / 1 needs 2: 1 more. 610104: V1 2 + V2 1 + V3 1.
    "university_counselor_ratio": {"610102": 2, "610103": None, "610104": 4},
    # S3 did not screen (S4 silent); 610103: S5 yes, S6 blank.
    "screening_coverage": {"610102": 1, "610103": 0},
    # 610102: S1 36 h / 1 teacher >= 30. 610103: S5 24 h / 1 teacher: 30 - 24 = 6 hours.
    "training_hours_fulltime_k12": {"610102": 0, "610103": 6},
    # 610102: S2 10 h / 1 part-time teacher: 12 - 10 = 2. 610103: (30 + 12) / 3 = 14 >= 12.
    "training_hours_parttime_k12": {"610102": 2, "610103": 0},
    # 200 h / 5 teachers = exactly 40.
    "training_hours_fulltime_university": {"610102": 0},
    # No university of 610102 has a part-time teacher: nothing expected.
    "training_hours_parttime_university": {"610102": None},
    # 125 of 160 passed, 90% of 160 = 144: 19 more students. 610103: S7's 3 students are too few.
    "core_knowledge_awareness": {"610102": 19, "610103": None},
    # H1 has the clinic; 610103 has no psychiatric hospital.
    "psychiatric_hospital_clinic": {"610102": 0, "610103": None},
    # H2 (general) no clinic: 0/1 against 50%: 1. 610103: H3 yes (H4 silent): 1/1.
    "children_general_mch_clinic": {"610102": 1, "610103": 0},
    # 4 per 100k: 500,000 -> 20 needed, 25 there; 600,000 -> 24 needed, 18 there: 6.
    "psychiatrists_per_100k": {"610102": 0, "610103": 6},
    # Urban C1 yes, C2 no (C5 blank): 1/2 against 90%: ceil(1.8 - 1) = 1.
    "parent_school_urban": {"610102": 1, "610103": None},
    # Rural C3 yes (C4 silent): 1/1 against 80%.
    "parent_school_rural": {"610102": 0},
    # Stations C1 yes, C2 no: 1/2 against 75%: ceil(1.5 - 1) = 1.
    "station_mh_education": {"610102": 1, "610103": None},
}
UNITS = {"counselor_coverage": "名专(兼)职教师", "fulltime_coverage_basic": "名专职教师",
         "university_counselor_ratio": "名专职教师", "core_knowledge_awareness": "名学生知晓",
         "psychiatric_hospital_clinic": "家医院开设心理门诊", "psychiatrists_per_100k": "名精神科医师",
         "parent_school_urban": "个社区家长学校", "station_mh_education": "个家庭教育指导站点",
         "screening_coverage": "所学校开展测评", "training_hours_fulltime_k12": "培训学时"}


def test_county_shortfall_for_every_countable_shaanxi_indicator(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    shaanxi = {t.indicator for t in catalog.targets_for("610000")}
    assert set(COUNTY_SHORTFALL_2025) == shaanxi
    for indicator, expected in COUNTY_SHORTFALL_2025.items():
        for county, amount in expected.items():
            assert shortfall(row(counties, county, indicator)) == amount, (indicator, county)
    for indicator, unit in UNITS.items():
        assert row(counties, "610102", indicator)["shortfall_unit"] == unit
    # Met means nothing is missing; judged and unmet means something is.
    judged = counties[counties["status"].isin(["met", "close", "behind"])]
    assert ((judged["status"] == "met") == (judged["shortfall"] == 0)).all()


def test_pingliang_county_shortfall(warehouse):
    county = evaluate(warehouse, "620800", "county", [2024])
    # P1 has a room, P2 not: 1 room. P2 (0 + 0 teachers) needs one for K-12 and, with 1,500 pupils, a
    # full-time one; counselor coverage 1/2 against 95%: ceil(1.9 - 1) = 1. Both plan and screen.
    expected = {"counseling_room_coverage": 1, "counselor_coverage_k12": 1, "large_school_fulltime": 1,
                "counselor_coverage": 1, "mh_plan_coverage": 0, "screening_coverage": 0,
                "core_knowledge_awareness": None, "station_mh_education": None, "university_counselor_ratio": None,
                "university_course": None, "psychiatric_hospital_clinic": None, "general_mch_clinic": None}
    assert {ind: shortfall(row(county, "620802", ind)) for ind in expected} == expected
    assert row(county, "620802", "counseling_room_coverage")["shortfall_unit"] == "间心理辅导室"


def test_shortfall_sums_up_the_hierarchy(warehouse):
    city = evaluate(warehouse, "610100", "city", [2025])
    province = evaluate(warehouse, "610000", "province", [2025])
    # Sum over counties, not the city's pooled figure: psychiatrists 0 + 6 = 6 although (25 + 18) / 1.1 M
    # would need only 1 more for the whole city (a county above target does not offset another's gap).
    for indicator, expected in COUNTY_SHORTFALL_2025.items():
        countable = [amount for amount in expected.values() if amount is not None]
        total = sum(countable) if countable else None
        assert shortfall(row(city, "610100", indicator)) == total, indicator
        assert shortfall(row(province, "610000", indicator)) == total, indicator
    assert shortfall(row(city, "610100", "university_counselor_ratio")) == 6  # 2 + 4


def test_school_shortfall_says_what_is_missing(warehouse):
    lianhu = evaluate(warehouse, "610104", "school", [2025], indicator_ids=["university_counselor_ratio"])
    # 3,999 students -> 2 teachers (has 0); 4,000 -> 2 (has 1); 8,001 -> 3 (has 2); 8,001 with 3 passes.
    assert {u: shortfall(row(lianhu, u, "university_counselor_ratio")) for u in ("V1", "V2", "V3", "V4")} == \
        {"V1": 2, "V2": 1, "V3": 1, "V4": 0}
    assert row(lianhu, "V4", "university_counselor_ratio")["status"] == "met"
    schools = evaluate(warehouse, "610102", "school", [2025])
    assert (shortfall(row(schools, "S3", "counselor_coverage")), shortfall(row(schools, "S1", "counselor_coverage"))) \
        == (1, 0)
    assert row(schools, "S3", "counselor_coverage")["shortfall_unit"] == "名专(兼)职教师"
    # S2: 25 of 50 students passed, 90% of 50 = 45: 20 more. S3: 10 of 10, exactly enough students to judge.
    assert shortfall(row(schools, "S2", "core_knowledge_awareness")) == 20
    assert (row(schools, "S3", "core_knowledge_awareness")["status"],
            shortfall(row(schools, "S3", "core_knowledge_awareness"))) == ("met", 0)
    assert shortfall(row(schools, "S4", "counselor_coverage")) is None  # no report: nothing to count


def test_not_applicable_at_county_and_school_level(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # 碑林区 has no psychiatric hospital: nothing to report, which is not a reporting failure.
    clinic = row(counties, "610103", "psychiatric_hospital_clinic")
    assert (clinic["status"], clinic["expected"], clinic["reported"]) == ("not_applicable", 0, 0)
    assert math.isnan(clinic["value"])
    schools = evaluate(warehouse, "610102", "school", [2025])
    # S1 has no part-time teacher (nothing to train); S3 has 150 pupils (not a large school).
    assert row(schools, "S1", "training_hours_parttime_k12")["status"] == "not_applicable"
    assert row(schools, "S3", "large_school_fulltime")["status"] == "not_applicable"
    # A primary school is outside the university rule altogether: not listed.
    assert schools[(schools["unit_id"] == "S1") & (schools["indicator"] == "university_counselor_ratio")].empty


def test_small_sample_at_county_and_school_level(warehouse):
    school = row(evaluate(warehouse, "610103", "school", [2025]), "S7", "core_knowledge_awareness")
    # 1 of 3: the value stays in the data, the status says it is not to be judged.
    assert (school["status"], school["denominator"], school["value"]) == ("small_sample", 3, pytest.approx(100 / 3))
    assert math.isnan(school["shortfall"])
    county = row(evaluate(warehouse, "610100", "county", [2025]), "610103", "core_knowledge_awareness")
    assert (county["status"], county["denominator"]) == ("small_sample", 3)


def test_zero_surveyed_is_a_small_sample_not_missing_data(warehouse):
    # S4 sent a 2025 survey with nobody surveyed: it reported (1 of 1), and 0 students are fewer than 10.
    with warehouse.begin() as conn:
        conn.execute(sa.insert(schema.awareness_survey), [{"school_id": "S4", "year": 2025, "surveyed": 0,
                                                            "passed": 0}])
    school = row(evaluate(warehouse, "610102", "school", [2025], indicator_ids=["core_knowledge_awareness"]), "S4",
                 "core_knowledge_awareness")
    assert (school["status"], school["reported"], school["expected"], school["denominator"]) == \
        ("small_sample", 1, 1, 0)
    assert math.isnan(school["value"]) and math.isnan(school["shortfall"])
    # 新城区 as a whole still pools its 160 surveyed students (S1 100, S2 50, S3 10; S4 adds none): judged.
    county = row(evaluate(warehouse, "610100", "county", [2025], indicator_ids=["core_knowledge_awareness"]),
                 "610102", "core_knowledge_awareness")
    assert (county["denominator"], county["numerator"], county["status"] != "small_sample") == (160, 125, True)


def test_closed_schools_leave_the_school_lists_not_the_counts(engine):
    fixture_warehouse.populate(engine)
    before = evaluate(engine, "610100", "county", [2025])
    with engine.begin() as conn:
        # 旧小 closed after 2024 with its 2024 report kept.
        conn.execute(sa.insert(schema.schools), [_school("X1", "旧小", "610103", "primary", closed_year=2024)])
        conn.execute(sa.insert(schema.school_year), [_report("X1", 2024, enrollment=300, fulltime_teachers=1,
                                                             parttime_teachers=0)])
    schools = evaluate(engine, "610103", "school", [2024, 2025])
    assert set(schools.loc[schools["year"] == 2025, "unit_id"]) == {"S5", "S6"}
    assert "X1" in set(schools.loc[schools["year"] == 2024, "unit_id"])  # its history stays
    after = evaluate(engine, "610100", "county", [2025])
    columns = ["unit_id", "indicator", "reported", "expected", "value", "status", "shortfall"]
    pd.testing.assert_frame_equal(after[columns], before[columns])


def test_unit_is_expected_only_while_open(engine):
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.schools), [_school("X1", "旧小", "610103", "primary", closed_year=2024),
                                                 _school("X2", "新小", "610103", "primary", opened_year=2025)])
    frame = evaluate(engine, "610103", "school", [2023, 2024, 2025], indicator_ids=["counselor_coverage"])
    expected = {(u, y): e for u, y, e in frame[["unit_id", "year", "expected"]].itertuples(index=False)}
    # Closed in 2024: expected in 2023 and 2024, and not even listed in 2025 (a meeting would ask why a closed
    # school is on the list). Opened in 2025: listed from 2025 on.
    assert [expected.get(("X1", y)) for y in (2023, 2024, 2025)] == [1, 1, None]
    assert [expected.get(("X2", y)) for y in (2023, 2024, 2025)] == [None, None, 1]
    county = evaluate(engine, "610103", "county", [2025], indicator_ids=["counselor_coverage"])
    # S5, S6 and the new X2 (X1 closed): 3 expected, 2 reported.
    assert (county.iloc[0]["expected"], county.iloc[0]["reported"]) == (3, 2)


def test_slipped_after_the_deadline_at_school_and_county_level(warehouse):
    with warehouse.begin() as conn:
        conn.execute(sa.insert(schema.school_year), [
            # 碑林区 met the Shaanxi 2025 target (S5, S6 both had a teacher); in 2026 S5 reports none.
            _report("S5", 2026, enrollment=2000, fulltime_teachers=0, parttime_teachers=0),
            _report("S6", 2026, enrollment=800, parttime_teachers=1),
            # Pingliang's rooms were due in 2024; P1 had one then and reports none in 2025.
            _report("P1", 2025, enrollment=500, counseling_room=False),
        ])
    counties = evaluate(warehouse, "610100", "county", [2025, 2026], indicator_ids=["counselor_coverage"])
    assert row(counties, "610103", "counselor_coverage", 2025)["status"] == "met"
    slipped = row(counties, "610103", "counselor_coverage", 2026)
    assert (slipped["status"], slipped["value"], slipped["shortfall"]) == ("slipped", 50, 1)
    # 新城区 was behind in 2025 (5 of 6): still below is not "slipped"; it sent nothing for 2026.
    assert row(counties, "610102", "counselor_coverage", 2026)["status"] == "no_data"
    schools = evaluate(warehouse, "610103", "school", [2026], indicator_ids=["counselor_coverage"])
    assert (row(schools, "S5", "counselor_coverage")["status"], row(schools, "S6", "counselor_coverage")["status"]) \
        == ("slipped", "met")
    pingliang = evaluate(warehouse, "620802", "school", [2025], indicator_ids=["counseling_room_coverage"])
    # P1 met in 2024 and fell below in 2025; P2 never had a room and sent no 2025 report.
    assert row(pingliang, "P1", "counseling_room_coverage")["status"] == "slipped"
    assert row(pingliang, "P2", "counseling_room_coverage")["status"] == "no_data"
    county = row(evaluate(warehouse, "620800", "county", [2025], indicator_ids=["counseling_room_coverage"]),
                 "620802", "counseling_room_coverage")
    # The county was at 50% in 2024 (not met), so its 0% in 2025 is behind, not slipped.
    assert county["status"] == "behind"


def test_exactly_at_the_threshold_is_met_with_nothing_missing(engine):
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.regions), [dict(zip(
            ("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"),
            ("610104", "莲湖区", "county", "610100", "610100", "610000"), strict=True))])
        conn.execute(sa.insert(schema.schools), [_school(f"H{i}", f"高中{i}", "610104", "senior_high")
                                                 for i in range(10)])
        # 9 of 10 senior high schools have a full-time teacher: exactly the 90% target, so met and no 10th asked.
        conn.execute(sa.insert(schema.school_year), [
            _report(f"H{i}", 2025, enrollment=800, fulltime_teachers=0 if i == 0 else 1, parttime_teachers=0)
            for i in range(10)])
    found = row(evaluate(engine, "610104", "county", [2025], indicator_ids=["fulltime_coverage_upper"]),
                "610104", "fulltime_coverage_upper")
    assert (found["value"], found["status"], found["shortfall"]) == (90, "met", 0)
