"""Plausibility checks (data_access/plausibility.toml): each rule with its own fixture and a near miss at its
boundary, the warnings in the preview, stored with the batch, superseded, reopened by undo, and explained when
the county submits — on both engines. The fixture warehouse's 2025 rows are the previous year of 2026 files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access import review
from data_access.access import Principal
from data_access.importing import check_file, import_file, undo_import
from data_access.importing.plausibility import PlausibilityError, load_rules, rules
from data_access.schema import import_warnings, review_events
from tests.data_access.fixture_warehouse import populate

REPORTER = Principal("rep_xc", "新城区填报员", "reporter", "610102")
CITY = Principal("rev_xa", "西安市审核员", "reviewer", "610100")


@pytest.fixture
def warehouse(engine: sa.Engine) -> sa.Engine:
    populate(engine)
    return engine


def warned(engine: sa.Engine, text: str) -> list[tuple]:
    outcome = check_file(engine, "上报.csv", text.encode())
    assert outcome.status == "preview", outcome.summary_lines()
    return [(w.rule_id, w.row, w.column, w.unit_id, w.previous_year, w.old, w.new) for w in outcome.plan.warnings]


def test_the_rule_file_declares_the_five_rules_of_the_issue():
    assert {rule.id: rule.report_type for rule in rules()} == {
        "enrollment_change_30pct": "school", "fulltime_teachers_to_zero": "school",
        "awareness_rate_20_points": "survey", "screening_without_students": "school",
        "population_change_10pct": "region"}


def test_enrollment_change_over_30_percent(warehouse):
    # S1 reported 1200 in 2025: 1561 is 30.08% more, 1560 exactly 30% (S2: 300 -> 210, exactly -30%)
    assert warned(warehouse, "学校代码,年度,在校生数\nS1,2026,1561\nS2,2026,210\n") == [
        ("enrollment_change_30pct", 2, "在校生数", "S1", 2025, "1200", "1561")]
    assert warned(warehouse, "学校代码,年度,在校生数\nS1,2026,1560\nS2,2026,209\n") == [
        ("enrollment_change_30pct", 3, "在校生数", "S2", 2025, "300", "209")]
    # S4 last reported in 2024 (1100): its previous reported year, not the year before
    assert warned(warehouse, "学校代码,年度,在校生数\nS4,2026,500\n") == [
        ("enrollment_change_30pct", 2, "在校生数", "S4", 2024, "1100", "500")]


def test_fulltime_teachers_drop_to_zero(warehouse):
    # S1 had 1 full-time teacher in 2025; S3 had 0 already; S5 had 1 and keeps 1
    assert warned(warehouse, "学校代码,年度,专职心理教师数\nS1,2026,0\nS3,2026,0\nS5,2026,1\n") == [
        ("fulltime_teachers_to_zero", 2, "专职心理教师数", "S1", 2025, "1", "0")]


def test_awareness_rate_moves_more_than_20_points(warehouse):
    # 2025: S1 90/100 = 90%, S2 25/50 = 50%, S3 10/10 = 100%
    text = "学校代码,年度,调查人数,知晓人数\nS1,2026,100,69\nS2,2026,100,70\nS3,2026,20,20\n"
    assert warned(warehouse, text) == [("awareness_rate_20_points", 2, "知晓人数", "S1", 2025, "90.0%", "69.0%")]


def test_screening_done_with_no_student_screened(warehouse):
    text = ("学校代码,年度,本年度是否开展心理测评,参加测评学生数\n"
            "S1,2026,是,0\nS2,2026,是,5\nS3,2026,否,0\nS5,2026,是,\n")
    assert warned(warehouse, text) == [("screening_without_students", 2, "参加测评学生数", "S1", 2025, "1100", "0")]
    # a school with no earlier report is checked too: this rule does not compare years
    assert warned(warehouse, "学校代码,年度,是否开展心理测评,测评人数\nS4,2025,是,0\n") == [
        ("screening_without_students", 2, "测评人数", "S4", 2024, "1000", "0")]


def test_county_population_changes_more_than_10_percent(warehouse):
    # 2025: 新城区 500,000 (+50,001 is over 10%), 碑林区 600,000 (+60,000 is exactly 10%)
    text = "行政区划代码,年度,常住人口\n610102,2026,550001\n610103,2026,660000\n"
    assert warned(warehouse, text) == [("population_change_10pct", 2, "常住人口", "610102", 2025, "500000",
                                        "550001")]


def open_warnings(engine: sa.Engine, county: str = "610102", report_type: str = "school") -> int:
    table = review.review_table(engine, 2026, county).set_index(["county_adcode", "report_type"])
    return int(table.loc[(county, report_type), "open_warnings"])


def test_warnings_are_stored_superseded_reopened_and_explained_on_submit(warehouse):
    text = "学校代码,年度,在校生数,专职心理健康教师数\nS1,2026,2000,0\nS2,2026,300,1\n"
    first = import_file(warehouse, "一.csv", text.encode(), principal=REPORTER)
    assert first.status == "applied" and len(first.plan.warnings) == 2
    assert "2 条经验校验提示 (已随本批次保存" in "\n".join(first.summary_lines())
    assert open_warnings(warehouse) == 2
    stored = review.county_warnings(warehouse, "610102", 2026, "school")
    assert list(stored["rule_id"]) == ["enrollment_change_30pct", "fulltime_teachers_to_zero"]
    assert list(stored[["excel_row", "column_header", "old_value", "new_value"]].itertuples(index=False, name=None)) \
        == [(2, "在校生数", "1200", "2000"), (2, "专职心理健康教师数", "1", "0")]

    # a correction of the enrollment re-checks that rule only: its warning goes, the teachers' one stays
    fixed = import_file(warehouse, "二.csv", "学校代码,年度,在校生数\nS1,2026,1250\n".encode(), principal=REPORTER)
    assert fixed.status == "applied" and fixed.plan.warnings == []
    assert list(review.county_warnings(warehouse, "610102", 2026, "school")["rule_id"]) == [
        "fulltime_teachers_to_zero"]
    undo_import(warehouse, fixed.batch_id, principal=REPORTER)  # back to 2000: its warning is open again
    assert open_warnings(warehouse) == 2

    with pytest.raises(review.ReviewRefused, match="有 2 条经验校验提示尚未说明"):
        review.submit(warehouse, REPORTER, "610102", 2026, "school")
    ids = list(review.county_warnings(warehouse, "610102", 2026, "school")["warning_id"])
    with pytest.raises(review.ReviewRefused, match="有 1 条经验校验提示尚未说明"):
        review.submit(warehouse, REPORTER, "610102", 2026, "school", explanations={ids[0]: "新校区并入"})
    review.explain_warning(warehouse, REPORTER, ids[1], "专职教师调离, 已在招聘")
    assert open_warnings(warehouse) == 1
    review.submit(warehouse, REPORTER, "610102", 2026, "school", explanations={ids[0]: "新校区并入"})
    assert open_warnings(warehouse) == 0
    explained = review.county_warnings(warehouse, "610102", 2026, "school")
    assert list(explained["explanation"]) == ["新校区并入", "专职教师调离, 已在招聘"]
    assert set(explained["explained_by"]) == {"rep_xc"}
    with warehouse.connect() as conn:
        event = conn.execute(sa.select(review_events)).mappings().one()
    assert (event["open_warnings"], event["explanation"]) == (1, "S1 在校生数: 新校区并入")
    with pytest.raises(review.ReviewLocked):
        review.explain_warning(warehouse, REPORTER, ids[0], "改写")  # submitted: locked like the figures


def test_one_explanation_for_all_is_kept_with_every_warning_and_in_the_history(warehouse):
    imported = import_file(warehouse, "一.csv", "学校代码,年度,在校生数\nS1,2026,2000\nS2,2026,100\n".encode(),
                           principal=REPORTER)
    assert len(imported.plan.warnings) == 2
    review.submit(warehouse, REPORTER, "610102", 2026, "school", explanation="两校合并, 学生分流")
    with warehouse.connect() as conn:
        texts = conn.execute(sa.select(import_warnings.c.explanation)).scalars().all()
        event = conn.execute(sa.select(review_events)).mappings().one()
    assert texts == ["两校合并, 学生分流"] * 2
    assert (event["open_warnings"], event["explanation"]) == (2, "两校合并, 学生分流")
    review.return_(warehouse, CITY, "610102", 2026, "school", reason="请核对")
    assert open_warnings(warehouse) == 0  # explained warnings stay explained after a return


@pytest.mark.parametrize(("rule", "problem"), [
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\ncondition = "__import__(\'os\').system(\'true\')"\n'
     'message = "m"', "只能调用 abs(x)"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\ncondition = "new.enrolment > 1"\nmessage = "m"',
     "未知的列 enrolment"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["students"]\ncondition = "new.value > 1"\nmessage = "m"',
     "columns 须为学校年报的列"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\ncondition = "new.value.real > 1"\nmessage = "m"',
     "只能写 old.列名 或 new.列名"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\ncondition = "new.value > \'1\'"\nmessage = "m"',
     "只能写数字、True 或 False"),
    ('id = "x"\nreport_type = "schools"\ncolumns = ["enrollment"]\ncondition = "new.value > 1"\nmessage = "m"',
     "未知的上报类型 schools"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\ncondition = "new.value > 1"\nmessage = "{year}"',
     "message 中只能用 {previous_year}"),
    ('id = "x"\nreport_type = "school"\ncolumns = ["enrollment"]\nmessage = "m"', "缺少 condition"),
])
def test_a_wrong_rule_is_refused_with_the_file_rule_and_field(tmp_path: Path, rule: str, problem: str):
    path = tmp_path / "plausibility.toml"
    path.write_text(f"[[rule]]\n{rule}\n", encoding="utf-8")
    with pytest.raises(PlausibilityError, match="plausibility.toml: 规则 ") as raised:
        load_rules(path)
    assert problem in str(raised.value)
