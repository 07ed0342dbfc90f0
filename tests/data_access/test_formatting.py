"""The one formatting rule: display precision, rounded toward the side of the threshold the status is on."""

from __future__ import annotations

import math

import pytest

from data_access.formatting import (
    display_number,
    format_count,
    format_fraction,
    format_gap,
    format_percent,
    format_shortfall,
    format_value,
    missing_text,
    reported_text,
    shown_gap,
    shown_number,
    stored_value_text,
    threshold_label,
    trajectory_text,
    value_text,
)


def test_plain_values_use_the_unit_precision():
    # % one decimal (half up), hours and per-100k two decimals.
    assert format_value(95.04, "%") == "95.0%"
    assert format_value(95.05, "%") == "95.1%"
    assert format_value(12.345, "学时/人") == "12.35 学时/人"
    assert format_value(3.999, "人/10万人") == "4.00 人/10万人"


def test_missing_values_print_a_dash():
    assert format_value(None, "%") == "—"
    assert format_value(math.nan, "%") == "—"
    assert display_number(math.nan, "%") == ""


@pytest.mark.parametrize(("value", "status", "expected"), [
    (19.9967, "close", "19.99 学时/人"),  # half-up would print 20.00 next to "close": rounded down instead
    (19.9967, None, "19.99 学时/人"),  # no status: the value itself decides the side
    (19.994, "close", "19.99 学时/人"),  # already below the target when rounded: unchanged
    (20.0, "met", "20.00 学时/人"),
    (20.004, "met", "20.00 学时/人"),
])
def test_at_least_target_never_prints_met_when_not_met(value, status, expected):
    assert format_value(value, "学时/人", 20, ">=", status) == expected


def test_at_least_percent_target():
    # 89.96% against >= 90%: half-up gives 90.0%, status close -> 89.9%.
    assert format_value(89.96, "%", 90, ">=", "close") == "89.9%"
    assert format_value(89.96, "%", 90, ">=", "slipped") == "89.9%"
    assert format_value(90.0, "%", 90, ">=", "met") == "90.0%"


@pytest.mark.parametrize(("value", "status", "expected"), [
    (5.003, "close", "5.01 人/10万人"),  # above an "at most 5" limit: never printed as 5.00
    (4.996, "met", "5.00 人/10万人"),  # met: half-up 5.00 is within the limit, unchanged
    (4.9951, "met", "5.00 人/10万人"),
    (5.0049, None, "5.01 人/10万人"),  # no status: 5.0049 > 5 does not meet, so rounded up
])
def test_at_most_target_mirrors_the_rule(value, status, expected):
    assert format_value(value, "人/10万人", 5, "<=", status) == expected


def test_met_value_with_a_threshold_finer_than_the_precision_is_rounded_up():
    # 0.84% meets ">= 0.83%"; half-up at one decimal gives 0.8%, which would read as short: 0.9% instead.
    assert format_value(0.84, "%", 0.83, ">=", "met") == "0.9%"
    # Mirror: 0.86% meets "<= 0.87%"; half-up 0.9% would read as over the limit: 0.8% instead.
    assert format_value(0.86, "%", 0.87, "<=", "met") == "0.8%"


def test_gap_is_rounded_away_from_zero():
    # 20 - 19.9967 = 0.0033 hours short: shown as 0.01, never 0.00.
    assert format_gap(20 - 19.9967, "学时/人") == "0.01 学时/人"
    assert format_gap(5.04, "%") == "5.1 个百分点"
    assert format_gap(math.nan, "%") == "—"


def test_shortfall_counts_whole_units():
    assert format_shortfall(3, "名专职教师") == "还需 3 名专职教师"
    assert format_shortfall(2.2, "名精神科医师") == "还需 3 名精神科医师"  # 2.2 doctors short: 3 more to hire
    assert format_shortfall(0, "名专职教师") == "已达标"
    assert format_shortfall(math.nan, None) == "—"
    assert format_shortfall(None, "名专职教师") == "—"


def test_a_school_speaks_in_met_and_missing_not_percent():
    # A school without a mental-health teacher: 0% of one school, 1 teacher short.
    school = {"indicator": "counselor_coverage", "level": "school", "value": 0.0, "value_unit": "%",
              "threshold": 95.0, "comparison": ">=", "status": "behind", "gap": 95.0, "shortfall": 1.0,
              "shortfall_unit": "名专(兼)职教师"}
    assert value_text(school) == "未达标" and missing_text(school) == "缺 1 名专(兼)职教师"
    assert value_text(school, "en") == "Not met" and missing_text(school, "en") == "missing 1 teachers"
    assert value_text({**school, "value": 100.0, "status": "met", "gap": -5.0, "shortfall": 0.0}) == "达标"
    county = {**school, "level": "county", "value": 65.0, "gap": 30.0, "shortfall": 3.0}
    assert value_text(county) == "65.0%" and missing_text(county) == "还需 3 名专(兼)职教师"
    # Without a countable shortfall the gap is said instead, rounded away from zero.
    assert missing_text({**county, "shortfall": math.nan, "shortfall_unit": None, "gap": 0.04}) == "差 0.1 个百分点"
    assert missing_text({**county, "status": "small_sample"}) == "—"


def test_a_met_city_never_reads_as_short_its_counties_shortfall_is_named_as_theirs():
    # Pingliang 2023 awareness in the demo: 81.0% against >= 80% (met) while two counties still lack 805 passes.
    row = {"status": "met", "level": "city", "shortfall": 805.0, "shortfall_unit": "名学生知晓", "gap": -1.0,
           "value_unit": "%"}
    assert missing_text(row) == "已达标; 下辖县区还需 805 名学生知晓"
    assert missing_text({**row, "level": "county", "shortfall": 0.0}) == "已达标"


def test_counts_and_fractions_never_use_scientific_notation():
    # The psychiatrist ranking: 124 psychiatrists for 3,550,770 people (f"{n:g}" printed 3.55077e+06).
    assert format_fraction(124.0, 3550770.0) == "124/3,550,770"
    assert format_fraction(1.0, 3.0) == "1/3"
    assert format_fraction(0.0, math.nan) == "—"
    assert format_count(5534) == "5534"  # four digits stay as they are, like a year
    assert format_count(12345) == "12,345"
    assert format_count(1234.567) == "1234.57"  # training hours summed over teachers
    assert format_count(1e10) == "10,000,000,000"
    assert threshold_label(4000, ">=", "人") == "≥4000人"
    assert stored_value_text(1e10) == "10000000000" and stored_value_text(106.12345) == "106.12345"
    assert stored_value_text(None) == "空(未上报)" and stored_value_text(True) == "是"


def test_a_share_never_rounds_up_onto_complete():
    # 6846 of 6847 units is 99.985%: half-up (or half-even) would print 100.0% next to "close".
    assert format_percent(6846, 6847) == "99.9%"
    assert format_percent(6847, 6847) == "100.0%"
    assert format_percent(2, 3) == "66.7%"  # far from 100%: ordinary half-up
    assert format_percent(0, 0) == "—"


def test_the_two_reported_counts_say_what_they_count():
    assert reported_text(5534, 6847) == "报送本项指标 5534/6847"
    assert reported_text(5546, 6847, report="学校年报") == "报送学校年报 5546/6847"
    assert reported_text(5, 7, "en") == "5/7 reported this indicator"


def test_exported_numbers_are_the_printed_ones():
    assert shown_number(19.9967, "学时/人", 20, ">=", "close") == 19.99
    assert shown_number(math.nan, "%") is None
    assert shown_gap(20 - 19.9967, "学时/人") == 0.01
    assert shown_gap(-4.96, "%") == -5.0


@pytest.mark.parametrize("status", ["small_sample", "not_applicable", "no_data"])
def test_a_status_that_judges_nothing_prints_no_rate(status):
    # A 3-student survey: 1 of 3 passed (33.3%), judged 样本不足.
    row = {"indicator": "awareness_rate", "level": "county", "value": 100 / 3, "value_unit": "%",
           "numerator": 1.0, "denominator": 3.0, "threshold": 90.0, "comparison": ">=", "status": status,
           "gap": 90 - 100 / 3, "shortfall": math.nan, "shortfall_unit": "名学生知晓"}
    assert value_text(row) == "—" and missing_text(row) == "—"
    assert format_value(row["value"], "%", 90, ">=", status) == "—"
    assert display_number(row["value"], "%", 90, ">=", status) == ""
    assert shown_number(row["value"], "%", 90, ">=", status) is None
    assert shown_gap(row["gap"], "%", status) is None
    assert trajectory_text(row) == {"small_sample": "样本不足", "not_applicable": "不适用", "no_data": "无数据"}[status]


def test_trajectory_says_the_yearly_step_to_the_deadline():
    row = {"status": "behind", "gap": 10.0, "years_left": 2.0, "needed_per_year": 5.0, "value_unit": "%"}
    assert trajectory_text(row) == "每年 +5.0 个百分点 (2 年)"
    assert trajectory_text(row, "en") == "+5.0 pp a year (2 years)"
    assert trajectory_text({**row, "years_left": 0.0}) == "已到期, 差 10.0 个百分点"
    assert trajectory_text({**row, "years_left": math.nan}) == "本学年须达标"
    assert trajectory_text({**row, "status": "met", "gap": -1.0}) == "已达标"
