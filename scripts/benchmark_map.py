"""Map page cost per rerun, against the naive single-file app (scripts/naive_map_app.py), in the same run.

Starts both apps as Streamlit processes on free loopback ports over copies of the same warehouse (DuckDB
allows one process per file), drives each with headless websocket sessions (scripts/streamlit_session.py)
and reports, per step, websocket bytes, wall time (send rerun -> script_finished, loopback) and the server
process's CPU time (from /proc: what the rerun cost the server even on a busy machine), and the ratios
naive / dashboard:

- first visit: a cold process, first page load (also counts the script runs it took; target 1);
- province: the province map after an indicator change;
- drill: province -> a city (sidebar change, the same state a map click sets);
- county: city -> a county (school points).

The dashboard is measured once more with 仅显示已审核数据 switched on (the approved-only basis: a different
cache key, review states read once per evaluation); its warm drill is compared with the ordinary one.

Warm figures are the median of REPEAT rounds after one warm-up round; the indicator alternates between two,
so each view is seen again. Bytes are measured without the browser's message cache (every element sent in
full: the worst case) and with it (a view seen before sends its large elements as references), for both.

    PYTHONPATH=. python scripts/benchmark_map.py [--warehouse var/warehouse.duckdb] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit_session import first_visit, wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CITY, COUNTY = "西安市", "碑林区"
INDICATORS = ("心理健康专(兼)职教师配备率", "年度心理健康测评开展率")
YEAR = "2025年"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(script: Path, warehouse: Path, port: int, cwd: Path = ROOT) -> subprocess.Popen:
    """A Streamlit process on `script`; it reads .streamlit/config.toml from `cwd` (the naive app runs from an
    empty folder: Streamlit's defaults, not the dashboard's tuning)."""
    env = {**os.environ, "WAREHOUSE_URL": f"duckdb:///{warehouse}", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all threads), from /proc: robust to a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Step:
    bytes: int  # websocket messages + boundary files fetched over HTTP in this step
    wall: float
    cpu: float
    runs: int
    http: int = 0  # of which boundary files (fetched once per page load, like plotly.js does)


APPROVED_ONLY = "仅显示已审核数据"


async def measure(base: str, pid: int, page: str, repeat: int, message_cache: bool,
                  approved_only: bool = False) -> dict[str, Step]:
    """Bytes, wall and server CPU seconds, script runs per step; warm steps are medians over `repeat` rounds."""
    async def timed(action) -> Step:
        before = cpu_seconds(pid)
        run = await action
        return Step(run.bytes, run.seconds, cpu_seconds(pid) - before, run.script_runs, run.http_bytes)

    before = cpu_seconds(pid)
    session, first = await first_visit(base, page, message_cache=message_cache)
    results = {"first visit": Step(first.bytes, first.seconds, cpu_seconds(pid) - before, first.script_runs,
                                   first.http_bytes)}
    await session.choose("年度", YEAR)
    if approved_only:
        await session.toggle(APPROVED_ONLY, True)
    rounds: dict[str, list[Step]] = {"province": [], "drill": [], "county": []}
    for index in range(repeat + 1):
        await session.choose("市", "全省")
        province = await timed(session.choose("指标", INDICATORS[index % 2]))
        drill = await timed(session.choose("市", CITY))
        county = await timed(session.choose("县(区)", COUNTY))
        if index:  # round 0 warms the process caches
            for step, run in (("province", province), ("drill", drill), ("county", county)):
                rounds[step].append(run)
    for step, runs in rounds.items():
        results[step] = Step(int(statistics.median(r.bytes for r in runs)), statistics.median(r.wall for r in runs),
                             statistics.median(r.cpu for r in runs), max(r.runs for r in runs),
                             int(statistics.median(r.http for r in runs)))
    await session.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "var" / "warehouse.duckdb")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.warehouse.exists():
        parser.error(f"{args.warehouse} not found: build it with `mhmonitor demo`")
    with tempfile.TemporaryDirectory() as folder:
        copies = []
        for name in ("dashboard", "naive"):
            copy = Path(folder) / f"{name}.duckdb"
            shutil.copy(args.warehouse, copy)
            copies.append(copy)
        ports = free_port(), free_port()
        processes = [start(ROOT / "app.py", copies[0], ports[0]),
                     start(ROOT / "scripts" / "naive_map_app.py", copies[1], ports[1], cwd=Path(folder))]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for base in bases:
                wait_until_healthy(base)
            pids = [process.pid for process in processes]
            ours = asyncio.run(measure(bases[0], pids[0], "map", args.repeat, message_cache=False))
            naive = asyncio.run(measure(bases[1], pids[1], "", args.repeat, message_cache=False))
            cached = asyncio.run(measure(bases[0], pids[0], "map", args.repeat, message_cache=True))
            naive_cached = asyncio.run(measure(bases[1], pids[1], "", args.repeat, message_cache=True))
            switched = asyncio.run(measure(bases[0], pids[0], "map", args.repeat, message_cache=False,
                                           approved_only=True))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)
    print("kB: bytes per rerun (websocket messages + boundary files fetched over HTTP for the first time, of "
          "which 'http') without / with the browser's message cache; ms: wall time to script_finished and server "
          "process CPU time (median); runs: script runs (first visit: target 1)")
    print(f"{'step':<12}{'kB':>8}{'http':>6}{'naive':>8}{'ratio':>7}{'kB cache':>10}{'naive':>8}{'ratio':>7}"
          f"{'wall ms':>9}{'naive':>8}{'cpu ms':>8}{'naive':>8}{'ratio':>7}{'runs':>6}")
    for step in ours:
        a, b, c, d = ours[step], naive[step], cached[step], naive_cached[step]
        print(f"{step:<12}{a.bytes / 1000:>8.1f}{a.http / 1000:>6.1f}{b.bytes / 1000:>8.1f}{b.bytes / a.bytes:>7.1f}"
              f"{c.bytes / 1000:>10.1f}{d.bytes / 1000:>8.1f}{d.bytes / c.bytes:>7.1f}"
              f"{a.wall * 1000:>9.0f}{b.wall * 1000:>8.0f}{a.cpu * 1000:>8.0f}{b.cpu * 1000:>8.0f}"
              f"{(b.cpu / a.cpu if a.cpu else float('nan')):>7.1f}{a.runs:>6}")
    print(f"\n{APPROVED_ONLY} on (warm, median): kB, wall ms, cpu ms, and wall / cpu against the same step off")
    for step in ("province", "drill", "county"):
        a, s = ours[step], switched[step]
        print(f"{step:<12}{s.bytes / 1000:>8.1f}{s.wall * 1000:>9.0f}{s.cpu * 1000:>8.0f}"
              f"{s.wall / a.wall:>7.2f}x{(s.cpu / a.cpu if a.cpu else float('nan')):>7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
