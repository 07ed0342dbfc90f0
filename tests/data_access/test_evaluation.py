"""Hand-computed expectations on the fixture warehouse (tests/data_access/fixture_warehouse.py), both engines."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_access.evaluation import evaluate
from data_access.meta import warehouse_info
from data_access.regions import RegionError
from tests.data_access import fixture_warehouse


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def row(frame: pd.DataFrame, unit: str, indicator: str) -> dict:
    found = frame[(frame["unit_id"] == unit) & (frame["indicator"] == indicator)]
    assert len(found) == 1, f"expected one row for {unit}/{indicator}, got {len(found)}"
    return found.iloc[0].to_dict()


def check(found: dict, numerator, denominator, value, status, reported, expected) -> None:
    assert (found["numerator"], found["denominator"]) == (numerator, denominator)
    assert found["value"] == pytest.approx(value)
    assert (found["status"], found["reported"], found["expected"]) == (status, reported, expected)


def test_counselor_coverage_counts_reported_zero_but_not_missing_reports(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # S1 ft1, S2 pt1, S3 reported 0+0, U1-U3 ft>=1; S4 sent no 2025 report: 5 of 6 reported, 7 expected.
    check(row(counties, "610102", "counselor_coverage"), 5, 6, 500 / 6, "behind", 6, 7)
    # S6 left full-time blank but reported one part-time teacher: that alone shows a teacher.
    check(row(counties, "610103", "counselor_coverage"), 2, 2, 100, "met", 2, 2)


def test_large_and_boarding_schools_need_a_fulltime_teacher(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # S1 1200 pupils (ft 1, pass), S2 boarding 300 (ft 0, fail), S4 silent but 1100 in 2024 (expected).
    check(row(counties, "610102", "large_school_fulltime"), 1, 2, 50, "behind", 2, 3)
    # S5 2000 pupils ft 1; S6 boarding 800 but full-time count blank: expected, not reported.
    check(row(counties, "610103", "large_school_fulltime"), 1, 1, 100, "met", 1, 2)
    city = evaluate(warehouse, "610100", "city", [2025])
    check(row(city, "610100", "large_school_fulltime"), 2, 3, 200 / 3, "behind", 3, 5)


def test_university_rule_is_1_to_4000_and_at_least_two(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # U1 10000 students / 2 ft (needs 3) fails; U2 3000 / 2 passes; U3 5000 / 1 fails (fewer than 2).
    check(row(counties, "610102", "university_counselor_ratio"), 1, 3, 100 / 3, "behind", 3, 3)
    # Course: U1 yes, U2 no, U3 blank (not reported).
    check(row(counties, "610102", "university_course"), 1, 2, 50, "behind", 2, 3)


def test_parent_schools_urban_and_rural_are_separate_targets(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    urban = row(counties, "610102", "parent_school_urban")
    rural = row(counties, "610102", "parent_school_rural")
    # Urban C1 yes, C2 no, C5 blank; rural C3 yes, C4 never reported.
    check(urban, 1, 2, 50, "behind", 2, 3)
    check(rural, 1, 1, 100, "met", 1, 2)
    assert (urban["threshold"], rural["threshold"]) == (90, 80)
    # Stations: only communities with a station count; C1 runs MH education, C2 does not.
    check(row(counties, "610102", "station_mh_education"), 1, 2, 50, "behind", 2, 2)


def test_psychiatrists_per_100k_pool_population(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    check(row(counties, "610102", "psychiatrists_per_100k"), 25, 500_000, 5.0, "met", 1, 1)
    check(row(counties, "610103", "psychiatrists_per_100k"), 18, 600_000, 3.0, "behind", 1, 1)
    city = evaluate(warehouse, "610100", "city", [2025])
    # (25 + 18) / 1.1 M = 3.909 per 100k: 97.7% of the target of 4, within the "close" band.
    check(row(city, "610100", "psychiatrists_per_100k"), 43, 1_100_000, 43 / 11, "close", 2, 2)


def test_awareness_is_pooled_over_surveyed_students(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # (90 + 25 + 10) / (100 + 50 + 10) = 78.125%, not the mean of school rates (80%).
    check(row(counties, "610102", "core_knowledge_awareness"), 125, 160, 78.125, "behind", 3, 7)


def test_hospital_clinics_by_hospital_type(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    check(row(counties, "610102", "psychiatric_hospital_clinic"), 1, 1, 100, "met", 1, 1)
    # Children's hospital H4 never reported: expected but not counted.
    check(row(counties, "610103", "children_general_mch_clinic"), 1, 1, 100, "met", 1, 2)


def test_training_hours_pool_per_teacher(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    # U1 90 h / 2, U2 70 h / 2, U3 40 h / 1: 200 h / 5 teachers = exactly the 40 h target.
    check(row(counties, "610102", "training_hours_fulltime_university"), 200, 5, 40, "met", 3, 3)


def test_no_report_is_no_data_never_zero(warehouse):
    counties = evaluate(warehouse, "610100", "county", [2025])
    silent = row(counties, "610103", "core_knowledge_awareness")
    assert silent["status"] == "no_data" and math.isnan(silent["value"])
    assert (silent["reported"], silent["expected"]) == (0, 2)
    zero = row(evaluate(warehouse, "610102", "school", [2025]), "S3", "counselor_coverage")
    assert (zero["value"], zero["status"]) == (0, "behind")


def test_each_unit_is_judged_by_its_own_plan_and_deadline(warehouse):
    pingliang = evaluate(warehouse, "620800", "county", [2024])
    staffing = row(pingliang, "620802", "counselor_coverage")
    # Pingliang's 2025 target (95%) is the nearest deadline for 2024 data.
    assert (staffing["target_id"], staffing["threshold"], staffing["years_left"]) == \
        ("pl_counselor_coverage_2025", 95, 1)
    assert staffing["needed_per_year"] == pytest.approx(45)
    rooms = row(pingliang, "620802", "counseling_room_coverage")
    assert (rooms["deadline_year"], rooms["value"], rooms["status"]) == (2024, 50, "behind")
    shaanxi = evaluate(warehouse, "610100", "county", [2025])
    assert set(shaanxi["plan"]) == {"shaanxi_2024"}
    assert "counseling_room_coverage" not in set(shaanxi["indicator"])  # no such target in Shaanxi


def test_school_level_lists_only_indicators_that_apply(warehouse):
    schools = evaluate(warehouse, "610102", "school", [2025])
    assert "university_counselor_ratio" not in set(schools[schools["unit_id"] == "S1"]["indicator"])
    check(row(schools, "U2", "university_counselor_ratio"), 1, 1, 100, "met", 1, 1)
    silent = row(schools, "S4", "counselor_coverage")
    assert (silent["status"], silent["reported"], silent["expected"]) == ("no_data", 0, 1)


def test_completeness_counts_and_scope(warehouse):
    province = evaluate(warehouse, "610000", "province", [2025], indicator_ids=["counselor_coverage"])
    assert (province.iloc[0]["reported"], province.iloc[0]["expected"]) == (8, 9)
    with pytest.raises(RegionError, match="无权"):
        evaluate(warehouse, "610102", "county", [2025], allowed_region="620800")
    with pytest.raises(RegionError, match="不在数据仓库"):
        evaluate(warehouse, "999999", "county", [2025])
    with pytest.raises(RegionError, match="未知的层级"):
        evaluate(warehouse, "610000", "village", [2025])
    with pytest.raises(RegionError, match="无权"):
        evaluate(warehouse, "610100", "county", [2025], allowed_region="610103")
    scoped = evaluate(warehouse, "610103", "school", [2025], allowed_region="610103")
    assert set(scoped["unit_id"]) == {"S5", "S6"}


def test_several_years_in_one_call(warehouse):
    both = evaluate(warehouse, "620800", "county", [2023, 2024], indicator_ids=["counseling_room_coverage"])
    assert list(both["year"]) == [2023, 2024]
    assert list(both["status"]) == ["no_data", "behind"]


def test_warehouse_info(warehouse):
    info = warehouse_info(warehouse)
    assert (info.is_demo, info.data_as_of, info.years) == (False, "2025-12-31", (2024, 2025))


def test_stage_filter_narrows_school_indicators(warehouse):
    primary = evaluate(warehouse, "610100", "county", [2025], stage="primary")
    # Only S1 (ft 1) and S2 (pt 1) are primary schools in 610102; hospitals are left out.
    check(row(primary, "610102", "counselor_coverage"), 2, 2, 100, "met", 2, 2)
    assert "psychiatric_hospital_clinic" not in set(primary["indicator"])
    with pytest.raises(RegionError, match="学段"):
        evaluate(warehouse, "610100", "county", [2025], stage="kindergarten")
