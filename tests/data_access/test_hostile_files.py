"""Hostile files are refused in bounded time and leave only bounded text behind (history, issues).

The workbooks are built by tests/data_access/hostile_files.py the way an attacker would: a 1.9 kB XLSX that
declares A1:XFD1048576 (a reader trusting it pads a million rows to 16,384 cells: hours of CPU), and a
100 kB XLSX hiding one 100 MB shared string (which used to be stored whole in the import history).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from data_access.importing import import_file, import_history, reading
from data_access.importing.issues import HISTORY_MESSAGE_CHARS, VALUE_CHARS, Issue, shorten
from data_access.importing.reading import MAX_CELL_CHARS, MAX_COLUMNS, read_table
from data_access.schema import import_batches
from tests.data_access import fixture_warehouse, hostile_files

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Not a speed assertion: a guard so that a regression fails the test instead of hanging the suite for hours.
HANG_GUARD_SECONDS = 120


@contextmanager
def hang_guard() -> Iterator[None]:
    def expire(signum, frame):
        raise TimeoutError(f"still reading after {HANG_GUARD_SECONDS} s: the bounds do not hold")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def warehouse(engine) -> sa.Engine:
    fixture_warehouse.populate(engine)
    return engine


def stored_messages(engine: sa.Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [(status, len(message or "")) for status, message in conn.execute(
            sa.select(import_batches.c.status, import_batches.c.message))]


def test_declared_dimension_is_not_trusted():
    data = hostile_files.declared_huge()
    assert len(data) < 2_000  # the 1.9 kB file of the issue
    with hang_guard():
        table = read_table("宣称很大.xlsx", data)
    # Rows are as wide as their real cells (3 header cells), not 16,384; the million blank rows in between
    # are skipped, and the last row keeps its Excel number.
    assert table.headers == ("学校代码", "年度", "在校生数")
    assert [(number, len(values)) for number, values in table.rows] == [(2, 3), (1048576, 3)]


def test_declared_huge_workbook_is_refused_with_the_cell_named(warehouse):
    with hang_guard():
        outcome = import_file(warehouse, "宣称很大.xlsx", hostile_files.declared_huge(), imported_by="测试")
    assert outcome.status == "rejected"
    # Row 1,048,576 holds a negative enrolment: the issue points at that row and column.
    assert [(issue.row, issue.column) for issue in outcome.issues] == [(1048576, "在校生数")]
    assert all(CHINESE.search(issue.message) for issue in outcome.issues)


def test_a_value_beyond_the_column_bound_is_refused_with_its_column():
    with pytest.raises(reading.ImportRejected) as refused, hang_guard():
        read_table("很宽.xlsx", hostile_files.far_column())
    [issue] = refused.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("填报", 1, "XFD")
    assert f"超过 {MAX_COLUMNS} 列" in issue.message


def test_huge_shared_string_is_refused_before_parsing_and_the_history_row_stays_small(warehouse):
    data = hostile_files.huge_shared_string(100)
    assert len(data) < 200 * 1024  # 100 MB of text in a ~100 kB zip
    with hang_guard():
        outcome = import_file(warehouse, "藏了大字符串.xlsx", data, imported_by="测试")
    assert outcome.status == "rejected"
    [issue] = outcome.issues
    assert "解压后过大" in issue.message and "sharedStrings.xml" in issue.message
    [(status, length)] = stored_messages(warehouse)
    assert status == "rejected" and length < 500
    assert len(import_history(warehouse)["message"].iloc[0]) < 500


def test_a_long_cell_is_an_issue_at_its_row_and_column_with_a_shortened_value(warehouse):
    outcome = import_file(warehouse, "长单元格.xlsx", hostile_files.long_cell(MAX_CELL_CHARS + 1), imported_by="测试")
    [issue] = outcome.issues
    assert (issue.sheet, issue.row, issue.column) == ("填报", 3, "A")
    assert f"单元格有 {MAX_CELL_CHARS + 1} 个字符" in issue.message
    # 79 characters of the cell and an ellipsis.
    assert issue.value == "S" * (VALUE_CHARS - 1) + "…"


def test_a_cell_at_the_bound_is_read():
    table = read_table("刚好.xlsx", hostile_files.long_cell(MAX_CELL_CHARS))
    assert len(table.rows[-1][1][0]) == MAX_CELL_CHARS


def test_long_csv_cells_are_bounded_too():
    text = "学校代码,年度,在校生数\nS1,2025," + "9" * 5000 + "\n"
    with pytest.raises(reading.ImportRejected) as refused:
        read_table("长.csv", text.encode())
    [issue] = refused.value.issues
    assert (issue.sheet, issue.row, issue.column) == (None, 2, "C")


def test_reading_stops_at_the_time_budget(monkeypatch):
    """A budget of zero seconds: the first row read is already over it."""
    monkeypatch.setattr(reading, "READ_SECONDS", 0.0)
    with pytest.raises(reading.ImportRejected) as refused:
        read_table("慢.csv", "学校代码,年度\nS1,2025\n".encode())
    assert "超过 0 秒仍未完成" in refused.value.issues[0].message


def test_issue_texts_are_bounded():
    issue = Issue("名" * 300 + ".xlsx", "表" * 100, 2, "列" * 100, "值" * 100, "问题" * 400)
    # File 255 characters, sheet/column/value 80, message 500; each cut ends with an ellipsis.
    assert [len(issue.file), len(issue.sheet), len(issue.column), len(issue.value), len(issue.message)] == \
        [255, 80, 80, 80, 500]
    assert issue.value.endswith("…") and shorten("短") == "短"


def test_stored_rejection_message_is_bounded(warehouse):
    """Thirty issues each quoting an 80-character value: the history row holds at most 2,000 characters."""
    rows = "".join(f"{'X' * 90}{n},2025,1\n" for n in range(30))
    outcome = import_file(warehouse, "很多问题.csv", ("学校代码,年度,在校生数\n" + rows).encode(), imported_by="测试")
    assert outcome.status == "rejected" and len(outcome.issues) == 30
    [(status, length)] = stored_messages(warehouse)
    assert length == HISTORY_MESSAGE_CHARS


def test_history_query_cuts_an_oversized_message_stored_before_the_bounds(warehouse):
    with warehouse.begin() as conn:
        conn.execute(sa.insert(import_batches).values(
            batch_id="old", report_type="school", file_name="旧.xlsx", file_sha256="0" * 64, imported_by="测试",
            imported_at=sa.func.now(), allowed_region="", status="rejected", rows_total=0, rows_added=0,
            rows_changed=0, rows_unchanged=0, issue_count=1, message="长" * 100_000, undo_of=None))
    assert len(import_history(warehouse)["message"].iloc[0]) == HISTORY_MESSAGE_CHARS
