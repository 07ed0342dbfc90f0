"""The embedded DuckDB file is shared, not held, and committed imports are in the main file.

DuckDB locks a database file for the process that has it open: the engine must release it between uses
(so `mhmonitor` commands run while the dashboard is up), wait a bounded time when another process holds it,
and checkpoint after each import or undo so that the main file alone holds every committed batch.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from data_access import engine as engine_module
from data_access import migrate
from data_access.engine import WarehouseBusy, make_engine
from data_access.importing import import_file, loading, undo_import
from data_access.schema import import_batches, school_year
from mhmonitor import cli
from tests.data_access.fixture_warehouse import populate

GOOD_CSV = "学校代码,年度,在校生数\nS1,2025,1250\n".encode()  # fixture S1 has 1200 in 2025


@pytest.fixture
def warehouse_file(tmp_path) -> Path:
    path = tmp_path / "shared.duckdb"
    engine = make_engine(f"duckdb:///{path}", create=True)
    migrate.upgrade(engine)
    populate(engine)
    engine.dispose()
    return path


def other_process_opens(path: Path) -> str:
    """What another process gets when it opens the file: 'opened' or DuckDB's error."""
    code = f"import duckdb; duckdb.connect({str(path)!r}).close(); print('opened')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return (result.stdout + result.stderr).strip()


@contextmanager
def held_by_another_process(path: Path, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process opens the file and keeps it for `seconds` (returns once it holds the lock)."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        connection = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        time.sleep({seconds})
        connection.close()
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def enrollment(connection, school_id: str, year: int) -> int:
    return connection.execute("SELECT enrollment FROM school_year WHERE school_id = ? AND year = ?",
                              [school_id, year]).fetchone()[0]


def test_engine_uses_a_null_pool_for_files_only(tmp_path):
    assert isinstance(make_engine(f"duckdb:///{tmp_path / 'x.duckdb'}", create=True).pool, sa.pool.NullPool)
    assert not isinstance(make_engine("duckdb:///:memory:", create=True).pool, sa.pool.NullPool)


def test_the_file_is_released_between_queries(warehouse_file):
    engine = make_engine(f"duckdb:///{warehouse_file}", create=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(school_year)).scalar_one() > 0
        # While a query runs the file is this process's.
        assert "Could not set lock" in other_process_opens(warehouse_file)
    # The engine is alive (as the dashboard's cached engine is) but holds nothing.
    assert other_process_opens(warehouse_file) == "opened"


def test_a_reader_waits_while_another_process_holds_the_file(warehouse_file):
    engine = make_engine(f"duckdb:///{warehouse_file}", create=True)
    with held_by_another_process(warehouse_file, seconds=2):
        with engine.connect() as conn:  # retried until the holder exits, well within LOCK_WAIT_SECONDS
            count = conn.execute(sa.select(sa.func.count()).select_from(school_year)).scalar_one()
    assert count > 0


def test_a_writer_gives_up_after_the_bound_with_one_chinese_line(warehouse_file, monkeypatch, capsys):
    monkeypatch.setattr(engine_module, "LOCK_WAIT_SECONDS", 0.5)
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{warehouse_file}")
    engine = make_engine()
    with held_by_another_process(warehouse_file, seconds=60):
        with pytest.raises(WarehouseBusy, match="正被另一个进程使用, 等待 0 秒后仍未轮到"):
            import_file(engine, "好.csv", GOOD_CSV, imported_by="测试")
        assert cli.main(["imports"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("错误: 数据仓库文件正被另一个进程使用") and error.count("\n") == 1


def test_other_duckdb_errors_are_not_retried(tmp_path, monkeypatch):
    """A damaged file fails at once (no 20 s wait): only the lock error means "wait for your turn"."""
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(b"\x00not a database" * 1000)
    monkeypatch.setattr(engine_module, "LOCK_WAIT_SECONDS", 3600)
    with pytest.raises(sa.exc.OperationalError, match="not a valid DuckDB database file"):
        make_engine(f"duckdb:///{path}", create=True).connect()


@pytest.mark.parametrize("action", ["import", "undo"])
def test_committed_import_and_undo_are_in_the_main_file(warehouse_file, tmp_path, action):
    """Another connection of the process stays open (as a page query may be), so DuckDB does not checkpoint on
    close: only the explicit CHECKPOINT puts the batch into the main file. The main file is then copied
    without its WAL and opened: S1 2025 enrolment is 1250 after the import, 1200 again after the undo."""
    engine = make_engine(f"duckdb:///{warehouse_file}", create=True)
    with engine.connect() as idle:
        outcome = import_file(engine, "好.csv", GOOD_CSV, imported_by="测试")
        assert outcome.status == "applied"
        expected = 1250
        if action == "undo":
            undo_import(engine, outcome.batch_id, imported_by="测试")
            expected = 1200
        copy = tmp_path / "without_wal.duckdb"
        shutil.copyfile(warehouse_file, copy)
        assert idle.execute(sa.select(sa.func.count()).select_from(import_batches)).scalar_one() >= 1
    connection = duckdb.connect(str(copy))
    try:
        assert enrollment(connection, "S1", 2025) == expected
        statuses = sorted(row[0] for row in connection.execute("SELECT status FROM import_batches").fetchall())
        assert statuses == (["applied"] if action == "import" else ["applied", "undone"])
    finally:
        connection.close()


def test_deleting_the_wal_after_a_committed_import_loses_nothing(warehouse_file):
    engine = make_engine(f"duckdb:///{warehouse_file}", create=True)
    assert import_file(engine, "好.csv", GOOD_CSV, imported_by="测试").status == "applied"
    wal = Path(f"{warehouse_file}.wal")
    wal.unlink(missing_ok=True)
    connection = duckdb.connect(str(warehouse_file))
    try:
        assert enrollment(connection, "S1", 2025) == 1250
    finally:
        connection.close()


def test_a_reader_never_sees_half_an_import(engine, monkeypatch):
    """The import pauses after writing its facts and changes, before committing: a reader then
    still sees S1's 2025 enrolment as 1200 and no batch; once the import commits it sees 1250 and the batch.
    Both engines (on DuckDB, two connections of one process share the file)."""
    populate(engine)
    facts_written, may_commit = threading.Event(), threading.Event()
    record_warnings = loading.record_warnings

    def paused(conn, batch_id, plan):
        facts_written.set()
        assert may_commit.wait(60)
        record_warnings(conn, batch_id, plan)

    monkeypatch.setattr(loading, "record_warnings", paused)
    importing = threading.Thread(target=lambda: import_file(engine, "好.csv", GOOD_CSV, imported_by="测试"))
    importing.start()
    try:
        assert facts_written.wait(60)
        assert seen(engine) == (1200, 0)
    finally:
        may_commit.set()
        importing.join(60)
    assert seen(engine) == (1250, 1)


def seen(engine: sa.Engine) -> tuple[int, int]:
    """(S1's 2025 enrolment, number of batches) as a reader sees them."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(school_year.c.enrollment).where(
            school_year.c.school_id == "S1", school_year.c.year == 2025)).scalar_one()
        return value, conn.execute(sa.select(sa.func.count()).select_from(import_batches)).scalar_one()
