"""Measure the per-run read of the warehouse stamp (identity + revision) that keys every dashboard cache.

Usage: .venv/bin/python scripts/benchmark_revision.py [--runs 200] [--postgres URL]
On the demo warehouse: DuckDB while the file is unchanged (a stat of the file and its WAL), DuckDB right after
a write (the file is opened and warehouse_meta read), and PostgreSQL (one query on a pooled connection).
Prints the median and 95th percentile in milliseconds as a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access import meta, migrate  # noqa: E402
from data_access.engine import make_engine  # noqa: E402
from demo.generate import build_demo  # noqa: E402


def _times(call, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _after_a_write(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        meta.bump_revision(conn)
    time.sleep(meta.SETTLED_NS / 1e9 + 0.02)  # so the read below is a real read, then trusted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/mhm_benchmark_revision")
    args = parser.parse_args()
    print("| warehouse | read | median | p95 |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"duckdb:///{folder}/bench.duckdb", create=True)
        migrate.upgrade(engine)
        build_demo(engine)
        meta.current_stamp(engine)
        median, p95 = _times(lambda: meta.current_stamp(engine), args.runs)
        print(f"| DuckDB demo | file unchanged (stat only) | {median:.3f} ms | {p95:.3f} ms |", flush=True)
        runs = max(10, args.runs // 10)
        samples = []
        for _ in range(runs):
            _after_a_write(engine)
            started = time.perf_counter()
            meta.current_stamp(engine)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        print(f"| DuckDB demo | after a write (opens the file) | {statistics.median(samples):.1f} ms | "
              f"{samples[int(len(samples) * 0.95) - 1]:.1f} ms |", flush=True)
    admin_url, _, name = args.postgres.rpartition("/")
    try:
        admin = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"(PostgreSQL skipped: {error.orig})")
        return
    engine = make_engine(args.postgres)
    migrate.upgrade(engine)
    meta.current_stamp(engine)
    median, p95 = _times(lambda: meta.current_stamp(engine), args.runs)
    print(f"| PostgreSQL | one query, pooled connection | {median:.2f} ms | {p95:.2f} ms |", flush=True)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
