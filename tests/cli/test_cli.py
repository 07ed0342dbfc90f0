"""The mhmonitor command line on the fixture warehouse, both engines."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from data_access import schema
from mhmonitor.cli import INDICATOR_COLUMNS, TARGET_COLUMNS, main
from tests.data_access import fixture_warehouse
from tests.data_access.plan_fixtures import PINGLIANG_SUCCESSOR, enable_plans


@pytest.fixture
def warehouse_env(engine, monkeypatch):
    fixture_warehouse.populate(engine)
    monkeypatch.setenv("WAREHOUSE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_targets_csv_lists_every_target_with_its_clause(capsys):
    code, out, _ = run(capsys, "targets", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert tuple(rows[0].keys()) == TARGET_COLUMNS
    assert len(rows) == 31
    ratio = next(r for r in rows if r["id"] == "sx_university_ratio")
    assert "1:4000" in ratio["clause"] and ratio["jurisdiction_adcode"] == "610000"
    assert (ratio["plan"], ratio["period"]) == ("shaanxi_2024", "2024-2025")
    assert {(r["plan"], r["period"]) for r in rows} == {("shaanxi_2024", "2024-2025"), ("pingliang_2023", "2023-2025")}


def test_targets_list_a_successor_plan_after_its_predecessor(capsys, monkeypatch):
    enable_plans(monkeypatch, PINGLIANG_SUCCESSOR)  # a test fixture: invented 2026-2030 Pingliang plan
    code, out, _ = run(capsys, "targets", "--format", "csv")
    pingliang = [(r["plan"], r["period"]) for r in csv.DictReader(io.StringIO(out))
                 if r["jurisdiction_adcode"] == "620800"]
    assert code == 0
    # 12 targets of the 2023-2025 plan, then the fixture's 2.
    assert pingliang == [("pingliang_2023", "2023-2025")] * 12 + [("fixture_pingliang_2026", "2026-2030")] * 2


def test_indicators_by_county(capsys, warehouse_env):
    code, out, _ = run(capsys, "indicators", "--region", "620800", "--year", "2024", "--level", "county")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and tuple(rows[0].keys()) == INDICATOR_COLUMNS
    rooms = next(r for r in rows if r["indicator"] == "counseling_room_coverage")
    assert rooms == {"adcode_or_school_id": "620802", "name": "崆峒区", "indicator": "counseling_room_coverage",
                     "numerator": "1", "denominator": "2", "value": "50.0", "target": "≥100%", "deadline": "2024",
                     "status": "behind", "reported": "2", "expected": "2", "shortfall": "1",
                     "shortfall_unit": "间心理辅导室"}  # P2 needs a room
    screening = next(r for r in rows if r["indicator"] == "screening_coverage")
    assert screening["deadline"] == "every_year"


def test_indicators_by_school_and_city(capsys, warehouse_env):
    code, out, _ = run(capsys, "indicators", "--region", "610000", "--year", "2025", "--level", "city")
    # Shortfall of a city: 碑林区's 6 psychiatrists (新城区 is above target), not the pooled city's 1.
    expected = "610100,西安市,psychiatrists_per_100k,43,1100000,3.91,≥4人/10万人,2025,close,2,2,6,名精神科医师"
    assert code == 0 and expected in out
    code, out, _ = run(capsys, "indicators", "--region", "610102", "--year", "2025", "--level", "school")
    assert code == 0 and "U2,乙学院,university_counselor_ratio,1,1,100" in out


def test_indicators_show_not_applicable_and_small_sample(capsys, warehouse_env):
    code, out, _ = run(capsys, "indicators", "--region", "610100", "--year", "2025", "--level", "county")
    rows = list(csv.DictReader(io.StringIO(out)))
    clinic = next(r for r in rows if r["adcode_or_school_id"] == "610103" and r["indicator"] ==
                  "psychiatric_hospital_clinic")
    # 碑林区 has no psychiatric hospital: 不适用, nothing expected, no value and no shortfall.
    assert (clinic["status"], clinic["expected"], clinic["value"], clinic["shortfall"], clinic["shortfall_unit"]) \
        == ("not_applicable", "0", "", "", "")
    with warehouse_env.begin() as conn:
        conn.execute(sa.insert(schema.awareness_survey), [{"school_id": "S5", "year": 2025, "surveyed": 3,
                                                            "passed": 1}])
    for level, unit in (("school", "S5"), ("county", "610103")):
        code, out, _ = run(capsys, "indicators", "--region", "610103", "--year", "2025", "--level", level)
        rows = list(csv.DictReader(io.StringIO(out)))
        found = next(r for r in rows if r["adcode_or_school_id"] == unit and r["indicator"] ==
                     "core_knowledge_awareness")
        # 1 of 3 students: the rate and the count of passes are not printed, only the sample size.
        assert (found["status"], found["numerator"], found["denominator"], found["value"], found["shortfall"]) == \
            ("small_sample", "", "3", "", ""), level


@pytest.mark.parametrize(("argv", "message"), [
    (("--region", "999999", "--year", "2025", "--level", "city"), "不在数据仓库"),
    (("--region", "610000", "--year", "2019", "--level", "city"), "2019 年没有上报数据"),
    (("--region", "610000", "--year", "2025", "--level", "village"), "未知的层级"),
    (("--region", "610000", "--year", "abc", "--level", "city"), "invalid int value"),
])
def test_bad_arguments_give_one_line_and_fail(capsys, warehouse_env, argv, message):
    code, out, err = run(capsys, "indicators", *argv)
    assert code != 0 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
