"""Measure the indicator engine on the demo warehouse, on DuckDB and (when reachable) PostgreSQL.

Usage: .venv/bin/python scripts/benchmark_queries.py [--postgres URL]
Prints a markdown table: build time of the demo warehouse and evaluate() time per view, median of 5 runs.
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

from data_access.engine import make_engine  # noqa: E402
from data_access.evaluation import evaluate  # noqa: E402
from demo.generate import build_demo  # noqa: E402

VIEWS = (
    ("Shaanxi cities, 2025, all indicators", "610000", "city", (2025,), None),
    ("Shaanxi counties, 2025, one indicator", "610000", "county", (2025,), ("counselor_coverage",)),
    ("Shaanxi province, 2022-2025 (overview sparklines)", "610000", "province", (2022, 2023, 2024, 2025), None),
    ("Pingliang counties, 2024, all indicators", "620800", "county", (2024,), None),
    ("Xi'an Yanta district schools, 2025, one indicator", "610113", "school", (2025,), ("counselor_coverage",)),
)


def _median_seconds(call, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(engine: sa.Engine, label: str) -> list[str]:
    started = time.perf_counter()
    summary = build_demo(engine)
    rows = [f"| {label} | build demo warehouse | {time.perf_counter() - started:.1f} s | {summary} |"]
    for name, region, level, years, indicators in VIEWS:
        frame = evaluate(engine, region, level, years, indicator_ids=indicators)
        seconds = _median_seconds(
            lambda r=region, lv=level, y=years, i=indicators: evaluate(engine, r, lv, y, indicator_ids=i))
        rows.append(f"| {label} | {name} | {seconds * 1000:.0f} ms | {len(frame)} rows |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a server where the throwaway database mhm_benchmark may be (re)created")
    args = parser.parse_args()
    print("| engine | what | time | size |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for row in measure(make_engine(f"duckdb:///{folder}/bench.duckdb"), "DuckDB"):
            print(row)
    admin = sa.create_engine(args.postgres_admin, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS "mhm_benchmark" WITH (FORCE)'))
            conn.execute(sa.text('CREATE DATABASE "mhm_benchmark"'))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL skipped: {error}", file=sys.stderr)
        return
    engine = make_engine(args.postgres_admin.rsplit("/", 1)[0] + "/mhm_benchmark")
    for row in measure(engine, "PostgreSQL"):
        print(row)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS "mhm_benchmark" WITH (FORCE)'))


if __name__ == "__main__":
    main()
