"""What sharing the embedded DuckDB file costs: a connection opened per use (NullPool) vs one held open.

Usage: .venv/bin/python scripts/benchmark_connections.py
Builds the demo warehouse in a temporary file, then times the same calls through make_engine() (NullPool:
the file is opened and released around every use) and through an engine that keeps its connection
(QueuePool, what the dashboard did before). Prints a markdown table: median and fastest of 21 runs, the two
engines alternating run by run so that load from other processes on the machine hits both alike.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access.engine import make_engine  # noqa: E402
from data_access.evaluation import evaluate  # noqa: E402
from data_access.meta import warehouse_info  # noqa: E402
from data_access.regions import region_frame  # noqa: E402
from demo.generate import build_demo  # noqa: E402

RUNS = 21


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _alternating_ms(call, shared: sa.Engine, held: sa.Engine) -> tuple[list[float], list[float]]:
    """Times of call(shared) with nothing else open in the process (a held connection would keep DuckDB's
    database instance alive, and the per-use connection would reuse it instead of opening the file), and of
    call(held) with its connection already open."""
    call(shared)  # warm: imports, plan caches
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(RUNS):
        held.dispose()
        times[0].append(_timed(lambda: call(shared)))
        call(held)  # opens and keeps the held connection
        times[1].append(_timed(lambda: call(held)))
    return times


def _select_one(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.select(sa.literal(1))).scalar_one()


def _page(engine: sa.Engine) -> None:
    """What the map page asks for on a rerun with cold caches: sidebar facts, regions, one indicator."""
    warehouse_info(engine)
    region_frame(engine)
    evaluate(engine, "610000", "county", (2025,), indicator_ids=("counselor_coverage",))


CALLS = (
    ("open, SELECT 1, close", _select_one),
    ("warehouse_info (sidebar)", warehouse_info),
    ("Shaanxi counties, 2025, one indicator (evaluate)", lambda engine: evaluate(
        engine, "610000", "county", (2025,), indicator_ids=("counselor_coverage",))),
    ("map page with cold caches (info + regions + evaluate)", _page),
)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"duckdb:///{Path(folder) / 'demo.duckdb'}"
        build = make_engine(url, create=True)
        build_demo(build)
        size_mb = (Path(folder) / "demo.duckdb").stat().st_size / 1024 / 1024
        shared = make_engine(url, create=True)
        held = sa.create_engine(url)  # QueuePool: keeps the file open between uses
        print(f"demo warehouse file: {size_mb:.0f} MB\n")
        print("| call | per use (NullPool): median / fastest | held (QueuePool): median / fastest |"
              " difference of medians |")
        print("|---|---|---|---|")
        for name, call in CALLS:
            per_use, kept = _alternating_ms(call, shared, held)
            print(f"| {name} | {statistics.median(per_use):.0f} / {min(per_use):.0f} ms | "
                  f"{statistics.median(kept):.0f} / {min(kept):.0f} ms | "
                  f"{statistics.median(per_use) - statistics.median(kept):+.0f} ms |")
        held.dispose()


if __name__ == "__main__":
    main()
