"""Report import against a real warehouse, on DuckDB and PostgreSQL: what ends up in the tables.

Every test starts from the hand-computable fixture warehouse (tests/data_access/fixture_warehouse.py) and
checks the fact tables, import_batches and value_changes themselves, not only the outcome object:
encodings and header variants, the XLSX template round trip, preview, re-import, a database error in the
middle of the transaction, the import lock, the stale-preview guard, history, undo and access scope.
A process killed mid-import is covered by test_import_process_killed.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from data_access import meta
from data_access.importing import (
    REPORT_TYPES,
    UndoRefused,
    batch_changes,
    check_file,
    import_file,
    import_history,
    loading,
    prefill_units,
    reported_values,
    template_xlsx,
    undo_import,
)
from data_access.importing.plan import FieldChange, RowChange
from data_access.schema import FACT_TABLES, import_batches, import_locks, schools, value_changes, warehouse_meta
from tests.data_access.fixture_warehouse import SCHOOL_YEARS, YEAR_COLUMNS, populate

SCHOOL = REPORT_TYPES["school"]
FIXTURE_SCHOOL_YEARS = {(row[0], row[1]): dict(zip(YEAR_COLUMNS, row, strict=True)) for row in SCHOOL_YEARS}


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def warehouse(engine: sa.Engine) -> sa.Engine:
    """The fixture warehouse, once per engine."""
    populate(engine)
    return engine


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every fact table, rows sorted by primary key."""
    with engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key))]
                for table in FACT_TABLES}


def school_years(engine: sa.Engine) -> dict[tuple[str, int], dict]:
    """school_year as {(school_id, year): {column: value}}."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(SCHOOL.facts)).mappings().all()
    return {(row["school_id"], row["year"]): dict(row) for row in rows}


def school_row(school_id: str, year: int, **values: object) -> dict:
    """A school_year row: the given values, every other figure NULL (not reported)."""
    return {**dict.fromkeys(YEAR_COLUMNS), "school_id": school_id, "year": year, **values}


def fixture_row(school_id: str, year: int, **changed: object) -> dict:
    """The fixture's school_year row with some values changed."""
    return {**FIXTURE_SCHOOL_YEARS[(school_id, year)], **changed}


def batches(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(sa.select(import_batches).order_by(import_batches.c.imported_at))
                .mappings()]


def changes(engine: sa.Engine, batch_id: str | None = None) -> list[dict]:
    query = sa.select(value_changes).order_by(value_changes.c.batch_id, value_changes.c.change_no)
    if batch_id is not None:
        query = query.where(value_changes.c.batch_id == batch_id)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def data_as_of(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(warehouse_meta.c.value).where(warehouse_meta.c.key == "data_as_of")).scalar_one()


def lock_holder(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(import_locks.c.holder)).scalar_one()


def csv_bytes(rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8", newline: str = "\n") -> bytes:
    """A CSV file as Excel/WPS would save it (no quoting needed for these cells)."""
    return (newline.join(sep.join(cells) for cells in rows) + newline).encode(encoding)


def school_csv(*lines: str) -> bytes:
    """A small school report: 学校代码, 年度, 在校生数, 专职心理健康教师数 + the given 'id,year,n,n' lines."""
    return csv_bytes([["学校代码", "年度", "在校生数", "专职心理健康教师数"], *(line.split(",") for line in lines)])


def imported(engine: sa.Engine, file_name: str, data: bytes, **options) -> loading.ImportOutcome:
    """import_file that must succeed."""
    outcome = import_file(engine, file_name, data, imported_by=options.pop("imported_by", "张三"), **options)
    assert outcome.status == "applied", outcome.summary_lines()
    return outcome


# --- 1. encodings, separators, spaces and header variants ----------------------------------------------------

HEADERS = ["学校代码", "学校名称", "年度", "在校生数", "寄宿生数", "专职心理健康教师数", "心理辅导室是否达标",
           "专职教师培训总学时"]
ROWS = [
    ["S1", "一小", "2025", "1250", "0", "2", "是", "40.5"],  # changes enrollment, teachers and hours
    ["S4", "四中", "2025", "1050", "0", "1", "否", ""],  # new row; blank hours = not reported
    ["S5", "五高", "2025", "2000", "0", "1", "是", "24"],  # exactly the fixture's values
]
ALIAS_HEADERS = ["学校标识码", "学校", "年份", "在校学生数", "住校生数", "专职心理教师数", "心理辅导室达标",
                 "专职教师培训学时"]
UNIT_HEADERS = ["学校代码", "学校名称", "年度(年)", "在校生数(人)", "寄宿生数（人）", "专职心理健康教师数 (人)",
                "心理辅导室是否达标", "专职教师培训总学时(学时)"]


def _padded() -> bytes:
    """Spaces (ASCII, full-width, no-break) around every cell, a blank-only cell and stray blank rows."""
    pad = [f" {cell}\u3000" if cell else "\u3000" for cell in ROWS[0]]
    lines = ["", ",".join(f" {h}\u3000" for h in HEADERS), ",,,,,,,", ",".join(pad), "\xa0",
             ",".join(f"\u3000{cell} " for cell in ROWS[1]), ",,,", ",".join(ROWS[2]), "", ""]
    return "\r\n".join(lines).encode("utf-8")


def _reordered_with_notes() -> bytes:
    """Columns in another order, flags written Y/无, a 备注 column of the clerk's own (skipped), semicolons."""
    order = [2, 0, 7, 6, 5, 4, 3]
    flags = {"是": "Y", "否": "无"}
    lines = [[HEADERS[i] for i in order] + ["备注"]]
    lines += [[flags.get(row[i], row[i]) for i in order] + ["已核对"] for row in ROWS]
    return csv_bytes(lines, sep=";", encoding="gb18030")


ENCODED_FILES = {
    "gb18030": csv_bytes([HEADERS, *ROWS], encoding="gb18030", newline="\r\n"),
    "utf8-bom": csv_bytes([HEADERS, *ROWS], encoding="utf-8-sig", newline="\r\n"),
    "utf8": csv_bytes([HEADERS, *ROWS]),
    "tab-separated": csv_bytes([HEADERS, *ROWS], sep="\t"),
    "spaces-and-blank-rows": _padded(),
    "header-aliases": csv_bytes([ALIAS_HEADERS, *ROWS], encoding="gb18030"),
    "unit-suffixes": csv_bytes([UNIT_HEADERS, *([*row[:2], row[2] + "年", *row[3:]] for row in ROWS)]),
    "reordered-with-notes": _reordered_with_notes(),
}


def test_gb18030_file_is_not_valid_utf8():
    """Otherwise the GB18030 case would not exercise the fallback decoding."""
    with pytest.raises(UnicodeDecodeError):
        ENCODED_FILES["gb18030"].decode("utf-8")


@pytest.mark.parametrize("variant", list(ENCODED_FILES))
def test_every_encoding_and_header_variant_imports_the_same_values(warehouse, variant):
    outcome = imported(warehouse, f"学校年报_{variant}.csv", ENCODED_FILES[variant])

    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (1, 1, 1)
    assert school_years(warehouse) == {
        **FIXTURE_SCHOOL_YEARS,
        ("S1", 2025): fixture_row("S1", 2025, enrollment=1250, fulltime_teachers=2, fulltime_training_hours=40.5),
        ("S4", 2025): school_row("S4", 2025, enrollment=1050, boarding_students=0, fulltime_teachers=1,
                                 counseling_room=False),
    }
    # Columns the file lacks are reported as left alone, whatever the header spelling.
    assert not any("「寄宿生数」" in notice for notice in outcome.notices)
    assert any("兼职心理健康教师数" in notice and "保持不变" in notice for notice in outcome.notices)


def test_value_under_a_blank_header_between_columns_is_reported(warehouse):
    outcome = check_file(warehouse, "空表头.csv", csv_bytes([["学校代码", "年度", "", "在校生数"],
                                                             ["S1", "2025", "999", "1250"]]))

    assert outcome.status == "rejected"
    assert [issue.message for issue in outcome.issues] == ["该列没有表头, 数据无法归属: 请删除或补上表头"]


# --- 2. the XLSX template round trip -------------------------------------------------------------------------


def _filled_template(warehouse: sa.Engine, filled: dict[str, dict[str, object]], *,
                     drop_headers: tuple[str, ...] = (), keep_unfilled: bool = False) -> bytes:
    """The region's pre-filled template with `filled` {school: {header: value}} typed in, as a clerk would;
    rows of units not in `filled` are deleted (unless keep_unfilled), the notes sheet is scribbled on and moved
    in front."""
    with warehouse.connect() as conn:
        units = prefill_units(conn, SCHOOL, "610102")
    book = load_workbook(io.BytesIO(template_xlsx(SCHOOL, units=units, year=2025)))
    sheet = book["填报"]
    for header in drop_headers:
        sheet.delete_cols([cell.value for cell in sheet[1]].index(header) + 1)
    position = {cell.value: cell.column for cell in sheet[1]}
    for row in range(sheet.max_row, 1, -1):
        school_id = sheet.cell(row, position["学校代码"]).value
        if school_id not in filled:
            if not keep_unfilled:
                sheet.delete_rows(row)
            continue
        for header, value in filled[school_id].items():
            sheet.cell(row, position[header], value)
    notes = book["填表说明"]
    notes["A30"], notes["B30"] = "S1", -5  # would be rejected if the notes sheet were read
    book.move_sheet("填表说明", offset=-1)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_round_trip_stores_what_was_typed_blank_as_null_and_zero_as_zero(warehouse):
    with warehouse.connect() as conn:
        assert prefill_units(conn, SCHOOL, "610102") == [
            ("S1", "一小"), ("S2", "二小"), ("S3", "三中"), ("S4", "四中"), ("U1", "甲大学"), ("U2", "乙学院"),
            ("U3", "丙学院")]
    data = _filled_template(warehouse, {
        # S1 had 1 full-time teacher and 36 training hours: now an explicit 0 and a blank.
        "S1": {"学校名称": "名称只供核对", "在校生数": 1210, "寄宿生数": 0, "专职心理健康教师数": 0,
               "兼职心理健康教师数": 2, "心理辅导室是否达标": "是", "是否纳入学校发展规划": "是",
               "本年度是否开展心理测评": "是", "参加测评学生数": 1000, "兼职教师培训总学时": 12.5},
        "S4": {"在校生数": 1080, "专职心理健康教师数": 1, "心理辅导室是否达标": "否"},  # no 2025 row yet
        "U1": {"在校生数": 10000, "寄宿生数": 0, "专职心理健康教师数": 3, "兼职心理健康教师数": 0,
               "心理辅导室是否达标": "是", "是否纳入学校发展规划": "是", "是否开设心理健康必修课": "是",
               "本年度是否开展心理测评": "是", "参加测评学生数": 2600, "专职教师培训总学时": 96,
               "兼职教师培训总学时": 0},
    })
    with warehouse.connect() as conn:
        names_before = conn.execute(sa.select(schools).order_by(schools.c.school_id)).all()

    outcome = imported(warehouse, "新城区_学校年报_模板_2025.xlsx", data)

    assert outcome.notices == []  # every column of the template was present
    assert school_years(warehouse) == {
        **FIXTURE_SCHOOL_YEARS,
        ("S1", 2025): school_row("S1", 2025, enrollment=1210, boarding_students=0, fulltime_teachers=0,
                                 parttime_teachers=2, counseling_room=True, mh_in_school_plan=True,
                                 screening_done=True, students_screened=1000, parttime_training_hours=12.5),
        ("S4", 2025): school_row("S4", 2025, enrollment=1080, fulltime_teachers=1, counseling_room=False),
        ("U1", 2025): school_row("U1", 2025, enrollment=10000, boarding_students=0, fulltime_teachers=3,
                                 parttime_teachers=0, counseling_room=True, mh_in_school_plan=True, mh_course=True,
                                 screening_done=True, students_screened=2600, fulltime_training_hours=96.0,
                                 parttime_training_hours=0.0),
    }
    with warehouse.connect() as conn:
        assert conn.execute(sa.select(schools).order_by(schools.c.school_id)).all() == names_before
    assert any("已有数据将被清空" in line for line in outcome.summary_lines())  # S1's 36 hours became blank


def test_prefilled_rows_left_empty_are_not_reports(warehouse):
    """A clerk fills two of the seven pre-filled schools: the other five (code, name and year only) neither
    clear what those schools reported nor count them as reported with a row of blanks."""
    before = snapshot(warehouse)
    data = _filled_template(warehouse, {"S1": {"在校生数": 1210}, "S4": {"在校生数": 1080}}, keep_unfilled=True)

    outcome = imported(warehouse, "部分填写.xlsx", data)

    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (1, 1, 0)
    assert "5 行只有代码/名称/年度, 没有填写任何数值, 视为未上报, 不导入 (第 3、4、6、7、8 行)" in outcome.notices
    expected = {**FIXTURE_SCHOOL_YEARS,
                ("S1", 2025): {**school_row("S1", 2025), **{"enrollment": 1210}},
                ("S4", 2025): school_row("S4", 2025, enrollment=1080)}
    assert school_years(warehouse) == expected
    assert {k: v for k, v in snapshot(warehouse).items() if k != "school_year"} == \
        {k: v for k, v in before.items() if k != "school_year"}


def test_template_with_nothing_filled_is_rejected(warehouse):
    before = snapshot(warehouse)
    outcome = import_file(warehouse, "空模板.xlsx", _filled_template(warehouse, {}, keep_unfilled=True),
                          imported_by="张三")

    assert outcome.status == "rejected"
    assert [(i.sheet, i.row, i.message) for i in outcome.issues] == [
        ("填报", 1, "没有任何填写了数值的行: 请在模板中填写各单位的数据后再上传")]
    assert snapshot(warehouse) == before


def test_dry_run_of_a_bad_file_is_not_an_attempt(warehouse):
    outcome = import_file(warehouse, "有误.csv", school_csv("S1,2025,-5,1"), imported_by="张三", dry_run=True)

    assert outcome.status == "rejected"
    assert batches(warehouse) == []


def test_column_absent_from_the_file_leaves_existing_values_untouched(warehouse):
    data = _filled_template(warehouse, {"S1": {"在校生数": 1300, "专职心理健康教师数": 1}},
                            drop_headers=("专职教师培训总学时", "兼职教师培训总学时", "寄宿生数", "兼职心理健康教师数",
                                          "心理辅导室是否达标", "是否纳入学校发展规划", "是否开设心理健康必修课",
                                          "本年度是否开展心理测评", "参加测评学生数"))

    outcome = imported(warehouse, "只报人数.xlsx", data)

    assert "文件中没有「专职教师培训总学时」列: 已有数据中的这一项保持不变" in outcome.notices
    assert "  注意: 文件中没有「寄宿生数」列: 已有数据中的这一项保持不变" in outcome.summary_lines()
    assert len(outcome.notices) == 9
    assert school_years(warehouse) == {**FIXTURE_SCHOOL_YEARS, ("S1", 2025): fixture_row("S1", 2025, enrollment=1300)}
    assert [(c["column_name"], c["old_value"], c["new_value"]) for c in changes(warehouse)] == [
        ("enrollment", "1200", "1300")]


# --- 3. preview ----------------------------------------------------------------------------------------------

PREVIEWED = school_csv("S1,2025,1250,2", "S2,2025,300,0", "S4,2025,1000,1", "S5,2025,2000,1")


@pytest.mark.parametrize("how", ["dry_run", "check_file"])
def test_preview_reports_added_changed_unchanged_and_writes_nothing(warehouse, how):
    before, as_of = snapshot(warehouse), data_as_of(warehouse)

    if how == "dry_run":
        outcome = import_file(warehouse, "预览.csv", PREVIEWED, imported_by="张三", dry_run=True)
    else:
        outcome = check_file(warehouse, "预览.csv", PREVIEWED)

    assert outcome.status == "preview" and outcome.batch_id is None
    plan = outcome.plan
    # Fixture: S1 2025 has 1200 pupils, 1 teacher; S2 300, 0; S5 2000, 1; S4 has only a 2024 row.
    assert [(r.unit_id, r.year, r.values) for r in plan.added] == [
        ("S4", 2025, {"enrollment": 1000, "fulltime_teachers": 1})]
    assert plan.changed == [RowChange(2, "S1", 2025, (FieldChange("enrollment", 1200, 1250),
                                                      FieldChange("fulltime_teachers", 1, 2)))]
    assert plan.unchanged == 2 and plan.rows_total == 4
    assert outcome.summary_lines()[0] == ("预览 (尚未写入): 预览.csv (学校年报), "
                                          "共 4 行: 新增 1 行, 修改 1 行, 不变 2 行")
    assert plan.changes_frame().values.tolist() == [
        [2, "S1", 2025, "修改", "在校生数", "1200", "1250"],
        [2, "S1", 2025, "修改", "专职心理健康教师数", "1", "2"],
        [4, "S4", 2025, "新增", "", "", "在校生数=1000; 专职心理健康教师数=1"],
    ]

    assert snapshot(warehouse) == before
    assert batches(warehouse) == [] and changes(warehouse) == []
    assert data_as_of(warehouse) == as_of and lock_holder(warehouse) is None


# --- 4. the same file twice ----------------------------------------------------------------------------------


def test_same_file_twice_changes_nothing_the_second_time(warehouse):
    data = school_csv("S1,2025,1250,2", "S4,2025,1000,1", "S5,2025,2000,1")
    first = imported(warehouse, "两次.csv", data)
    after_first = snapshot(warehouse)

    second = imported(warehouse, "两次.csv", data)

    assert (len(first.plan.added), len(first.plan.changed), first.plan.unchanged) == (1, 1, 1)
    assert (len(second.plan.added), len(second.plan.changed), second.plan.unchanged) == (0, 0, 3)
    assert snapshot(warehouse) == after_first
    assert school_years(warehouse)[("S4", 2025)] == school_row("S4", 2025, enrollment=1000, fulltime_teachers=1)
    assert changes(warehouse, second.batch_id) == []
    assert [(b["status"], b["rows_added"], b["rows_changed"], b["rows_unchanged"]) for b in batches(warehouse)] == [
        ("applied", 1, 1, 1), ("applied", 0, 0, 3)]


# --- 5. a database error in the middle of the transaction ----------------------------------------------------


def school_years_in(conn: sa.Connection) -> dict[tuple[str, int], dict]:
    return {(row["school_id"], row["year"]): dict(row) for row in conn.execute(sa.select(SCHOOL.facts)).mappings()}


def _fail_on_second_write(kind: str, seen_inside: dict):
    """A _write that fails right after the facts were inserted (S4) and updated (S1, through the staging
    table: the second write), with the first audit row written, keeping what the open transaction saw then."""
    real_write, calls = loading._write, []

    def write_then_fail(conn: sa.Connection, statement, rows: list[dict]) -> None:
        real_write(conn, statement, rows)
        calls.append(len(rows))
        if len(calls) == 3:
            seen_inside.update(school_years_in(conn))
            if kind == "invalid-statement":
                conn.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))
            raise sa.exc.OperationalError("UPDATE school_year ...", {}, Exception("server closed the connection"))

    return write_then_fail


@pytest.mark.parametrize("kind", ["operational-error", "invalid-statement"])
def test_database_error_mid_import_rolls_everything_back(warehouse, monkeypatch, kind):
    data = school_csv("S4,2025,1000,1", "S1,2025,1250,2")
    before, as_of = snapshot(warehouse), data_as_of(warehouse)
    seen_inside: dict = {}
    monkeypatch.setattr(loading, "WRITE_CHUNK", 1)
    monkeypatch.setattr(loading, "_write", _fail_on_second_write(kind, seen_inside))

    outcome = import_file(warehouse, "中途出错.csv", data, imported_by="张三")

    # Both rows had been written inside the transaction when the error came.
    assert seen_inside[("S4", 2025)] == school_row("S4", 2025, enrollment=1000, fulltime_teachers=1)
    assert seen_inside[("S1", 2025)]["enrollment"] == 1250
    assert outcome.status == "failed" and outcome.batch_id is None
    assert outcome.error.startswith("数据库错误, 已全部回滚: ")
    assert outcome.summary_lines()[0].startswith("导入失败, 数据仓库保持原样: 中途出错.csv (学校年报): 数据库错误")
    assert snapshot(warehouse) == before
    assert changes(warehouse) == []
    assert data_as_of(warehouse) == as_of and lock_holder(warehouse) is None
    [failed] = batches(warehouse)
    assert (failed["status"], failed["file_name"], failed["rows_added"], failed["rows_changed"]) == (
        "failed", "中途出错.csv", 0, 0)
    assert failed["message"] == outcome.error and failed["file_sha256"] == hashlib.sha256(data).hexdigest()

    monkeypatch.undo()
    again = imported(warehouse, "中途出错.csv", data)

    assert (len(again.plan.added), len(again.plan.changed)) == (1, 1)
    assert school_years(warehouse)[("S4", 2025)] == school_row("S4", 2025, enrollment=1000, fulltime_teachers=1)
    assert school_years(warehouse)[("S1", 2025)] == fixture_row("S1", 2025, enrollment=1250, fulltime_teachers=2)
    assert len(changes(warehouse, again.batch_id)) == 3  # one added row, two changed values


# --- 6. two imports at once ----------------------------------------------------------------------------------

BUSY = "另一项导入或审核正在写入数据仓库, 本次未做任何修改: 请稍后重试"


def test_import_while_another_holds_the_lock_is_refused_then_succeeds(warehouse, monkeypatch):
    """PostgreSQL waits LOCK_WAIT_SECONDS on the lock row, then refuses. DuckDB (two connections of one
    process) does not wait: updating the lock row another open transaction updated is a write-write
    conflict at once, turned into the same refusal. Either way nothing is written."""
    monkeypatch.setattr(loading, "LOCK_WAIT_SECONDS", 1)
    earlier = imported(warehouse, "先前.csv", school_csv("S2,2025,310,0"))
    data = school_csv("S1,2025,1250,2", "S4,2025,1000,1")
    before = snapshot(warehouse)

    with warehouse.connect() as holder:
        holder.begin()
        loading._take_lock(holder, "holder")
        refused = import_file(warehouse, "同时.csv", data, imported_by="李四")
        with pytest.raises(UndoRefused, match=BUSY):
            undo_import(warehouse, earlier.batch_id, imported_by="李四")
        holder.rollback()

    assert refused.status == "failed" and refused.error == BUSY
    assert snapshot(warehouse) == before
    assert {c["batch_id"] for c in changes(warehouse)} == {earlier.batch_id}
    assert [(b["file_name"], b["status"], b["message"]) for b in batches(warehouse)] == [
        ("先前.csv", "applied", None), ("同时.csv", "failed", BUSY)]

    retried = imported(warehouse, "同时.csv", data)

    assert (len(retried.plan.added), len(retried.plan.changed)) == (1, 1)
    assert school_years(warehouse)[("S1", 2025)] == fixture_row("S1", 2025, enrollment=1250, fulltime_teachers=2)
    assert lock_holder(warehouse) == retried.batch_id


def _waiting_on_lock(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                    "AND query LIKE '%import_locks%' AND pid <> pg_backend_pid()")).scalar_one() > 0


def test_postgresql_serialises_a_waiting_import_and_plans_it_under_the_lock(warehouse):
    """The second import waits for the first transaction, then compares with what that one committed."""
    if warehouse.dialect.name != "postgresql":
        pytest.skip("DuckDB refuses a concurrent import instead of waiting (see the test above)")
    outcomes: list = []
    with warehouse.connect() as holder:
        holder.begin()
        loading._take_lock(holder, "holder")
        holder.execute(sa.update(SCHOOL.facts).where(SCHOOL.facts.c.school_id == "S1", SCHOOL.facts.c.year == 2025)
                       .values(enrollment=777))
        meta.bump_revision(holder)  # as every import does: the waiting one must plan again under the lock
        waiting = threading.Thread(target=lambda: outcomes.append(
            import_file(warehouse, "等待.csv", school_csv("S1,2025,1250,1"), imported_by="李四")))
        waiting.start()
        deadline = time.monotonic() + 15
        while not _waiting_on_lock(warehouse) and time.monotonic() < deadline and waiting.is_alive():
            time.sleep(0.05)
        assert _waiting_on_lock(warehouse), "the second import should be blocked on the lock row"
        holder.commit()
    waiting.join(timeout=60)

    [outcome] = outcomes
    assert outcome.status == "applied", outcome.summary_lines()
    assert outcome.plan.changed == [RowChange(2, "S1", 2025, (FieldChange("enrollment", 777, 1250),))]
    assert school_years(warehouse)[("S1", 2025)] == fixture_row("S1", 2025, enrollment=1250)
    assert [(c["column_name"], c["old_value"]) for c in changes(warehouse)] == [("enrollment", "777")]


# --- 7. the stale-preview guard ------------------------------------------------------------------------------


def test_commit_refused_when_the_warehouse_changed_since_the_preview(warehouse):
    data = school_csv("S1,2025,1250,2")
    preview = import_file(warehouse, "预览后.csv", data, imported_by="张三", dry_run=True)
    other = imported(warehouse, "别人.csv", school_csv("S1,2025,1300,1"), imported_by="李四")
    after_other = snapshot(warehouse)

    stale = import_file(warehouse, "预览后.csv", data, imported_by="张三",
                        expected_fingerprint=preview.plan.fingerprint())

    assert stale.status == "failed" and "预览之后" in stale.error
    assert snapshot(warehouse) == after_other
    assert [c["batch_id"] for c in changes(warehouse)] == [other.batch_id]
    assert [(b["file_name"], b["status"]) for b in batches(warehouse)] == [("别人.csv", "applied"),
                                                                          ("预览后.csv", "failed")]

    fresh = import_file(warehouse, "预览后.csv", data, imported_by="张三", dry_run=True)
    committed = imported(warehouse, "预览后.csv", data, expected_fingerprint=fresh.plan.fingerprint())

    assert committed.plan.changed == [RowChange(2, "S1", 2025, (FieldChange("enrollment", 1300, 1250),
                                                                FieldChange("fulltime_teachers", 1, 2)))]
    assert school_years(warehouse)[("S1", 2025)] == fixture_row("S1", 2025, enrollment=1250, fulltime_teachers=2)


# --- 8. history and undo -------------------------------------------------------------------------------------

# Adds S4 2025 and changes two values: S1's enrollment (1200 -> 1250) and S2's boarders (250 -> 260).
CORRECTION = csv_bytes([["学校代码", "年度", "在校生数", "寄宿生数"], ["S1", "2025", "1250", "0"],
                        ["S2", "2025", "300", "260"], ["S4", "2025", "900", "0"]])


def test_history_records_the_import_and_undo_restores_the_exact_previous_facts(warehouse):
    before, as_of = snapshot(warehouse), data_as_of(warehouse)
    batch_id = imported(warehouse, "更正.csv", CORRECTION, imported_by="王五").batch_id

    [row] = import_history(warehouse).to_dict("records")
    assert {k: row[k] for k in ("batch_id", "imported_by", "file_name", "file_sha256", "report_type", "report_name",
                                "status", "rows_total", "rows_added", "rows_changed", "rows_unchanged",
                                "issue_count", "undo_of")} == {
        "batch_id": batch_id, "imported_by": "王五", "file_name": "更正.csv",
        "file_sha256": hashlib.sha256(CORRECTION).hexdigest(), "report_type": "school", "report_name": "学校年报",
        "status": "applied", "rows_total": 3, "rows_added": 1, "rows_changed": 2, "rows_unchanged": 0,
        "issue_count": 0, "undo_of": None}
    assert data_as_of(warehouse) != as_of
    assert [(c["action"], c["unit_id"], c["column_name"], c["old_value"], c["new_value"])
            for c in changes(warehouse, batch_id)] == [
        ("add", "S4", None, None, json.dumps({"enrollment": 900, "boarding_students": 0})),
        ("change", "S1", "enrollment", "1200", "1250"),
        ("change", "S2", "boarding_students", "250", "260"),
    ]
    assert batch_changes(warehouse, batch_id).values.tolist() == [
        ["S4", 2025, "新增", "整行", "", "在校生数=900; 寄宿生数=0"],
        ["S1", 2025, "修改", "在校生数", "1200", "1250"],
        ["S2", 2025, "修改", "寄宿生数", "250", "260"],
    ]

    undo_id = undo_import(warehouse, batch_id, imported_by="赵六")

    assert snapshot(warehouse) == before
    history = import_history(warehouse)
    assert history[["batch_id", "status", "imported_by", "undo_of"]].fillna("").values.tolist() == [
        [undo_id, "applied", "赵六", batch_id], [batch_id, "undone", "王五", ""]]
    assert history.iloc[0]["file_name"] == "撤销: 更正.csv"
    assert [(c["action"], c["unit_id"], c["column_name"], c["new_value"]) for c in changes(warehouse, undo_id)] == [
        ("delete", "S4", None, None), ("change", "S1", "enrollment", "1200"),
        ("change", "S2", "boarding_students", "250")]
    with pytest.raises(UndoRefused, match="只能撤销已导入的批次"):
        undo_import(warehouse, batch_id, imported_by="赵六")
    assert snapshot(warehouse) == before


def test_undo_refused_while_a_later_import_changed_the_same_values(warehouse):
    before = snapshot(warehouse)
    first = imported(warehouse, "更正.csv", CORRECTION).batch_id
    later = imported(warehouse, "再更正.csv", school_csv("S1,2025,1300,1")).batch_id
    after_later, batch_count = snapshot(warehouse), len(batches(warehouse))

    with pytest.raises(UndoRefused, match="S1 2025 年的数据在这次导入之后又被修改过"):
        undo_import(warehouse, first, imported_by="赵六")

    assert snapshot(warehouse) == after_later
    assert [b["status"] for b in batches(warehouse)] == ["applied"] * batch_count
    assert school_years(warehouse)[("S1", 2025)]["enrollment"] == 1300

    undo_import(warehouse, later, imported_by="赵六")  # newest first: then the earlier one may be undone
    undo_import(warehouse, first, imported_by="赵六")
    assert snapshot(warehouse) == before


def test_rejected_attempt_is_in_the_history_and_cannot_be_undone(warehouse):
    before = snapshot(warehouse)
    bad = school_csv("S1,2025,-3,1", "X9,2025,100,1", "S2,2025,300,0")

    outcome = import_file(warehouse, "有错.csv", bad, imported_by="王五")

    assert outcome.status == "rejected" and len(outcome.issues) == 2
    assert snapshot(warehouse) == before and changes(warehouse) == []
    [row] = import_history(warehouse).to_dict("records")
    assert (row["status"], row["status_zh"], row["issue_count"], row["imported_by"], row["rows_added"]) == (
        "rejected", "被拒绝 (未写入)", 2, "王五", 0)
    assert "第 2 行, 列「在校生数」, 值「-3」: 人数不能为负数" in row["message"]
    assert "第 3 行, 列「学校代码」, 值「X9」" in row["message"]
    with pytest.raises(UndoRefused, match="被拒绝"):
        undo_import(warehouse, row["batch_id"], imported_by="王五")
    assert len(batches(warehouse)) == 1 and snapshot(warehouse) == before


def test_undo_of_an_added_row_is_refused_when_a_later_import_filled_other_columns(warehouse):
    added = imported(warehouse, "新增.csv", csv_bytes([["学校代码", "年度", "在校生数"], ["S4", "2025", "1000"]]))
    imported(warehouse, "补报.csv", csv_bytes([["学校代码", "年度", "寄宿生数"], ["S4", "2025", "100"]]))
    after_later = snapshot(warehouse)

    with pytest.raises(UndoRefused, match="又被修改过"):  # deleting the row would lose 寄宿生数 100
        undo_import(warehouse, added.batch_id, imported_by="赵六")
    assert snapshot(warehouse) == after_later


# --- 9. access scope -----------------------------------------------------------------------------------------


def test_history_and_undo_are_limited_to_the_viewers_region(warehouse):
    xian = imported(warehouse, "新城区.csv", school_csv("S1,2025,1250,1"), allowed_region="610102").batch_id
    shaanxi = imported(warehouse, "碑林区.csv", school_csv("S5,2025,2100,1"), allowed_region="610000").batch_id
    pingliang = imported(warehouse, "崆峒区.csv", school_csv("P1,2024,520,0"), allowed_region="620800").batch_id
    outside = import_file(warehouse, "越权.csv", school_csv("S1,2025,1,0"), imported_by="平凉", allowed_region="620800")
    assert outside.status == "rejected" and "不在您的权限范围 (620800) 内" in outside.issues[0].message

    def visible(region: str) -> set[str]:
        return set(import_history(warehouse, allowed_region=region)["batch_id"])

    everything = visible("000000")
    assert xian in everything and shaanxi in everything and pingliang in everything and len(everything) == 4
    assert visible("620800") == everything - {xian, shaanxi}  # its import and its own refused attempt
    assert visible("610000") == {xian, shaanxi}
    assert visible("610102") == {xian}

    before = snapshot(warehouse)
    with pytest.raises(UndoRefused, match="超出您的权限范围"):
        undo_import(warehouse, xian, imported_by="平凉", allowed_region="620800")
    assert snapshot(warehouse) == before


def test_template_checks_cover_every_prefilled_row():
    units = [(f"X{number:05d}", "校") for number in range(7300)]  # a province-wide school template
    sheet = load_workbook(io.BytesIO(template_xlsx(SCHOOL, units=units, year=2025)))["填报"]
    ranges = {str(check.sqref) for check in sheet.data_validations.dataValidation}
    assert "C2:C7301" in ranges and "D2:D7301" in ranges  # year, enrollment
    assert sheet.cell(7301, 1).value == "X07299" and sheet.cell(7301, 1).number_format == "@"


def test_template_with_reported_values_round_trips_and_a_correction_changes_one_value(warehouse):
    """The correction template: code, name, year and what each school already reported for 2025."""
    with warehouse.connect() as conn:
        units = prefill_units(conn, SCHOOL, "610102")
        values = reported_values(conn, SCHOOL, [unit_id for unit_id, _ in units], 2025)
    assert sorted(values) == ["S1", "S2", "S3", "U1", "U2", "U3"]  # S4 has not reported 2025
    data = template_xlsx(SCHOOL, units=units, year=2025, values=values)
    sheet = load_workbook(io.BytesIO(data))["填报"]
    header = [cell.value for cell in sheet[1]]
    s1 = dict(zip(header, next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)), strict=True))
    assert (s1["学校代码"], s1["在校生数"], s1["心理辅导室是否达标"], s1["是否开设心理健康必修课"]) == \
        ("S1", 1200, "是", None)
    before = snapshot(warehouse)

    untouched = imported(warehouse, "更正模板.xlsx", data)
    assert (len(untouched.plan.added), len(untouched.plan.changed), untouched.plan.unchanged) == (0, 0, 6)
    assert snapshot(warehouse) == before

    book = load_workbook(io.BytesIO(data))
    book["填报"].cell(2, header.index("在校生数") + 1, 1250)
    buffer = io.BytesIO()
    book.save(buffer)
    corrected = imported(warehouse, "更正.xlsx", buffer.getvalue())
    assert corrected.plan.changed == [RowChange(2, "S1", 2025, (FieldChange("enrollment", 1200, 1250),))]
    assert school_years(warehouse)[("S1", 2025)] == fixture_row("S1", 2025, enrollment=1250)
