"""The read model: a scope checked once, and one indicator's units with everything printed beside them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_access.meta import WarehouseInfo
from data_access.read_model import (
    AccessDenied,
    NoDataForYear,
    UnknownIndicator,
    UnknownLevel,
    UnknownRegion,
    evaluate_views,
    indicator_view,
    ranking,
    resolve_scope,
    scope_for,
)
from data_access.regions import RegionError
from data_access.status import BANDS
from tests.data_access import fixture_warehouse

REGIONS = pd.DataFrame(fixture_warehouse.REGIONS,
                       columns=["adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"])
INFO = WarehouseInfo(is_demo=True, data_as_of="2025-12-31", source=None, years=(2024, 2025), dialect="duckdb")


def test_scope_knows_its_level_children_and_plan():
    scope = scope_for(REGIONS, "620800", 2024, years=INFO.years)
    assert (scope.region_name, scope.level, scope.child_level, scope.jurisdiction) == ("平凉市", "city", "county",
                                                                                        "620800")
    assert scope.plan_name.startswith("平凉市全面加强和改进")
    assert scope_for(REGIONS, "610102", 2025).child_level == "school"


@pytest.mark.parametrize(("region", "kwargs", "error", "message"), [
    ("999999", {}, UnknownRegion, "不在数据仓库中"),
    ("610102", {"allowed": "620800"}, AccessDenied, "无权查看 新城区"),
    ("620800", {"years": (2024, 2025), "year": 2019}, NoDataForYear, "2019 年没有上报数据"),
    ("610102", {"child_level": "city"}, UnknownLevel, "只能显示其本身或下级单位"),
    ("620800", {"stage": "kindergarten"}, UnknownLevel, "未知的学段"),
])
def test_bad_scopes_are_refused_in_chinese(region, kwargs, error, message):
    year = kwargs.pop("year", 2024)
    with pytest.raises(error, match=message):
        scope_for(REGIONS, region, year, **kwargs)
    assert issubclass(error, RegionError)  # callers that catch RegionError keep working


def _units(**columns) -> pd.DataFrame:
    base = {"indicator": "counselor_coverage", "year": 2024, "level": "county", "value_unit": "%",
            "target_id": "t", "threshold": 95.0, "comparison": ">=", "target_label": "≥95%", "deadline_year": 2025,
            "clause": "条款", "clause_ref": "三、(二)", "plan": "pingliang_2023", "numerator": 1.0,
            "denominator": 2.0, "reported": 2, "expected": 2, "needed_per_year": math.nan, "years_left": 1}
    frame = pd.DataFrame(columns)
    for key, value in base.items():
        if key not in frame:
            frame[key] = value
    return frame


def test_ranking_puts_neutral_units_last_unranked_and_can_put_slipped_first():
    frame = _units(unit_id=list("ABCDEF"), name=list("ABCDEF"),
                   status=["met", "behind", "not_applicable", "slipped", "small_sample", "close"],
                   gap=[-1.0, 30.0, math.nan, 2.0, math.nan, 5.0],
                   shortfall=[0.0, 3.0, math.nan, 1.0, math.nan, 1.0],
                   shortfall_unit=["名专职教师"] * 6, value=[96.0, 65.0, math.nan, 93.0, 33.3, 90.0])
    # Short first by shortfall (B 3, then D and F 1 each: the larger gap F before D), then met, then neutral.
    ordered = ranking(frame)
    assert ordered["name"].tolist() == ["B", "F", "D", "A", "C", "E"]
    assert ordered["rank"].tolist()[:4] == [1, 2, 3, 4] and ordered["rank"].iloc[4:].isna().all()
    assert ranking(frame, slipped_first=True)["name"].tolist()[:2] == ["D", "B"]


def test_view_carries_texts_counts_and_shortfall_total():
    frame = _units(unit_id=["A", "B", "C"], name=["甲县", "乙县", "丙县"], status=["behind", "close", "not_applicable"],
                   gap=[30.0, 5.0, math.nan], value=[65.0, 90.0, math.nan],
                   shortfall=[2.2, 1.0, math.nan], shortfall_unit=["名专职教师", "名专职教师", None])
    scope = scope_for(REGIONS, "620800", 2024)
    view = indicator_view(scope, "counselor_coverage", frame, INFO)
    # 2.2 teachers short is 3 to hire; plus 1: 4 in all. C is not applicable and not counted as behind.
    assert view.shortfall_total == 4 and view.shortfall_text() == "还需 4 名专职教师"
    assert view.shortfall_text("en") == "still needed: 4 full-time teachers"
    assert view.behind() == 2
    assert view.counts()["behind"] == 1 and set(view.counts()) == {band.status.value for band in BANDS}
    assert view.subtitle() == "目标 ≥95% (2025年底) · 报送本项指标 6/6 · 还需 4 名专职教师 · 演示数据"
    assert view.subtitle("en") == ("Target ≥95% (end of 2025) · 6/6 reported this indicator · "
                                   "still needed: 4 full-time teachers · demo data")
    assert view.source().startswith("《平凉市全面加强") and view.source().endswith("》三、(二)")


def test_view_without_shortfall_columns_prints_no_shortfall():
    frame = _units(unit_id=["A"], name=["甲县"], status=["behind"], gap=[30.0], value=[65.0])
    view = indicator_view(scope_for(REGIONS, "620800", 2024), "counselor_coverage", frame, INFO)
    assert math.isnan(view.shortfall_total) and view.shortfall_text() == ""
    assert "还需" not in view.subtitle()


def test_unknown_indicator_is_named_for_what_went_wrong():
    with pytest.raises(UnknownIndicator, match="未知的指标"):
        indicator_view(scope_for(REGIONS, "620800", 2024), "no_such", _units(unit_id=["A"]), INFO)


def test_evaluate_views_from_the_warehouse(engine):
    fixture_warehouse.populate(engine)
    scope = resolve_scope(engine, "620800", 2024)
    views = evaluate_views(engine, scope, ["counselor_coverage", "counseling_room_coverage"])
    rooms = views["counseling_room_coverage"]
    # 崆峒区 is Pingliang's only county: P1 has a room, P2 has not -> 1/2 = 50%, both schools reported.
    assert rooms.units["name"].tolist() == ["崆峒区"] and rooms.units["value"].iloc[0] == 50.0
    assert rooms.overall["unit_id"] == "620800" and rooms.overall["value"] == 50.0
    assert rooms.target_text() == "目标 ≥100% (2024年底)" and rooms.completeness() == "报送本项指标 2/2"
    assert rooms.clause and rooms.plan_name.startswith("平凉市")
