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
