"""Measure the indicator engine on DuckDB and PostgreSQL, on the demo or a synthetic national warehouse.

Usage:
  .venv/bin/python scripts/benchmark_queries.py                      # the demo warehouse (Shaanxi, Pingliang)
  .venv/bin/python scripts/benchmark_queries.py --national [--scale 0.1]
      # a generated national warehouse (scripts/synthetic_warehouse.py): at scale 1.0 2,875 counties,
      # 500,000 schools and four years of reports; --scale shrinks it for a quick run.
Prints a markdown table: build time of the warehouse and evaluate() time per view on each engine (median
of --runs runs) and the PostgreSQL / DuckDB ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_access.engine import make_engine  # noqa: E402
from data_access.evaluation import evaluate  # noqa: E402

DEMO_VIEWS = (
    ("Shaanxi cities, 2025, all indicators", "610000", "city", (2025,), None),
    ("Shaanxi counties, 2025, one indicator", "610000", "county", (2025,), ("counselor_coverage",)),
    ("Shaanxi province, 2022-2025 (overview sparklines)", "610000", "province", (2022, 2023, 2024, 2025), None),
    ("Pingliang counties, 2024, all indicators", "620800", "county", (2024,), None),
    ("Xi'an Yanta district schools, 2025, one indicator", "610113", "school", (2025,), ("counselor_coverage",)),
)
NATIONAL_VIEWS = (
    ("one province at city level, 2025, all indicators", "610000", "city", (2025,), None),
    ("one province at county level, 2025, all indicators", "610000", "county", (2025,), None),
    ("one province at city level, 2022-2025, all indicators", "610000", "city", (2022, 2023, 2024, 2025), None),
    ("one province, 2025, one indicator", "610000", "province", (2025,), ("counselor_coverage",)),
    ("one city's counties, 2025, all indicators", "620800", "county", (2025,), None),
    ("one county's schools, 2025, all indicators", "610101", "school", (2025,), None),
)
BENCHMARK_DATABASE = "mhm_benchmark"


def _median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(engine: sa.Engine, build: Callable[[sa.Engine], object], views: tuple, runs: int) -> dict[str, tuple]:
    """Build time and summary, then per view: (median seconds, rows)."""
    started = time.perf_counter()
    summary = build(engine)
    found = {"build": (time.perf_counter() - started, str(summary.describe() if hasattr(summary, "describe")
                                                            else summary))}
    for name, region, level, years, indicators in views:
        frame = evaluate(engine, region, level, years, indicator_ids=indicators)  # warm-up, and the row count
        seconds = _median_seconds(
            lambda r=region, lv=level, y=years, i=indicators: evaluate(engine, r, lv, y, indicator_ids=i), runs)
        found[name] = (seconds, len(frame))
    return found


def _postgres(admin_url: str) -> sa.Engine | None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCHMARK_DATABASE}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{BENCHMARK_DATABASE}"'))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL skipped: {error}", file=sys.stderr)
        return None
    finally:
        admin.dispose()
    return make_engine(admin_url.rsplit("/", 1)[0] + f"/{BENCHMARK_DATABASE}", create=True)


def _drop_postgres(admin_url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCHMARK_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help=f"a server where the throwaway database {BENCHMARK_DATABASE} may be (re)created")
    parser.add_argument("--national", action="store_true", help="a synthetic national warehouse instead of the demo")
    parser.add_argument("--scale", type=float, default=1.0, help="national warehouse size (1.0 = 500,000 schools)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.national:
        from synthetic_warehouse import build as build_national

        views, build = NATIONAL_VIEWS, lambda engine: build_national(engine, args.scale)
    else:
        from demo.generate import build_demo

        views, build = DEMO_VIEWS, build_demo
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"duckdb:///{folder}/bench.duckdb", create=True)
        results["DuckDB"] = measure(engine, build, views, args.runs)
        engine.dispose()
    engine = _postgres(args.postgres_admin)
    if engine is not None:
        results["PostgreSQL"] = measure(engine, build, views, args.runs)
        engine.dispose()
        _drop_postgres(args.postgres_admin)
    print("| what | " + " | ".join(results) + " | PostgreSQL / DuckDB | rows |")
    print("|---|" + "---|" * (len(results) + 2))
    duck = results["DuckDB"]
    build_cells = " | ".join(f"{found['build'][0]:.0f} s" for found in results.values())
    print(f"| build warehouse ({duck['build'][1]}) | {build_cells} | | |")
    for name, *_ in views:
        cells = " | ".join(f"{found[name][0] * 1000:.0f} ms" for found in results.values())
        ratio = f"{results['PostgreSQL'][name][0] / duck[name][0]:.1f}x" if "PostgreSQL" in results else ""
        print(f"| {name} | {cells} | {ratio} | {duck[name][1]} |")


if __name__ == "__main__":
    main()
