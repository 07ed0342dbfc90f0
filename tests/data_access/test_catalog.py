"""The catalog holds every quantitative target of both plans, each quoting its plan word for word."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from data_access import catalog

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Every quantitative target of the two plans (see targets.toml for the few duties left unmonitored).
EXPECTED = {
    "610000": {
        ("counselor_coverage", 100, "2025"), ("counselor_coverage_k12", 100, "2025"),
        ("fulltime_coverage_upper", 90, "2025"), ("fulltime_coverage_basic", 50, "2025"),
        ("large_school_fulltime", 100, "2025"), ("university_course", 100, "2025"),
        ("university_counselor_ratio", 100, "2025"), ("psychiatric_hospital_clinic", 80, "2025"),
        ("children_general_mch_clinic", 50, "2025"), ("psychiatrists_per_100k", 4, "2025"),
        ("parent_school_urban", 90, "2025"), ("parent_school_rural", 80, "2025"),
        ("station_mh_education", 75, "2025"), ("core_knowledge_awareness", 90, "2025"),
        ("screening_coverage", 100, "every_year"), ("training_hours_fulltime_k12", 30, "every_year"),
        ("training_hours_parttime_k12", 12, "every_year"), ("training_hours_fulltime_university", 40, "every_year"),
        ("training_hours_parttime_university", 20, "every_year"),
    },
    "620800": {
        ("mh_plan_coverage", 100, "2023"), ("core_knowledge_awareness", 80, "2023"),
        ("station_mh_education", 60, "2023"), ("counseling_room_coverage", 100, "2024"),
        ("counselor_coverage_k12", 100, "2024"), ("large_school_fulltime", 100, "2024"),
        ("university_counselor_ratio", 100, "2024"), ("counselor_coverage", 95, "2025"),
        ("psychiatric_hospital_clinic", 100, "2025"), ("general_mch_clinic", 50, "2025"),
        ("screening_coverage", 100, "every_year"), ("university_course", 100, "every_year"),
    },
}


def _plain(text: str) -> str:
    # The Pingliang PDF extraction dropped line breaks' neighbours: spaces, colons, dashes and quotes.
    return re.sub(r"[\s:：—“”\"]", "", text)


def test_catalog_is_consistent():
    assert catalog.catalog_problems() == []


@pytest.mark.parametrize("adcode", sorted(EXPECTED))
def test_every_quantitative_target_is_there(adcode):
    found = {(t.indicator, t.threshold, t.deadline) for t in catalog.targets_for(adcode)}
    assert found == EXPECTED[adcode]


@pytest.mark.parametrize("target", catalog.targets(), ids=lambda t: t.id)
def test_clause_is_quoted_from_its_plan(target):
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"plan texts missing at {SEEDS}")
        pytest.skip(f"plan texts not beside this clone ({SEEDS})")
    seed = (SEEDS / catalog.PLANS[target.jurisdiction_adcode].seed_file).read_text(encoding="utf-8")
    for part in target.clause.split("……"):
        assert _plain(part) in _plain(seed), f"{target.id}: clause not found in the plan text"
    assert target.clause_ref


def test_catalog_rules_report_every_problem_at_once():
    broken = catalog.targets()[0]
    bad = (
        broken,
        catalog.Target(**{**broken.__dict__, "indicator": "nonexistent", "deadline": "2030"}),
    )
    problems = catalog.catalog_problems(bad)
    assert any("重复" in p for p in problems)
    assert any("未声明的指标" in p for p in problems)
    assert any("期限" in p for p in problems)


def test_applicable_target_prefers_nearest_open_deadline():
    assert catalog.applicable_target("620800", "counselor_coverage_k12", 2023).deadline == "2024"
    assert catalog.applicable_target("620800", "counselor_coverage_k12", 2025).deadline == "2024"
    assert catalog.applicable_target("620800", "screening_coverage", 2022).deadline == "every_year"
    assert catalog.applicable_target("610000", "counseling_room_coverage", 2025) is None
