"""Who reported and who did not, on the fixture warehouse, both engines."""

from __future__ import annotations

import pytest

from data_access.completeness import county_completeness, unit_reports
from data_access.regions import RegionError
from tests.data_access import fixture_warehouse


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def test_school_reports_by_unit_and_county(warehouse):
    units = unit_reports(warehouse, "610100", 2025, "school")
    assert sorted(units[~units["reported"]]["unit_id"]) == ["S4"]
    counties = county_completeness(units).set_index("county_adcode")
    assert (counties.loc["610102", "reported"], counties.loc["610102", "expected"]) == (6, 7)
    assert counties.loc["610103", "share"] == 100


def test_hospitals_that_did_not_report(warehouse):
    units = unit_reports(warehouse, "610100", 2025, "hospital")
    assert sorted(units[~units["reported"]]["unit_id"]) == ["H4"]


def test_region_and_survey_reports(warehouse):
    regions = unit_reports(warehouse, "610000", 2025, "region")
    assert regions["reported"].all() and len(regions) == 2
    surveys = unit_reports(warehouse, "610102", 2025, "survey")
    assert sorted(surveys[surveys["reported"]]["unit_id"]) == ["S1", "S2", "S3"]


def test_unknown_type_and_scope(warehouse):
    with pytest.raises(RegionError, match="上报类型"):
        unit_reports(warehouse, "610100", 2025, "kindergarten")
    with pytest.raises(RegionError, match="无权"):
        unit_reports(warehouse, "610100", 2025, "school", allowed_region="620800")


def test_schools_carry_their_coordinates_and_other_units_none(warehouse):
    schools = unit_reports(warehouse, "610103", 2025, "school").set_index("unit_id")
    assert (schools.loc["S5", "longitude"], schools.loc["S5", "latitude"]) == (108.94, 34.25)
    hospitals = unit_reports(warehouse, "610100", 2025, "hospital")
    assert hospitals["longitude"].isna().all() and hospitals["latitude"].isna().all()


def _set_lifecycle(engine, school_id: str, opened: int | None, closed: int | None) -> None:
    import sqlalchemy as sa

    from data_access.schema import schools

    with engine.begin() as conn:
        conn.execute(sa.update(schools).where(schools.c.school_id == school_id)
                     .values(opened_year=opened, closed_year=closed))


def test_a_school_closed_after_2024_is_expected_in_2023_and_not_in_2025(warehouse):
    # S4 (新城区) reported for 2024 only; closed after 2024 it is no longer missing in 2025.
    _set_lifecycle(warehouse, "S4", None, 2024)
    assert "S4" in set(unit_reports(warehouse, "610102", 2023, "school")["unit_id"])
    assert "S4" in set(unit_reports(warehouse, "610102", 2024, "school")["unit_id"])
    in_2025 = unit_reports(warehouse, "610102", 2025, "school")
    assert "S4" not in set(in_2025["unit_id"])
    # 新城区 2025: 7 schools minus S4 = 6 expected, all 6 reported.
    counties = county_completeness(in_2025).set_index("county_adcode")
    assert (counties.loc["610102", "reported"], counties.loc["610102", "expected"]) == (6, 6)


def test_a_school_opened_in_2025_is_not_expected_in_2024(warehouse):
    _set_lifecycle(warehouse, "S3", 2025, None)
    assert "S3" not in set(unit_reports(warehouse, "610102", 2024, "school")["unit_id"])
    assert "S3" in set(unit_reports(warehouse, "610102", 2025, "school")["unit_id"])


def test_registries_are_not_report_kinds():
    from data_access.completeness import REPORT_KINDS

    assert set(REPORT_KINDS) == {"school", "survey", "hospital", "community", "region"}


def test_county_reporting_attainment_is_judged_against_every_unit_reporting():
    import pandas as pd

    from data_access.completeness import county_reporting_attainment, reporting_totals

    units = pd.DataFrame({"county_adcode": ["610102"] * 4 + ["610103"] * 2,
                          "county_name": ["新城区"] * 4 + ["碑林区"] * 2,
                          "reported": [True, True, True, False, True, True]})
    frame = county_reporting_attainment(county_completeness(units)).set_index("unit_id")
    # 新城区 3 of 4 = 75%: 25 points short; 碑林区 2 of 2: met.
    assert frame.loc["610102", ["numerator", "denominator", "value", "gap", "status"]].tolist() == \
        [3, 4, 75.0, 25.0, "behind"]
    assert frame.loc["610103", ["value", "gap", "status"]].tolist() == [100.0, 0.0, "met"]
    assert reporting_totals(units) == (5, 6, 500 / 6)
    assert reporting_totals(units.iloc[0:0]) == (0, 0, 0.0)
