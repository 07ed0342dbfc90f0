"""Reruns per second and p95 per rerun for 1, 10 and 50 headless sessions, on one and on two processes.

Each session is a websocket client (scripts/streamlit_session.py) that opens the map page and then keeps
changing the indicator without pause (a user clicking as fast as the server answers). One process is
reached directly; two processes through nginx with sticky sessions (deploy/start.sh), which needs the
Debian package nginx. Loopback only, bounded in time: each measurement lasts --seconds.

Sessions from one address all stick to one process under ip_hash, so for two processes the benchmark
splits sessions between the two processes' own ports (what sticky sessions do for many client addresses)
and also reports the nginx path with one address.

    WAREHOUSE_URL=postgresql+psycopg://postgres@127.0.0.1/demo PYTHONPATH=. python scripts/benchmark_load.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit_session import Session, wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ("心理健康专(兼)职教师配备率", "年度心理健康测评开展率")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def one_user(base: str, stop_at: float, latencies: list[float]) -> None:
    session = await Session.open(base, "map")
    try:
        await session.rerun()
        turn = 0
        while time.perf_counter() < stop_at:
            run = await session.choose("指标", INDICATORS[turn % 2])
            latencies.append(run.seconds)
            turn += 1
    finally:
        await session.close()


async def load(bases: list[str], sessions: int, seconds: float) -> tuple[float, float, int]:
    """(reruns per second, p95 seconds, reruns) with `sessions` users spread over `bases`."""
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(one_user(bases[index % len(bases)], stop_at, latencies) for index in range(sessions)))
    elapsed = time.perf_counter() - started
    if not latencies:
        return 0.0, float("nan"), 0
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    return len(latencies) / elapsed, p95, len(latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    url = os.environ.get("WAREHOUSE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("WAREHOUSE_URL must name a PostgreSQL warehouse: several processes cannot share DuckDB")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        parser.error("nginx missing: apt-get install nginx")
    listen, first = free_port(), free_port()
    with tempfile.TemporaryDirectory() as run_dir:
        env = {**os.environ, "PYTHON": sys.executable, "NGINX": nginx, "RUN_DIR": run_dir,
               "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([str(ROOT / "deploy" / "start.sh"), "2", f"127.0.0.1:{listen}", str(first)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            processes = [f"http://127.0.0.1:{port}" for port in (first, first + 1)]
            for base in processes:
                wait_until_healthy(base, timeout=120)
            proxy = f"http://127.0.0.1:{listen}"
            wait_until_healthy(proxy)
            asyncio.run(load(processes, 2, 5))  # warm both processes' caches
            print(f"{'setup':<34}{'sessions':>9}{'reruns/s':>10}{'p95 ms':>9}{'reruns':>8}")
            for label, bases in (("1 process", processes[:1]), ("2 processes (split by address)", processes),
                                 ("2 processes via nginx, 1 address", [proxy])):
                for sessions in args.sessions:
                    rate, p95, count = asyncio.run(load(bases, sessions, args.seconds))
                    print(f"{label:<34}{sessions:>9}{rate:>10.1f}{p95 * 1000:>9.0f}{count:>8}", flush=True)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
