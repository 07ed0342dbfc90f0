"""The one formatting rule: display precision, rounded toward the side of the threshold the status is on."""

from __future__ import annotations

import math

import pytest

from data_access.formatting import display_number, format_gap, format_shortfall, format_value


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
