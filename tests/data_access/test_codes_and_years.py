"""Official code checks and the reportable years, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.codes import (
    community_code_problem,
    hospital_code_problem,
    organization_code_check,
    school_category_problem,
    school_code_problem,
    school_province_problem,
    urban_rural_code_problem,
    urban_rural_of,
    usci_check_character,
)
from data_access.years import last_ended_school_year, reportable_years


@pytest.mark.parametrize(("today", "year"), [
    (date(2026, 11, 27), 2026),  # the 2025-2026 school year ended in July
    (date(2026, 8, 1), 2026),
    (date(2026, 7, 31), 2025),  # still the last day of the 2025-2026 school year
    (date(2027, 1, 15), 2026),
])
def test_last_ended_school_year(today, year):
    assert last_ended_school_year(today) == year


def test_reportable_years_run_from_the_earliest_baseline():
    assert reportable_years(date(2026, 11, 27)) == (2022, 2023, 2024, 2025, 2026)
    assert reportable_years(date(2026, 3, 1)) == (2022, 2023, 2024, 2025)


def test_usci_check_character():
    # GB 32100-2015's worked example 91350100M000100Y43; 91110000600037341L is a registered company's code.
    assert usci_check_character("91350100M000100Y4") == "3"
    assert usci_check_character("91110000600037341") == "L"
    assert hospital_code_problem("91350100M000100Y43") is None
    assert "应为 3" in hospital_code_problem("91350100M000100Y40")
    assert "不允许的字符「O」" in hospital_code_problem("91350100MO00100Y43")
    # Its 9-character 组织机构代码 M000100Y4 carries the GB 11714 check 4.
    assert organization_code_check("M000100Y") == "4"
    assert hospital_code_problem("H-0042") is None  # another registration number: no check
    assert hospital_code_problem("医院1") is not None


def test_school_code_rules():
    assert school_code_problem("2162000123") is None
    assert "10 位数字" in school_code_problem("21620001")
    assert "类别" in school_code_problem("1162000123")  # 11 幼儿园: not monitored
    assert school_category_problem("3162000123", "nine_year", "九年一贯制学校") is None
    assert school_category_problem("2162000123", "nine_year", "九年一贯制学校") is None  # a former 小学
    assert school_category_problem("3462000123", "complete_secondary", "完全中学") is None
    assert school_category_problem("3462000123", "twelve_year", "十二年一贯制学校") is None
    assert "36 (中等职业学校)" in school_category_problem("3462000123", "secondary_vocational", "中等职业学校")
    assert school_province_problem("2162000123", "620802") is None
    assert school_province_problem("2161000123", "620802") is not None


def test_community_codes():
    assert community_code_problem("620802001001") is None
    assert "12 位" in community_code_problem("62080200100")
    assert [urban_rural_of(code) for code in ("111", "112", "121", "122", "123", "210", "220")] == \
        ["urban"] * 5 + ["rural"] * 2
    assert urban_rural_code_problem("220") is None and urban_rural_code_problem("130") is not None
