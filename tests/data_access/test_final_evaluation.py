"""The final evaluation's numbers on the hand-computable fixture, both engines.

Pingliang in the fixture: city 620800 with one county 620802 and two schools, P1 (primary, 0 full-time +
1 part-time teacher, counseling room) and P2 (junior secondary, 1500 pupils, no teacher, no room), both
reporting 2024 only. The warehouse's years are 2024 and 2025 (Xi'an reports 2025).
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from data_access import catalog, schema
from data_access.evaluation import evaluate
from data_access.final_evaluation import (
    LATE_MET,
    MET,
    MISSED,
    NO_LATER_YEAR,
    NO_VALUE,
    NOT_APPLICABLE,
    SLIPPED,
    final_evaluation,
    group_of,
    require_plan,
    tally,
    target_groups,
)
from data_access.regions import RegionError
from tests.data_access import fixture_warehouse


def test_every_targeted_indicator_is_in_exactly_one_declared_group():
    grouped = [ind for group in target_groups() for ind in group.indicators]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) <= set(catalog.indicators())
    assert {t.indicator for t in catalog.targets()} <= set(grouped)
    assert group_of("counseling_room_coverage").key == "rooms"


def test_plans_are_found_by_key():
    assert require_plan("pingliang_2023").adcode == "620800"
    assert require_plan("shaanxi_2024").adcode == "610000"
    with pytest.raises(RegionError, match="未知的规划 nope: 可选 .*pingliang_2023"):
        require_plan("nope")


def test_pingliang_targets_at_their_deadlines(engine):
    fixture_warehouse.populate(engine)
    ev = final_evaluation(engine, "620800", "pingliang_2023")
    assert ev.levels == ("city", "county")
    assert ev.latest_year == 2025
    targets = catalog.targets_for("620800")
    assert [t.id for t in ev.targets] == [t.id for t in targets]
    # One row per target and unit: the city and its one county.
    assert len(ev.units) == 2 * len(targets)

    # 2024 staffing: P1 has a (part-time) teacher, P2 none: 1/2 = 50% against >=100%, gap 50 points.
    staffing = ev.rows_for("pl_counselor_k12_2024", "city").iloc[0]
    assert staffing["evaluation_year"] == 2024
    assert staffing["value"] == pytest.approx(50.0) and staffing["gap"] == pytest.approx(50.0)
    assert staffing["outcome"] == MISSED
    assert (staffing["reported"], staffing["expected"]) == (2, 2)
    # Nothing reported in Pingliang for 2025: the later value is missing, not a zero.
    assert staffing["later_year"] == 2025 and math.isnan(staffing["later_value"])
    assert staffing["since"] == NO_VALUE

    # 2023 targets: no report exists for 2023.
    plan_2023 = ev.rows_for("pl_mh_plan_2023", "county").iloc[0]
    assert plan_2023["evaluation_year"] == 2023 and plan_2023["outcome"] == NO_VALUE
    assert (plan_2023["reported"], plan_2023["expected"]) == (0, 2)

    # Recurring duty: judged in the plan's last year, 2025; after that there is no later year.
    screening = ev.rows_for("pl_screening", "city").iloc[0]
    assert screening["evaluation_year"] == 2025 and screening["since"] == NO_LATER_YEAR

    # University course: Kongtong has no university, so the target has no unit to apply to.
    course = ev.rows_for("pl_university_course", "county").iloc[0]
    assert course["outcome"] == NOT_APPLICABLE


def test_values_are_those_of_evaluate_for_the_deadline_year(engine):
    fixture_warehouse.populate(engine)
    ev = final_evaluation(engine, "610000", "shaanxi_2024")
    assert ev.levels == ("province", "city", "county")
    for level in ev.levels:
        expected = evaluate(engine, "610000", level, [2025]).set_index(["indicator", "unit_id"])
        mine = ev.units[ev.units["level"] == level]
        assert len(mine) == len(expected)
        for row in mine.to_dict("records"):
            theirs = expected.loc[(row["indicator"], row["unit_id"])]
            assert (math.isnan(row["value"]) and math.isnan(theirs["value"])) or row["value"] == theirs["value"]
            assert row["reported"] == theirs["reported"] and row["expected"] == theirs["expected"]


def _pingliang_2025(engine: sa.Engine) -> None:
    """P2 gets a counseling room in 2024 (so rooms are met at the 2024 deadline); in 2025 P1's room is
    gone, and each school has one teacher."""
    with engine.begin() as conn:
        conn.execute(sa.update(schema.school_year)
                     .where(schema.school_year.c.school_id == "P2", schema.school_year.c.year == 2024)
                     .values(counseling_room=True))
        conn.execute(sa.insert(schema.school_year), [
            {"school_id": "P1", "year": 2025, "enrollment": 500, "fulltime_teachers": 0, "parttime_teachers": 1,
             "counseling_room": False},
            {"school_id": "P2", "year": 2025, "enrollment": 1500, "fulltime_teachers": 1, "parttime_teachers": 0,
             "counseling_room": True},
        ])


def test_slipped_back_and_met_late_at_city_and_county(engine):
    fixture_warehouse.populate(engine)
    _pingliang_2025(engine)
    ev = final_evaluation(engine, "620800", "pingliang_2023")
    for level in ("city", "county"):
        # Rooms: 2/2 = 100% in 2024 (met), 1/2 = 50% in 2025: slipped back.
        rooms = ev.rows_for("pl_counseling_room_2024", level).iloc[0]
        assert rooms["outcome"] == MET and rooms["later_value"] == pytest.approx(50.0)
        assert rooms["since"] == SLIPPED
        # Teachers: 1/2 = 50% in 2024 (missed), 2/2 = 100% in 2025: met after the deadline.
        staffing = ev.rows_for("pl_counselor_k12_2024", level).iloc[0]
        assert staffing["outcome"] == MISSED and staffing["since"] == LATE_MET
    counts = tally(ev.rows_for("pl_counseling_room_2024", "county"))
    assert (counts.units, counts.met, counts.slipped, counts.sustained) == (1, 1, 1, 0)


def test_area_must_be_inside_the_plan_and_the_allowed_region(engine):
    fixture_warehouse.populate(engine)
    with pytest.raises(RegionError, match="不在《平凉市"):
        final_evaluation(engine, "610100", "pingliang_2023")
    with pytest.raises(RegionError, match="超出允许范围"):
        final_evaluation(engine, "620800", "pingliang_2023", allowed_region="610000")
    # A county official: the county alone, no finer level.
    ev = final_evaluation(engine, "620802", "pingliang_2023", allowed_region="620802")
    assert ev.levels == ("county",) and set(ev.units["unit_id"]) == {"620802"}
