"""An import whose process dies mid-transaction leaves the warehouse exactly as before, on both engines.

The child process imports a file with one row per write and kills itself (os._exit, no cleanup, no
rollback) after the first rows went to the database; the transaction never commits.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import sqlalchemy as sa

from data_access.importing import import_file
from data_access.schema import import_batches, import_locks, school_year
from tests.data_access import fixture_warehouse

REPORT = "学校代码,年度,在校生数,专职心理健康教师数\nS1,2025,1201,2\nS2,2025,902,2\nS3,2025,903,2\nS5,2023,904,2\n"

CHILD = textwrap.dedent("""
    import os, sys
    from data_access.engine import make_engine
    from data_access.importing import loading

    real_write, calls = loading._write, []

    def write_then_die(conn, statement, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            os._exit(9)  # killed mid-import: two rows already sent to the database, nothing committed
        real_write(conn, statement, rows)

    loading._write, loading.WRITE_CHUNK = write_then_die, 1
    url, path = sys.argv[1], sys.argv[2]
    outcome = loading.import_file(make_engine(url), "报表.csv", open(path, "rb").read(), imported_by="child")
    print(outcome.summary_lines())  # only reached when the import did not get to its third write
    sys.exit(0)
""")


def _facts(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(school_year).order_by(school_year.c.school_id,
                                                                                    school_year.c.year))]


def test_killed_import_leaves_nothing_and_the_next_import_succeeds(engine, tmp_path):
    fixture_warehouse.populate(engine)
    before = _facts(engine)
    report = tmp_path / "报表.csv"
    report.write_text(REPORT, encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # DuckDB: one process per file; let the child open it

    child = subprocess.run([sys.executable, "-c", CHILD, url, str(report)], capture_output=True, text=True,
                           timeout=120)
    assert child.returncode == 9, child.stdout + child.stderr

    assert _facts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_batches)).scalar_one() == 0
        assert conn.execute(sa.select(import_locks.c.holder)).scalar_one() is None  # lock update rolled back
    outcome = import_file(engine, "报表.csv", report.read_bytes(), imported_by="clerk")
    assert outcome.status == "applied", outcome.summary_lines()
    assert len(outcome.plan.added) + len(outcome.plan.changed) == 4
