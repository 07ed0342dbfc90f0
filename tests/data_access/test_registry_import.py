"""Unit registries (学校名录, 医疗机构名录, 社区(村)名录) through the import pipeline, on DuckDB and PostgreSQL.

Every validation rule is shown on a file with one bad row: the issue names the Excel row (header = row 1) and
the column as written in the file, and nothing is written. Then the changes a registry makes (rename, move to
another county) are previewed old -> new, recorded and undone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.importing import batch_changes, check_file, import_file, undo_import
from data_access.importing.history import UndoRefused
from data_access.schema import communities, hospitals, school_year, schools, value_changes
from tests.data_access import fixture_warehouse

SCHOOL_HEADER = "学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡,经度,纬度,开办年份,停办年份\n"
# Row 2 of every school file: a correct new primary school in 新城区 (610102, Shaanxi: province digits 61).
GOOD_SCHOOL = "2161000001,新城新一小,610102,小学,否,城镇,108.96,34.27,2020,\n"
HOSPITAL_HEADER = "机构代码,机构名称,县区代码,机构类型,开业年份,停业年份\n"
# 91350100M000100Y43: the worked example of GB 32100-2015 (check character 3).
GOOD_HOSPITAL = "91350100M000100Y43,新城区第三人民医院,610102,综合医院,,\n"
COMMUNITY_HEADER = "统计用区划代码,名称,城乡分类代码,开始年份,撤销年份\n"
GOOD_COMMUNITY = "610102001001,西一路社区,111,,\n"


@pytest.fixture
def warehouse(engine) -> sa.Engine:
    fixture_warehouse.populate(engine)
    return engine


def rows_of(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()


def rejected(engine: sa.Engine, text: str, type_key: str) -> list[tuple]:
    """(row, column, value, message) of every issue of a file that must be refused, checking nothing was written."""
    before = {t.name: rows_of(engine, t) for t in (schools, hospitals, communities)}
    outcome = import_file(engine, "名录.csv", text.encode(), imported_by="test", type_key=type_key)
    assert outcome.status == "rejected", outcome.summary_lines()
    assert {t.name: rows_of(engine, t) for t in (schools, hospitals, communities)} == before
    return [(i.row, i.column, i.value, i.message) for i in outcome.issues]


def only_issue(engine: sa.Engine, text: str, type_key: str = "school_registry") -> tuple:
    found = rejected(engine, text, type_key)
    assert len(found) == 1, found
    return found[0]


def test_good_rows_import(warehouse):
    for type_key, text in (("school_registry", SCHOOL_HEADER + GOOD_SCHOOL),
                           ("hospital_registry", HOSPITAL_HEADER + GOOD_HOSPITAL),
                           ("community_registry", COMMUNITY_HEADER + GOOD_COMMUNITY)):
        outcome = import_file(warehouse, "名录.csv", text.encode(), imported_by="test", type_key=type_key)
        assert outcome.status == "applied", outcome.summary_lines()
    with warehouse.connect() as conn:
        school = conn.execute(sa.select(schools).where(schools.c.school_id == "2161000001")).mappings().one()
        community = conn.execute(sa.select(communities).where(communities.c.community_id == "610102001001")) \
            .mappings().one()
    assert (school["stage"], school["urban_rural"], school["opened_year"], school["closed_year"]) == \
        ("primary", "urban", 2020, None)
    # County from the code's first 6 digits; 111 (主城区) is 城镇, so the community counts as urban.
    assert (community["county_adcode"], community["urban_rural"], community["urban_rural_code"]) == \
        ("610102", "urban", "111")


def test_the_type_is_recognised_from_the_headers(warehouse):
    outcome = check_file(warehouse, "名录.csv", (SCHOOL_HEADER + GOOD_SCHOOL).encode())
    assert outcome.spec.key == "school_registry" and outcome.status == "preview"


def test_bad_school_code_format(warehouse):
    row, column, value, message = only_issue(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                                             + "216100002,新城新二小,610102,小学,否,城镇,,,,\n")
    assert (row, column, value) == (3, "学校标识码", "216100002") and "10 位数字" in message


def test_school_category_must_fit_the_stage(warehouse):
    # 31 is 普通初中: a 小学 must start with 21.
    row, column, value, message = only_issue(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                                             + "3161000002,新城新二小,610102,小学,否,城镇,,,,\n")
    assert (row, column, value) == (3, "学校标识码", "3161000002") and "21 (普通小学)" in message


def test_nine_year_and_twelve_year_schools_are_coded_31_and_34(warehouse):
    text = (SCHOOL_HEADER + "3161000003,新城九年制学校,610102,九年一贯制学校,否,城镇,,,,\n"
            "3461000004,新城十二年制学校,610102,十二年一贯制学校,是,城镇,,,,\n"
            "3461000005,新城完全中学,610102,完全中学,是,城镇,,,,\n")
    assert check_file(warehouse, "名录.csv", text.encode(), type_key="school_registry").status == "preview"
    row, column, _, message = only_issue(warehouse, SCHOOL_HEADER
                                         + "3161000006,新城十二年制二校,610102,十二年一贯制学校,是,城镇,,,,\n")
    assert (row, column) == (2, "学校标识码") and "34 (普通高中)" in message


def test_school_province_digits_must_match_the_county(warehouse):
    # 62 is Gansu; 610102 lies in Shaanxi (61).
    row, column, value, message = only_issue(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                                             + "2162000002,新城新二小,610102,小学,否,城镇,,,,\n")
    assert (row, column, value) == (3, "学校标识码", "2162000002") and "61" in message and "62" in message


def test_unknown_county_and_a_city_instead_of_a_county(warehouse):
    found = rejected(warehouse, SCHOOL_HEADER + GOOD_SCHOOL + "2161000002,新城新二小,619999,小学,否,城镇,,,,\n"
                     + "2161000003,新城新三小,610100,小学,否,城镇,,,,\n", "school_registry")
    assert [(r, c, v) for r, c, v, _ in found] == [(3, "县区代码", "619999"), (4, "县区代码", "610100")]
    assert "不在数据仓库" in found[0][3] and "不是县(区)级" in found[1][3]


def test_community_county_comes_from_the_code(warehouse):
    row, column, value, message = only_issue(warehouse, COMMUNITY_HEADER + GOOD_COMMUNITY
                                             + "619999001001,无名社区,111,,\n", "community_registry")
    assert (row, column, value) == (3, "统计用区划代码", "619999001001") and "前 6 位 619999" in message


def test_duplicate_code_in_one_file(warehouse):
    row, column, value, message = only_issue(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                                             + GOOD_SCHOOL.replace("新城新一小", "另一所"))
    assert (row, column, value) == (3, "学校标识码", "2161000001") and "与第 2 行重复" in message


def test_coordinates_outside_the_county(warehouse):
    # (106.67, 35.54) lies in 崆峒区, Gansu: about 290 km from 新城区; (108.99, 34.27) is just inside 新城区.
    found = rejected(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                     + "2161000002,新城新二小,610102,小学,否,城镇,106.67,35.54,,\n"
                     + "2161000003,新城新三小,610102,小学,否,城镇,108.99,34.27,,\n", "school_registry")
    assert [(r, c, v) for r, c, v, _ in found] == [(3, "经度", "106.67")]
    assert "边界外" in found[0][3] and "公里" in found[0][3]


def test_coordinates_in_pairs_and_blank_allowed(warehouse):
    row, column, _, message = only_issue(warehouse, SCHOOL_HEADER + GOOD_SCHOOL
                                         + "2161000002,新城新二小,610102,小学,否,城镇,108.96,,,\n")
    assert (row, column) == (3, "纬度") and "都填" in message  # the blank one is where to look
    blank = SCHOOL_HEADER + "2161000002,新城新二小,610102,小学,否,城镇,,,,\n"
    assert check_file(warehouse, "名录.csv", blank.encode(), type_key="school_registry").status == "preview"


def test_bad_check_character(warehouse):
    # The standard's example with its check character changed from 3 to 4.
    row, column, value, message = only_issue(warehouse, HOSPITAL_HEADER + GOOD_HOSPITAL
                                             + "91350100M000100Y44,新城区妇幼保健院,610102,妇幼保健院,,\n",
                                             "hospital_registry")
    assert (row, column, value) == (3, "机构代码", "91350100M000100Y44") and "应为 3" in message


def test_bad_urban_rural_code(warehouse):
    row, column, value, message = only_issue(warehouse, COMMUNITY_HEADER + GOOD_COMMUNITY
                                             + "610102001002,西二路社区,130,,\n", "community_registry")
    assert (row, column, value) == (3, "城乡分类代码", "130") and "111" in message


def test_closing_before_opening_and_years_out_of_range(warehouse):
    found = rejected(warehouse, SCHOOL_HEADER + GOOD_SCHOOL + "2161000002,新城新二小,610102,小学,否,城镇,,,2024,2020\n"
                     + "2161000003,新城新三小,610102,小学,否,城镇,,,1850,\n", "school_registry")
    assert [(r, c, v) for r, c, v, _ in found] == [(3, "停办年份", "2020"), (4, "开办年份", "1850")]
    assert "早于" in found[0][3] and "合理范围" in found[1][3]


def test_county_outside_the_importers_region(warehouse):
    # An importer for 平凉市 (620800) cannot register a school in 新城区, Shaanxi.
    outcome = check_file(warehouse, "名录.csv", (SCHOOL_HEADER + GOOD_SCHOOL).encode(), type_key="school_registry",
                         allowed_region="620800")
    assert outcome.status == "rejected" and len(outcome.issues) == 1, outcome.summary_lines()
    issue = outcome.issues[0]
    assert (issue.row, issue.column, issue.value) == (2, "县区代码", "610102") and "权限范围" in issue.message


def test_rename_and_move_preview_old_new_and_undo(warehouse):
    first = import_file(warehouse, "名录.csv", (SCHOOL_HEADER + GOOD_SCHOOL).encode(), imported_by="test")
    assert first.status == "applied"
    before = rows_of(warehouse, schools)
    # Renamed, and moved to 碑林区 (610103) with coordinates inside it.
    moved = SCHOOL_HEADER + "2161000001,碑林新一小,610103,小学,否,城镇,108.94,34.25,2020,\n"
    preview = check_file(warehouse, "名录.csv", moved.encode())
    changes = preview.plan.changes_frame()
    assert {(r["项目"], r["原值"], r["新值"]) for r in changes.to_dict("records")} == {
        ("学校名称", "新城新一小", "碑林新一小"), ("县区代码", "610102", "610103"), ("经度", "108.96", "108.94"),
        ("纬度", "34.27", "34.25")}
    second = import_file(warehouse, "名录.csv", moved.encode(), imported_by="test")
    assert second.status == "applied" and len(second.plan.changed) == 1
    history = batch_changes(warehouse, second.batch_id)
    assert history["年度"].isna().all() and ("县区代码", "610102", "610103") in set(
        zip(history["项目"], history["原值"], history["新值"], strict=True))
    with warehouse.connect() as conn:
        years = conn.execute(sa.select(value_changes.c.year).where(value_changes.c.batch_id == second.batch_id)) \
            .scalars().all()
    assert years and all(year is None for year in years)  # unit changes carry no year
    undo_import(warehouse, second.batch_id, imported_by="test")
    assert rows_of(warehouse, schools) == before


def test_undoing_an_added_unit_is_refused_once_it_has_reports(warehouse):
    added = import_file(warehouse, "名录.csv", (SCHOOL_HEADER + GOOD_SCHOOL).encode(), imported_by="test")
    report = "学校代码,年度,在校生数\n2161000001,2025,300\n"
    assert import_file(warehouse, "年报.csv", report.encode(), imported_by="test").status == "applied"
    with pytest.raises(UndoRefused, match="已有年度上报数据"):
        undo_import(warehouse, added.batch_id, imported_by="test")
    assert ("2161000001", 2025) in {(r.school_id, r.year) for r in rows_of(warehouse, school_year)}


def test_closing_keeps_the_history_and_refuses_later_reports(warehouse):
    # S1 reported for 2025 (fixture). Closing it after 2024 keeps that row and says so.
    closing = SCHOOL_HEADER + "S1,一小,610102,小学,否,城镇,,,,2024\n"
    outcome = check_file(warehouse, "名录.csv", closing.encode(), type_key="school_registry")
    assert outcome.status == "rejected"  # S1 is not a 10-digit code: the fixture predates the code rules
    code = SCHOOL_HEADER + GOOD_SCHOOL.replace(",2020,", ",2020,2024")
    assert import_file(warehouse, "名录.csv", code.encode(), imported_by="test").status == "applied"
    late = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\n2161000001,2025,300\n".encode(),
                       imported_by="test")
    assert late.status == "rejected"
    assert (late.issues[0].row, late.issues[0].column) == (2, "学校代码") and "停办" in late.issues[0].message
    early = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\n2161000001,2019,300\n".encode(),
                        imported_by="test")
    assert early.status == "rejected"  # 2019 is before the earliest baseline year as well
    ok = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\n2161000001,2024,300\n".encode(),
                     imported_by="test")
    assert ok.status == "applied"
    reopened = check_file(warehouse, "名录.csv", code.replace(",2020,2024", ",2020,2023").encode())
    assert any("不再计入" in notice for notice in reopened.notices)


def test_undo_removes_added_units_and_undoing_the_undo_restores_them(warehouse):
    before = rows_of(warehouse, schools)
    added = import_file(warehouse, "名录.csv", (SCHOOL_HEADER + GOOD_SCHOOL).encode(), imported_by="test")
    after = rows_of(warehouse, schools)
    undo = undo_import(warehouse, added.batch_id, imported_by="test")
    assert rows_of(warehouse, schools) == before
    undo_import(warehouse, undo, imported_by="test")
    assert rows_of(warehouse, schools) == after
