"""Schools report for themselves (issue 19): the school role in the access rule, the entry form's save through
the importer, report states, drafts left out of analytics, the county returning a submission, and the form
and a one-row import finding the same problems. Both engines."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from data_access import school_reports
from data_access.access import ACTIONS, AccessDenied, Principal, can, school_row
from data_access.completeness import unit_reports
from data_access.evaluation import evaluate
from data_access.importing import UndoRefused, check_file, import_file, import_history, template_xlsx, undo_import
from data_access.importing.spec import REPORT_TYPES
from data_access.schema import school_year
from data_access.school_review import (
    EntryLocked,
    entry_columns,
    one_row_file,
    return_submission,
    save_entry,
    state_of,
    stored_texts,
)
from tests.data_access import fixture_warehouse

YEAR = 2026  # no fixture facts: the school's save adds the row
SCHOOL = Principal("P1", "崆峒一小", "school", "P1")  # 崆峒区 (620802)
OTHER_SCHOOL = Principal("P2", "崆峒二中", "school", "P2")
COUNTY = Principal("ktq", "崆峒区填报员", "reporter", "620802")
XIAN = Principal("xa", "西安新城区填报员", "reporter", "610102")
REGIONS = {row[0]: dict(zip(("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"), row,
                            strict=True)) for row in fixture_warehouse.REGIONS}
GOOD = {"enrollment": "480", "boarding_students": "", "fulltime_teachers": "1", "parttime_teachers": "2",
        "counseling_room": "是", "mh_in_school_plan": "是", "mh_course": "", "screening_done": "是",
        "students_screened": "470", "fulltime_training_hours": "24.5", "parttime_training_hours": ""}


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def stored(engine, school_id, year):
    with engine.connect() as conn:
        row = conn.execute(sa.select(school_year).where(school_year.c.school_id == school_id,
                                                        school_year.c.year == year)).mappings().first()
    return dict(row) if row else None


def test_access_matrix_school_role_reaches_only_its_school(warehouse):
    with warehouse.connect() as conn:
        own, sibling, xian = school_row(conn, "P1"), school_row(conn, "P2"), school_row(conn, "S1")
    for action in ACTIONS:
        expected = action in ("enter", "undo_own")
        assert can(SCHOOL, action, own) is expected, action
        assert can(SCHOOL, action, "P1") is expected, action
        # No other school, no county, city or province total, no national scope.
        assert not can(SCHOOL, action, sibling) and not can(SCHOOL, action, xian), action
        assert not any(can(SCHOOL, action, row) for row in REGIONS.values()), action
        assert not can(SCHOOL, action, "000000") and not can(SCHOOL, action, "620802"), action
    # The county's reporter reviews its own schools, not another county's; a viewer reviews none.
    assert can(COUNTY, "review_schools", own) and not can(COUNTY, "review_schools", xian)
    assert not can(Principal("v", "查看", "viewer", "620802"), "review_schools", own)
    assert not can(COUNTY, "enter", own)  # the county imports; the form is the school's


def test_school_cannot_import_files_or_read_the_county(warehouse):
    csv = "学校代码,年度,在校生数\nP1,2026,480\n".encode()
    with pytest.raises(AccessDenied, match="无权导入"):
        import_file(warehouse, "p1.csv", csv, principal=SCHOOL)
    with pytest.raises(AccessDenied):
        save_entry(warehouse, SCHOOL, "P2", YEAR, "school", GOOD, submit=False)
    with pytest.raises(AccessDenied):
        state_of(warehouse, SCHOOL, "P2", YEAR, "school")


def test_draft_submit_return_and_resubmit(warehouse):
    result = save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=False)
    assert result.status == "saved", result
    row = stored(warehouse, "P1", YEAR)
    assert row["enrollment"] == 480 and row["boarding_students"] is None and row["fulltime_training_hours"] == 24.5
    assert row["mh_course"] is None  # blank stays "not reported", never 0 or 否
    assert state_of(warehouse, SCHOOL, "P1", YEAR, "school").state == "draft"
    history = import_history(warehouse, "620802")
    assert history.iloc[0][["imported_by", "allowed_region", "status", "rows_added"]].tolist() == \
        ["P1", "P1", "applied", 1]
    # The school sees only its own batches; the county sees the school's too.
    assert set(import_history(warehouse, "P1")["allowed_region"]) == {"P1"}
    assert stored_texts(warehouse, "P1", YEAR, "school")["fulltime_training_hours"] == "24.5"

    assert save_entry(warehouse, SCHOOL, "P1", YEAR, "school", {**GOOD, "enrollment": "481"},
                      submit=True).status == "submitted"
    assert stored(warehouse, "P1", YEAR)["enrollment"] == 481
    with pytest.raises(EntryLocked, match="已提交"):
        save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=False)
    with pytest.raises(ValueError, match="退回原因"):
        return_submission(warehouse, COUNTY, "P1", YEAR, "school", "  ")
    with pytest.raises(AccessDenied):
        return_submission(warehouse, XIAN, "P1", YEAR, "school", "请核对")
    return_submission(warehouse, COUNTY, "P1", YEAR, "school", "在校生数与学籍系统不符, 请核对")
    state = state_of(warehouse, SCHOOL, "P1", YEAR, "school")
    assert (state.state, state.reason) == ("returned", "在校生数与学籍系统不符, 请核对")
    assert save_entry(warehouse, SCHOOL, "P1", YEAR, "school", {**GOOD, "enrollment": "479"},
                      submit=True).status == "submitted"
    assert state_of(warehouse, SCHOOL, "P1", YEAR, "school").reason is None
    with pytest.raises(EntryLocked, match="只能退回已提交"):
        return_submission(warehouse, COUNTY, "P2", YEAR, "school", "没有提交")


def test_drafts_do_not_count_until_submitted_unless_the_setting_says_so(warehouse):
    save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=False)

    def reported():
        frame = unit_reports(warehouse, "620802", YEAR, "school")
        return dict(zip(frame["unit_id"], frame["reported"], strict=True))["P1"]

    def counted():
        frame = evaluate(warehouse, "620802", "school", [YEAR], indicator_ids=["counseling_room_coverage"])
        return frame.set_index("unit_id").loc["P1", "status"]

    assert not reported() and counted() == "no_data"
    school_reports.set_drafts_count(warehouse, True)
    assert reported() and counted() == "met"
    school_reports.set_drafts_count(warehouse, False)
    save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=True)
    assert reported() and counted() == "met"


def test_the_school_undoes_its_own_save_not_anothers(warehouse):
    first = save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=False)
    with pytest.raises(UndoRefused, match="超出您的权限范围"):
        undo_import(warehouse, first.batch_id, principal=OTHER_SCHOOL)
    undo_import(warehouse, first.batch_id, principal=SCHOOL)
    assert stored(warehouse, "P1", YEAR) is None


def test_county_import_names_the_schools_whose_submission_it_overwrites(warehouse):
    save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=True)
    data = "学校代码,年度,在校生数\nP1,2026,500\nP2,2026,300\n".encode()
    preview = check_file(warehouse, "县.csv", data, allowed_region="620802")
    assert any("将覆盖学校自己已提交的数据: 崆峒一小(P1) 2026" in notice for notice in preview.notices), preview.notices
    applied = import_file(warehouse, "县.csv", data, principal=COUNTY)
    assert applied.status == "applied"
    assert "崆峒一小(P1) 2026" in import_history(warehouse, "620802").iloc[0]["message"]


# Bad values typed into the form, each a rule of the importer (cell kinds, part-of-whole, teacher cap, required).
BAD_VALUES = [
    ("school", {"enrollment": "-3"}),
    ("school", {"enrollment": "12人"}),
    ("school", {"enrollment": "1.5"}),
    ("school", {"counseling_room": "也许"}),
    ("school", {"enrollment": "500", "boarding_students": "600"}),
    ("school", {"enrollment": "100", "students_screened": "120", "fulltime_teachers": "9"}),
    ("school", {"fulltime_training_hours": "-1", "parttime_teachers": "二"}),
    ("school", {"enrollment": "#VALUE!"}),
    ("survey", {"surveyed": "40", "passed": "41"}),
    ("survey", {"surveyed": "", "passed": "3"}),
    ("school", {}),  # nothing filled: not a report
]


def _template_import_problems(engine, type_key: str, texts: dict[str, str]) -> set[tuple[str, str]]:
    """The problems of the county's way: the real template for 崆峒区, P1's row filled, checked by the importer."""
    spec = REPORT_TYPES[type_key]
    workbook = load_workbook(io.BytesIO(template_xlsx(spec, units=[("P1", "崆峒一小")], year=YEAR)))
    sheet = workbook["填报"]
    headers = [cell.value for cell in sheet[1]]
    for field_name, text in texts.items():
        sheet.cell(row=2, column=headers.index(spec.column(field_name).header) + 1, value=text or None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = check_file(engine, "学校年报.xlsx", buffer.getvalue(), type_key=type_key, allowed_region="620802")
    return {(issue.column or "", issue.message) for issue in outcome.issues}


@pytest.mark.parametrize(("type_key", "texts"), BAD_VALUES)
def test_form_and_one_row_import_find_the_same_problems(warehouse, type_key, texts):
    result = save_entry(warehouse, SCHOOL, "P1", YEAR, type_key, texts, submit=False)
    assert result.status == "rejected"
    headers = {column.field: column.header for column in entry_columns(type_key)}
    from_form = {(headers[name], message) for name, messages in result.field_issues.items() for message in messages}
    from_form |= {("", message) for message in result.general_issues}
    from_import = _template_import_problems(warehouse, type_key, texts)
    assert from_form == from_import and from_form
    assert all(message for _, message in from_form)
    assert stored(warehouse, "P1", YEAR) is None  # nothing written, no batch recorded
    assert import_history(warehouse).empty


def test_one_row_file_keeps_blank_blank():
    data = one_row_file("school", "P1", "崆峒一小", 2026, {"enrollment": "480"}).decode()
    header, row = data.splitlines()
    assert header.startswith("学校代码,学校名称,年度,在校生数") and row.startswith("P1,崆峒一小,2026,480,,")


def test_county_submit_needs_every_school_with_an_account_or_a_reason_then_locks_the_form(warehouse):
    from data_access import review
    from data_access.accounts import add_user
    from data_access.schema import review_events

    add_user(warehouse, "P1", role="school", region="P1", password="Kongtong-2026!")
    save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=False)
    with pytest.raises(review.ReviewRefused, match="还有 1 所学校未提交自己的填报 \\(崆峒一小\\)"):
        review.submit(warehouse, COUNTY, "620802", YEAR, "school")
    # P2 has no account of its own (the county imports for it): it is not waited for.
    review.submit(warehouse, COUNTY, "620802", YEAR, "school", schools_reason="崆峒一小停电, 县里代为核实")
    with warehouse.connect() as conn:
        kept = conn.execute(sa.select(review_events.c.explanation).where(review_events.c.action == "submit")).scalar()
    assert "1 所学校未提交填报即上报, 原因: 崆峒一小停电, 县里代为核实" in kept
    with pytest.raises(EntryLocked, match="已上报"):
        save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=True)
    # A submitted school is not waited for; the survey has no waiting school after P1 submits it.
    review.return_(warehouse, Principal("pl", "平凉市管理员", "admin", "620800"), "620802", YEAR, "school",
                   reason="请补齐学校填报")
    assert save_entry(warehouse, SCHOOL, "P1", YEAR, "school", GOOD, submit=True).ok
    review.submit(warehouse, COUNTY, "620802", YEAR, "school")


def test_a_plausibility_warning_needs_an_explanation_before_submitting(warehouse):
    from data_access.schema import import_warnings

    # P1 reported 500 students in 2024 (fixture): 900 in 2026 is more than 30 % more.
    jump = {**GOOD, "enrollment": "900", "students_screened": "470"}
    refused = save_entry(warehouse, SCHOOL, "P1", YEAR, "school", jump, submit=True)
    assert refused.status == "needs_explanation" and stored(warehouse, "P1", YEAR) is None
    [message] = refused.warnings["enrollment"]
    assert "在校生数较上一次上报" in message and "本次: 900" in message
    draft = save_entry(warehouse, SCHOOL, "P1", YEAR, "school", jump, submit=False)  # a draft may keep it open
    assert draft.status == "saved" and draft.warnings["enrollment"]
    assert state_of(warehouse, SCHOOL, "P1", YEAR, "school").open_warnings == 1
    # Submitting the same figures again: the draft's stored warning still needs its explanation.
    assert save_entry(warehouse, SCHOOL, "P1", YEAR, "school", jump, submit=True).status == "needs_explanation"
    done = save_entry(warehouse, SCHOOL, "P1", YEAR, "school", jump, submit=True,
                      explanation="2026 年并入邻村小学, 学生增加")
    assert done.status == "submitted"
    state = state_of(warehouse, SCHOOL, "P1", YEAR, "school")
    assert (state.open_warnings, state.explanation) == (0, "2026 年并入邻村小学, 学生增加")
    with warehouse.connect() as conn:
        explained = conn.execute(sa.select(import_warnings.c.explanation, import_warnings.c.explained_by)
                                 .where(import_warnings.c.unit_id == "P1")).all()
    assert [tuple(row) for row in explained] == [("2026 年并入邻村小学, 学生增加", "P1")]
