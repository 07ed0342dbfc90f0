"""A meeting opening the link at once: 50 sessions arriving within 2 s, then clicking without pause.

Each session is a websocket client (scripts/streamlit_session.py) that opens the map page and then keeps
changing the indicator as fast as the server answers. Starts deploy/start.sh (N processes of serve.py,
as ./scripts/run starts one, behind nginx) and measures, for each number of sessions:
- "1 process": every session to the first process directly;
- "N direct": sessions split over the processes' own ports;
- "N via nginx": every session through nginx from one address (127.0.0.1), routed by nginx's cookie.
Printed per setup: page load p50/p95 (connect to the first page drawn), click p50/p95, reruns per second
and server CPU per click (both counted once every session has loaded), RSS of each process, and the share
of sessions each process served (nginx's sessions.log for the nginx path).

--soak [S]: sessions come and go for S seconds (120 by default; the README's figure is a 600-s run): each
opens the map, clicks a few times, leaves, and a new one arrives, through nginx, with the RSS of every
process sampled every 10 s: does memory stay flat?

    WAREHOUSE_URL=postgresql+psycopg://postgres@127.0.0.1/demo PYTHONPATH=. python scripts/benchmark_load.py
    ... scripts/benchmark_load.py --sessions 1 10 50 --seconds 30 --processes 2
    ... scripts/benchmark_load.py --soak 600 --sessions 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit_session import Session, wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ("心理健康专(兼)职教师配备率", "年度心理健康测评开展率")
ARRIVAL_SECONDS = 2.0
SOAK_WARM_SECONDS = 60.0  # the soak's baseline: the first RSS sample from then on
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_of_port(port: int) -> int:
    """The pid of the streamlit process started with --server.port `port`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(argv) and str(port).encode() in argv and b"--server.port" in argv:
            return int(entry.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Tally:
    loads: list[float] = field(default_factory=list)
    clicks: list[tuple[float, float]] = field(default_factory=list)  # (finished at, seconds)
    errors: int = 0
    all_loaded: asyncio.Event = field(default_factory=asyncio.Event)
    stop_at: float = 0.0  # set when the last session has loaded: then everyone clicks for --seconds


async def one_user(base: str, arrive: float, seconds: float, tally: Tally, sessions: int) -> None:
    await asyncio.sleep(arrive)
    started = time.perf_counter()
    try:
        session = await Session.open(base, "map")
    except Exception:  # noqa: BLE001 - counted, the meeting goes on
        tally.errors += 1
        if len(tally.loads) + tally.errors >= sessions:
            tally.all_loaded.set()
        return
    try:
        run = await session.rerun()
        tally.loads.append(time.perf_counter() - started)
        tally.errors += run.exceptions
        if len(tally.loads) + tally.errors >= sessions:
            tally.all_loaded.set()
        await tally.all_loaded.wait()  # clicks are counted once the whole meeting is in
        if not tally.stop_at:
            tally.stop_at = time.perf_counter() + seconds
        turn = 0
        while time.perf_counter() < tally.stop_at:
            run = await session.choose("指标", INDICATORS[turn % 2])
            tally.clicks.append((time.perf_counter(), run.seconds))
            tally.errors += run.exceptions
            turn += 1
    except Exception:  # noqa: BLE001
        tally.errors += 1
        tally.all_loaded.set()
    finally:
        await session.close()


def quantile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def meeting(bases: list[str], sessions: int, seconds: float, pids: list[int]) -> dict:
    tally = Tally()
    arrivals = sorted(random.uniform(0, ARRIVAL_SECONDS) for _ in range(sessions))
    users = [asyncio.create_task(one_user(bases[index % len(bases)], arrive, seconds, tally, sessions))
             for index, arrive in enumerate(arrivals)]
    await tally.all_loaded.wait()
    steady_from, cpu_from = time.perf_counter(), sum(cpu_seconds(pid) for pid in pids)
    await asyncio.gather(*users)
    steady_to, cpu_to = time.perf_counter(), sum(cpu_seconds(pid) for pid in pids)
    clicks = [seconds for finished, seconds in tally.clicks if finished >= steady_from]
    window = max(steady_to - steady_from, 1e-9)
    return {"load_p50": quantile(tally.loads, 50), "load_p95": quantile(tally.loads, 95),
            "click_p50": quantile(clicks, 50), "click_p95": quantile(clicks, 95),
            "reruns_per_s": len(clicks) / window, "cpu_ms_per_click": 1000 * (cpu_to - cpu_from) / max(len(clicks), 1),
            "errors": tally.errors, "clicks": len(clicks),
            "rss_mb": [round(rss_mb(pid)) for pid in pids]}


def sessions_per_process(log: Path, since: int) -> dict[str, int]:
    """Websockets closed per upstream, from nginx's sessions.log lines after line `since`."""
    counts: dict[str, int] = {}
    lines = log.read_text().splitlines()[since:] if log.exists() else []
    for line in lines:
        upstream = line.split()[1]
        counts[upstream] = counts.get(upstream, 0) + 1
    return counts


def log_length(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


async def soak(base: str, sessions: int, seconds: float, pids: list[int]) -> list[tuple[float, list[float]]]:
    """Sessions coming and going for `seconds`; RSS of every process every 10 s."""
    stop_at = time.perf_counter() + seconds
    samples: list[tuple[float, list[float]]] = []

    async def visitor() -> None:
        while time.perf_counter() < stop_at:
            try:
                session = await Session.open(base, "map")
                await session.rerun()
                for turn in range(random.randint(3, 15)):
                    await session.choose("指标", INDICATORS[turn % 2])
                await session.close()
            except Exception:  # noqa: BLE001 - a failed visit is retried by the next visitor
                await asyncio.sleep(1)

    async def sampler() -> None:
        started = time.perf_counter()
        while time.perf_counter() < stop_at:
            samples.append((time.perf_counter() - started, [rss_mb(pid) for pid in pids]))
            print(f"  t={samples[-1][0]:5.0f} s  RSS MB " + " ".join(f"{mb:.0f}" for mb in samples[-1][1]),
                  flush=True)
            await asyncio.sleep(10)

    await asyncio.gather(sampler(), *(visitor() for _ in range(sessions)))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=30.0, help="clicking time after the arrivals")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--setups", nargs="+", default=["1", "direct", "nginx"], choices=["1", "direct", "nginx"])
    parser.add_argument("--soak", type=float, nargs="?", const=120.0, default=0.0,
                        help="seconds of sessions coming and going, RSS sampled (--soak alone: 120 s)")
    parser.add_argument("--ports", type=int, nargs=2, metavar=("LISTEN", "FIRST"),
                        help="nginx's port and the first process's (default: free ports)")
    args = parser.parse_args()
    url = os.environ.get("WAREHOUSE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("WAREHOUSE_URL must name a PostgreSQL warehouse: several processes cannot share DuckDB")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        parser.error("nginx missing: apt-get install nginx")
    listen, first = args.ports or (free_port(), free_port())
    ports = list(range(first, first + args.processes))
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"· {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as run_dir:
        env = {**os.environ, "PYTHON": sys.executable, "NGINX": nginx, "RUN_DIR": run_dir, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([str(ROOT / "deploy" / "start.sh"), str(args.processes), f"127.0.0.1:{listen}",
                                    str(first)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            direct = [f"http://127.0.0.1:{port}" for port in ports]
            for base in direct:
                wait_until_healthy(base, timeout=300)
            proxy = f"http://127.0.0.1:{listen}"
            wait_until_healthy(proxy)
            pids = [process_of_port(port) for port in ports]
            log = Path(run_dir) / "sessions.log"
            if args.soak:
                print(f"soak: {args.sessions[-1]} sessions coming and going through nginx for {args.soak:.0f} s")
                samples = asyncio.run(soak(proxy, args.sessions[-1], args.soak, pids))
                for index in range(len(pids)):
                    series = [rss[index] for _, rss in samples]
                    print(f"process {index + 1}: RSS first {series[0]:.0f} MB, last {series[-1]:.0f} MB, "
                          f"min {min(series):.0f}, max {max(series):.0f} ({100 * (series[-1] / series[0] - 1):+.1f} %)")
                    # Warm after a minute: by then the sessions kept for a reconnect (30 s) are as many as they stay.
                    warm = [rss[index] for seconds, rss in samples if seconds >= SOAK_WARM_SECONDS] or series[-1:]
                    print(f"  from {SOAK_WARM_SECONDS:.0f} s on: first {warm[0]:.0f} MB, last {warm[-1]:.0f} MB, "
                          f"min {min(warm):.0f}, max {max(warm):.0f}: {100 * (min(warm) / warm[0] - 1):+.1f} % / "
                          f"{100 * (max(warm) / warm[0] - 1):+.1f} % of the first (target ±10 %)")
                return 0
            n = args.processes
            setups = {"1": ("1 process", direct[:1], pids[:1]), "direct": (f"{n} direct", direct, pids),
                      "nginx": (f"{n} via nginx, 1 address", [proxy], pids)}
            print(f"{'setup':<24}{'sess':>5}{'load p50/p95 s':>16}{'click p50/p95 s':>17}{'reruns/s':>9}"
                  f"{'cpu ms/click':>13}{'errors':>7}  RSS MB / sessions per process", flush=True)
            for key in args.setups:
                label, bases, measured = setups[key]
                for sessions in args.sessions:
                    before = log_length(log)
                    row = asyncio.run(meeting(bases, sessions, args.seconds, measured))
                    if key == "nginx":
                        time.sleep(1)  # nginx writes a websocket's line when it closes
                        counts = sessions_per_process(log, before)
                        share = [counts.get(f"127.0.0.1:{port}", 0) for port in ports]
                    elif key == "direct":
                        share = [len(range(index, sessions, n)) for index in range(n)]
                    else:
                        share = [sessions]
                    print(f"{label:<24}{sessions:>5}{row['load_p50']:>8.2f}/{row['load_p95']:<7.2f}"
                          f"{row['click_p50']:>9.2f}/{row['click_p95']:<7.2f}{row['reruns_per_s']:>9.1f}"
                          f"{row['cpu_ms_per_click']:>13.0f}{row['errors']:>7}  "
                          + " ".join(f"{mb}" for mb in row["rss_mb"]) + " / " + " ".join(map(str, share)),
                          flush=True)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
