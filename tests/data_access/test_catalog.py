"""The catalog holds every quantitative target of both plans, each quoting its plan word for word in simplified
characters; plans are files, and successor plans and new jurisdictions are added as files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from opencc_purepy import OpenCC

from data_access import catalog
from data_access.evaluation import evaluate
from tests.data_access import fixture_warehouse
from tests.data_access.plan_fixtures import (
    PINGLIANG_SUCCESSOR,
    THIRD_JURISDICTION,
    enable_plans,
    populate_ningxia,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Every quantitative target of the two plans (see the plan files for the few duties left unmonitored).
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


@pytest.fixture(scope="module")
def simplified_seeds() -> dict[str, str]:
    """Each product plan's text converted to simplified characters with OpenCC t2s, as the catalog quotes it."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"plan texts missing at {SEEDS}")
        pytest.skip(f"plan texts not beside this clone ({SEEDS})")
    converter = OpenCC("t2s")
    return {plan.key: converter.convert((SEEDS / plan.seed_file).read_text(encoding="utf-8"))
            for plan in catalog.plans()}


def test_catalog_is_consistent():
    assert catalog.catalog_problems() == []


def test_product_plans_and_their_periods():
    found = {(p.key, p.adcode, p.period_start, p.period_end, p.issued) for p in catalog.plans()}
    assert found == {("shaanxi_2024", "610000", 2024, 2025, "2024-05-06"),
                     ("pingliang_2023", "620800", 2023, 2025, "2023-06-22")}
    assert catalog.jurisdictions() == {"610000": "陕西省", "620800": "平凉市"}
    assert dict(catalog.PLANS) == {"610000": catalog.plan_by_key("shaanxi_2024"),
                                   "620800": catalog.plan_by_key("pingliang_2023")}


@pytest.mark.parametrize("adcode", sorted(EXPECTED))
def test_every_quantitative_target_is_there(adcode):
    found = {(t.indicator, t.threshold, t.deadline) for t in catalog.targets_for(adcode)}
    assert found == EXPECTED[adcode]


@pytest.mark.parametrize("target", catalog.targets(), ids=lambda t: t.id)
def test_clause_is_quoted_from_its_plan_in_simplified_characters(target, simplified_seeds):
    converter = OpenCC("t2s")
    for text in (target.clause, target.clause_ref, catalog.plan_by_key(target.plan).name_zh):
        assert converter.convert(text) == text, f"{target.id}: not in simplified characters: {text}"
    seed = simplified_seeds[target.plan]
    for part in target.clause.split("……"):
        assert _plain(part) in _plain(seed), f"{target.id}: clause not found in the converted plan text"
    assert target.clause_ref


def test_catalog_rules_report_every_problem_at_once():
    broken = catalog.targets()[0]
    bad = (
        broken,
        catalog.Target(**{**broken.__dict__, "indicator": "nonexistent", "deadline": "2050"}),
    )
    problems = catalog.catalog_problems(bad)
    assert any("重复" in p for p in problems)
    assert any("未声明的指标" in p for p in problems)
    assert any("期限" in p for p in problems)
    assert all(p.startswith(f"{broken.source}: ") for p in problems)  # each names the file


def _target(**changes) -> catalog.Target:
    shaanxi_first = next(t for t in catalog.targets() if t.id == "sx_counselor_coverage")
    return catalog.Target(**{**shaanxi_first.__dict__, **changes})


def _plan(**changes) -> catalog.Plan:
    return catalog.Plan(**{**catalog.plan_by_key("shaanxi_2024").__dict__, **changes})


SHAANXI = "shaanxi_2024.toml"
SX = f"{SHAANXI}: sx_counselor_coverage"
# One failing input per rule: (rule, plans, targets, the expected message).
RULE_CASES = [
    (catalog._unique_ids, None, (_target(), _target(source="other.toml")),
     "other.toml: 目标编号重复: sx_counselor_coverage (已见于 shaanxi_2024.toml)"),
    (catalog._unique_plan_keys, (_plan(), _plan(source="copy.toml")), (),
     "copy.toml: 规划代码重复: shaanxi_2024 (已见于 shaanxi_2024.toml)"),
    (catalog._known_indicator, None, (_target(indicator="nope"),), f"{SX}: 未声明的指标 nope"),
    (catalog._target_inside_its_plan, None, (_target(plan="nope"),), f"{SX}: 未知的规划 nope"),
    (catalog._target_inside_its_plan, None, (_target(jurisdiction_adcode="620800"),),
     f"{SX}: 辖区代码 620800 与规划 shaanxi_2024 的辖区 610000 不一致"),
    (catalog._deadline_form, None, (_target(deadline="2025年"),),
     f"{SX}: 期限应为四位年份或 every_year, 而不是 2025年"),
    # Shaanxi 2024–2025: 2023 is before its period, 2036 more than 10 years after it.
    (catalog._deadline_form, None, (_target(deadline="2023"),),
     f"{SX}: 期限 2023 不在规划期 2024—2025年 (至多延后 10 年) 内"),
    (catalog._deadline_form, None, (_target(deadline="2036"),),
     f"{SX}: 期限 2036 不在规划期 2024—2025年 (至多延后 10 年) 内"),
    (catalog._period_sanity, (_plan(period_start=2026),), (), f"{SHAANXI}: 规划期 2026—2025 起止颠倒"),
    (catalog._period_sanity, (_plan(issued="2024/05/06"),), (), f"{SHAANXI}: 印发日期 2024/05/06 应为 YYYY-MM-DD"),
    (catalog._period_sanity, (_plan(issued="2021-01-01"),), (),
     f"{SHAANXI}: 印发日期 2021-01-01 与规划期 2024—2025年 不符"),
    (catalog._period_sanity, (_plan(), _plan(key="sx_next", period_start=2025, period_end=2030, issued="2025-01-01",
                                             source="next.toml")), (),
     "next.toml: 规划期 2025—2030年 与同一辖区的 shaanxi_2024.toml (2024—2025年) 重叠"),
    (catalog._default_level_form, (_plan(default_level="village"),), (),
     f"{SHAANXI}: default_level 应为 city/county/school 之一, 而不是 village"),
    (catalog._comparison_form, None, (_target(comparison=">"),), f"{SX}: 比较方式 > 不受支持"),
    (catalog._applies_to_population, None, (_target(applies_to=("primary",)),),
     f"{SX}: 适用范围 ['primary'] 与指标 counselor_coverage 的统计范围 ['all_schools'] 不一致"),
    (catalog._unit_matches, None, (_target(unit="人"),), f"{SX}: 单位 人 与指标单位 % 不一致"),
    (catalog._one_target_per_deadline, None, (_target(), _target(id="sx_again")),
     f"{SHAANXI}: sx_again: 同一规划、指标、期限出现两个目标"),
]


@pytest.mark.parametrize(("rule", "plans", "found", "message"), RULE_CASES,
                         ids=[f"{case[0].__name__}-{index}" for index, case in enumerate(RULE_CASES)])
def test_each_rule_names_the_file_and_the_problem(rule, plans, found, message):
    assert rule(catalog.plans() if plans is None else plans, found, catalog.indicators()) == [message]
    assert rule(catalog.plans(), catalog.targets(), catalog.indicators()) == []


def test_indicator_declaration_rule():
    broken = catalog.Indicator(**{**catalog.indicators()["counselor_coverage"].__dict__, "rollup": "mean"})
    assert catalog._indicator_declaration((), (), {"counselor_coverage": broken}) == [
        "indicators.toml: 指标 counselor_coverage: 未知汇总方式 mean"]


def test_header_must_be_complete():
    assert catalog.header_problems(None, "x.toml") == [
        "x.toml: 缺少 [plan] 表头 (辖区代码、规划代码、名称、印发日期、规划期、原文文件)"]
    header = {"jurisdiction_adcode": "640000", "key": "k", "name_zh": "n", "short_zh": "s", "short_en": "s",
              "issued": "2024-01-01", "period_start": "2024", "period_end": 2025, "colour": "red"}
    assert catalog.header_problems(header, "x.toml") == [
        "x.toml [plan]: 缺少字段 seed_file", "x.toml [plan]: 未知字段 colour",
        "x.toml [plan]: 字段 period_start 的值 '2024' 类型不对"]


def test_an_unreadable_plan_file_is_refused_naming_the_file(tmp_path):
    (tmp_path / "broken.toml").write_text('[plan]\nkey = "x"\n\n[[target]]\nid = "t1"\n', encoding="utf-8")
    (tmp_path / "not_toml.toml").write_text("[plan\n", encoding="utf-8")
    (tmp_path / "no_targets.toml").write_text("target = [1]\n", encoding="utf-8")
    with pytest.raises(catalog.CatalogError) as raised:
        catalog.read_plans((tmp_path,))
    message = str(raised.value)
    assert "broken.toml [plan]: 缺少字段 jurisdiction_adcode" in message
    assert "broken.toml 第 1 个目标 (t1): 缺少字段 indicator" in message
    assert "not_toml.toml: 无法读取为 TOML" in message
    assert "no_targets.toml: 缺少 [plan] 表头" in message
    assert "no_targets.toml 第 1 个目标: 应为 [[target]] 表" in message


def test_applicable_target_prefers_nearest_open_deadline():
    assert catalog.applicable_target("620800", "counselor_coverage_k12", 2023).deadline == "2024"
    assert catalog.applicable_target("620800", "counselor_coverage_k12", 2025).deadline == "2024"
    assert catalog.applicable_target("620800", "screening_coverage", 2022).deadline == "every_year"
    assert catalog.applicable_target("610000", "counseling_room_coverage", 2025) is None


def test_plan_in_force_without_a_successor():
    pingliang = catalog.plan_by_key("pingliang_2023")
    # 2022 is a baseline year before the first plan; 2027 is after its end, with no successor: still in force.
    assert [catalog.plan_in_force("620800", year) for year in (2022, 2023, 2025, 2027)] == [pingliang] * 4
    assert catalog.plan_in_force("640000", 2025) is None
    assert catalog.applicable_target("620800", "counselor_coverage", 2027).id == "pl_counselor_coverage_2025"


def test_fixture_plans_stay_out_of_the_product():
    assert all(not plan.key.startswith("fixture") for plan in catalog.plans())
    assert catalog.EXTRA_PLANS_ENV not in os.environ


def test_successor_plan_governs_from_its_start_year(monkeypatch):
    enable_plans(monkeypatch, PINGLIANG_SUCCESSOR)
    old, successor = catalog.plan_by_key("pingliang_2023"), catalog.plan_by_key("fixture_pingliang_2026")
    assert catalog.plans_of("620800") == (old, successor)
    assert catalog.plan_in_force("620800", 2025) == old and catalog.plan_in_force("620800", 2026) == successor
    assert catalog.plan_in_force("620800", 2031) == successor  # after its end, until a next plan
    assert catalog.PLANS["620800"] == successor and catalog.plan_for(("620802", "620800", "620000")) == successor
    assert catalog.plan_for(("620802", "620800", "620000"), 2024) == old
    assert catalog.applicable_target("620800", "counselor_coverage", 2025).id == "pl_counselor_coverage_2025"
    assert catalog.applicable_target("620800", "counselor_coverage", 2026).id == "fixture_pl26_counselor_coverage_2027"
    # The successor has no K-12 staffing target: from 2026 that indicator is not judged in Pingliang.
    assert catalog.applicable_target("620800", "counselor_coverage_k12", 2026) is None
    assert catalog.catalog_problems() == []
    assert {ind.id for ind in catalog.indicators_for("620800", 2026)} == {"counselor_coverage",
                                                                          "counseling_room_coverage"}


def test_evaluation_judges_each_year_against_the_plan_then_in_force(warehouse, monkeypatch):
    enable_plans(monkeypatch, PINGLIANG_SUCCESSOR)
    frame = evaluate(warehouse, "620800", "county", [2025, 2026], indicator_ids=["counselor_coverage"])
    by_year = frame.set_index("year")
    assert by_year.loc[2025, "target_id"] == "pl_counselor_coverage_2025" and by_year.loc[2025, "threshold"] == 95
    assert by_year.loc[2026, "target_id"] == "fixture_pl26_counselor_coverage_2027"
    assert by_year.loc[2026, "threshold"] == 100 and by_year.loc[2026, "plan"] == "fixture_pingliang_2026"


def test_third_jurisdiction_is_a_new_scope_by_its_file(warehouse, monkeypatch):
    enable_plans(monkeypatch, THIRD_JURISDICTION)
    populate_ningxia(warehouse)
    assert catalog.jurisdictions() == {"610000": "陕西省", "640000": "宁夏", "620800": "平凉市"}
    assert catalog.catalog_problems() == []
    frame = evaluate(warehouse, "640000", "city", [2025])
    # 兴庆一小 has a part-time teacher, 兴庆二中 none: 1 of 2 schools = 50%, against the fixture's >= 90%.
    assert frame[["unit_id", "indicator", "value", "target_id"]].values.tolist() == [
        ["640100", "counselor_coverage", 50.0, "fixture_nx_counselor_coverage_2025"]]


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine
