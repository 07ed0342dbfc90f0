"""A registry import in bulk, on DuckDB and PostgreSQL: the preview's work is not done twice, the warehouse is
closed while Python checks the file, and a database failure in the middle of the bulk writes leaves nothing.

Speed itself is measured by scripts/benchmark_registry.py (README, "Large registries"), not asserted here.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from data_access.importing import check_file, import_file, loading, registry_rules, undo_import
from data_access.importing.collector import collector_paused
from data_access.meta import read_stamp
from data_access.schema import import_batches, schools, value_changes
from tests.conftest import fresh_engine
from tests.data_access import fixture_warehouse

HEADER = "学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡,经度,纬度,开办年份,停办年份\n"


def school(number: int, name: str) -> str:
    """A valid primary school in 新城区 (610102), coordinates inside it."""
    return f"216100{number:04d},{name},610102,小学,否,城镇,108.96,34.27,2020,\n"


BASE = HEADER + school(1, "一小") + school(2, "二小")
# Two schools added, one renamed, one left as it is: inserts, an UPDATE through the staging table, history.
MIXED = HEADER + school(1, "一小") + school(2, "二小(更名)") + school(3, "三小") + school(4, "四小")


@pytest.fixture
def warehouse(engine) -> sa.Engine:
    fixture_warehouse.populate(engine)
    applied(engine, BASE)
    return engine


def applied(engine: sa.Engine, text: str):
    outcome = import_file(engine, "名录.csv", text.encode(), imported_by="test")
    assert outcome.status == "applied", outcome.summary_lines()
    return outcome


def registry(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(schools.c.school_id, schools.c.name)
                                 .where(schools.c.school_id.like("216100%"))).all())


def state(engine: sa.Engine) -> tuple:
    """Everything an import writes: the units, the applied batches and their history lines, the revision."""
    with engine.connect() as conn:
        batches = conn.execute(sa.select(sa.func.count()).select_from(import_batches)
                               .where(import_batches.c.status == "applied")).scalar_one()
        lines = conn.execute(sa.select(sa.func.count()).select_from(value_changes)).scalar_one()
        return registry(engine), batches, lines, read_stamp(conn)


def test_the_import_after_a_preview_applies_its_plan_without_checking_again(warehouse, monkeypatch):
    preview = check_file(warehouse, "名录.csv", MIXED.encode())
    assert preview.status == "preview"

    def again(*args, **kwargs):
        raise AssertionError("the file was checked a second time")

    monkeypatch.setattr(loading, "convert", again)
    monkeypatch.setattr(loading, "parse", again)
    outcome = import_file(warehouse, "名录.csv", MIXED.encode(), imported_by="test",
                          expected_fingerprint=preview.plan.fingerprint())
    assert outcome.status == "applied", outcome.summary_lines()
    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (2, 1, 1)
    assert registry(warehouse)["2161000002"] == "二小(更名)"
    assert preview.status == "preview" and preview.batch_id is None  # the page's preview object is left alone


def test_a_write_between_preview_and_import_makes_the_import_check_again(warehouse, monkeypatch):
    preview = check_file(warehouse, "名录.csv", MIXED.encode())
    assert len(preview.plan.added) == 2
    applied(warehouse, HEADER + school(3, "三小(先到)"))  # another import: school 3 exists now
    parsed = []
    real_parse = loading.parse
    monkeypatch.setattr(loading, "parse", lambda *args: parsed.append(1) or real_parse(*args))
    outcome = import_file(warehouse, "名录.csv", MIXED.encode(), imported_by="test")
    assert outcome.status == "applied", outcome.summary_lines()
    assert parsed == [1]  # checked again, under the lock
    assert (len(outcome.plan.added), len(outcome.plan.changed)) == (1, 2)  # school 3 is now a rename
    assert registry(warehouse)["2161000003"] == "三小"


def test_the_page_s_fingerprint_still_refuses_a_preview_made_stale(warehouse):
    preview = check_file(warehouse, "名录.csv", MIXED.encode())
    applied(warehouse, HEADER + school(4, "四小(先到)"))
    before = state(warehouse)
    outcome = import_file(warehouse, "名录.csv", MIXED.encode(), imported_by="test",
                          expected_fingerprint=preview.plan.fingerprint())
    assert outcome.status == "failed" and "重新预览" in outcome.error
    assert state(warehouse) == before


def test_no_connection_is_open_while_the_file_is_converted_and_the_rules_run(warehouse, monkeypatch):
    open_now, seen = [0], []
    sa.event.listen(warehouse, "checkout", lambda *args: open_now.__setitem__(0, open_now[0] + 1))
    sa.event.listen(warehouse, "checkin", lambda *args: open_now.__setitem__(0, open_now[0] - 1))
    for module, name in ((loading, "convert"), (loading, "build_plan"), (registry_rules, "evaluate")):
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append((_name, open_now[0]))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    outcome = check_file(warehouse, "名录.csv", MIXED.encode())
    assert outcome.status == "preview", outcome.summary_lines()
    assert seen == [("convert", 0), ("evaluate", 0), ("build_plan", 0)]


def test_another_process_opens_the_duckdb_file_while_the_rules_run(tmp_path, request, monkeypatch):
    """What a page in another process does during a big registry's check: it must not wait for the check."""
    engine = fresh_engine("duckdb", tmp_path, request)
    fixture_warehouse.populate(engine)
    path = tmp_path / "warehouse.duckdb"
    reads = []
    real = registry_rules.evaluate

    def evaluate(*args, **kwargs):
        reader = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; connection = duckdb.connect(sys.argv[1]); "
             "print(connection.execute('SELECT count(*) FROM schools').fetchone()[0])", str(path)],
            capture_output=True, text=True, timeout=120, check=False)
        reads.append((reader.returncode, reader.stderr.strip()[-200:]))
        return real(*args, **kwargs)

    monkeypatch.setattr(registry_rules, "evaluate", evaluate)
    assert import_file(engine, "名录.csv", BASE.encode(), imported_by="test").status == "applied"
    assert reads == [(0, "")]
    engine.dispose()


def test_a_database_failure_halfway_through_the_bulk_writes_rolls_back_everything(warehouse, monkeypatch):
    """The units are inserted and updated, then the history lines violate their primary key (a real error of
    the database, not of Python): nothing of the import stays, the revision is unchanged, and the same file
    imports afterwards (no staging table or lock left behind)."""
    before = state(warehouse)
    real_lines = loading._history_lines

    def duplicated(batch_id, plan):
        lines = real_lines(batch_id, plan)
        return [*lines, dict(lines[-1])]

    monkeypatch.setattr(loading, "_history_lines", duplicated)
    written = []
    real_apply = loading._Writes.apply

    def apply(self, conn):
        written.append((len(self.added), len(self.changed)))
        real_apply(self, conn)

    monkeypatch.setattr(loading._Writes, "apply", apply)
    outcome = import_file(warehouse, "名录.csv", MIXED.encode(), imported_by="test")
    assert outcome.status == "failed" and "已全部回滚" in outcome.error, outcome.summary_lines()
    assert written == [(2, 1)]  # the inserts and the update ran before the history failed
    assert state(warehouse) == before
    monkeypatch.undo()
    done = applied(warehouse, MIXED)
    assert registry(warehouse)["2161000002"] == "二小(更名)"
    undo_import(warehouse, done.batch_id, imported_by="test")
    assert registry(warehouse) == before[0]  # undone: the two schools as they were


def test_bulk_rows_keep_nulls_and_types_across_the_frame(warehouse):
    """Added rows first (no old value), then changed ones (old value text) in one history frame; a column
    that is NULL in every new row (停办年份) and integers next to NULLs come back as written."""
    outcome = applied(warehouse, MIXED)
    with warehouse.connect() as conn:
        lines = conn.execute(sa.select(value_changes.c.action, value_changes.c.old_value)
                             .where(value_changes.c.batch_id == outcome.batch_id)
                             .order_by(value_changes.c.change_no)).all()
        added = conn.execute(sa.select(schools.c.opened_year, schools.c.closed_year, schools.c.longitude)
                             .where(schools.c.school_id == "2161000004")).one()
    assert [action for action, _ in lines] == ["add", "add", "change"]
    assert lines[0].old_value is None and lines[2].old_value == '"二小"'
    assert (added.opened_year, added.closed_year, added.longitude) == (2020, None, 108.96)
    assert isinstance(added.opened_year, int)


def test_the_collector_is_paused_only_while_the_last_import_runs():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other():
        with collector_paused():
            inside.set()
            release.wait(30)

    thread = threading.Thread(target=other)
    with collector_paused():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(30)
    assert not gc.isenabled()  # the other import still runs
    release.set()
    thread.join(30)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
