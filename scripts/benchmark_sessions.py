"""What checking the session on every run costs: the user row alone (before) vs the user row joined to the
session row (web_sessions.current_user, so a session ended anywhere ends at the next click), and what the
sign-in throttle's look-ups cost on a large sign-in log.

Usage: .venv/bin/python scripts/benchmark_sessions.py [--postgres postgresql+psycopg://postgres@127.0.0.1/postgres]
Builds a migrated warehouse (DuckDB in a temporary file; with --postgres also a throwaway PostgreSQL database
on that server) with 500 accounts, 5,000 browser sessions and 20,000 sign-in events, then times each call
41 times, the two per-run checks alternating so that load from other processes hits both alike. Prints a
markdown table: median and fastest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access import accounts, migrate, web_sessions  # noqa: E402
from data_access.engine import make_engine  # noqa: E402
from data_access.regions import ALL_REGIONS  # noqa: E402
from data_access.schema import auth_events, users  # noqa: E402
from data_access.schema import web_sessions as sessions_table  # noqa: E402

RUNS = 41
USERS, SESSIONS, EVENTS = 500, 5_000, 20_000


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _populate(engine: sa.Engine) -> str:
    """Accounts, sessions and sign-in events; the token of one open session of user0001."""
    now = datetime.now(UTC).replace(tzinfo=None)
    hashed = accounts.hash_password("Benchmark-pass-1")
    with engine.begin() as conn:
        conn.execute(sa.insert(users), [dict(
            login=f"user{n:04d}", display_name=f"用户{n}", role="reporter", region_adcode=ALL_REGIONS, active=True,
            password_hash=hashed, oidc_subject=None, email=None, created_at=now, last_login_at=None,
            must_change_password=False) for n in range(USERS)])
        conn.execute(sa.insert(sessions_table), [dict(
            token_hash=uuid.uuid4().hex * 2, login=f"user{n % USERS:04d}", method="password",
            created_at=now, last_seen_at=now, ended_at=now if n % 3 else None) for n in range(SESSIONS)])
        conn.execute(sa.insert(auth_events), [dict(
            event_id=str(uuid.uuid4()), occurred_at=now - timedelta(seconds=n), login=f"user{n % USERS:04d}",
            event="login_failed" if n % 4 else "login_ok", method="password", detail=None,
            source=f"10.0.{n % 200}.{n % 250}") for n in range(EVENTS)])
    return web_sessions.open_session(engine, "user0001", "password")


def _measure(label: str, engine: sa.Engine) -> list[str]:
    token = _populate(engine)
    before = lambda: accounts.active_user(engine, "user0001")  # noqa: E731
    after = lambda: web_sessions.current_user(engine, "user0001", token)  # noqa: E731
    assert before() is not None and after() is not None
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(RUNS):
        times[0].append(_timed(before))
        times[1].append(_timed(after))

    def lock_check() -> None:
        with engine.connect() as conn:
            accounts.lock_of(conn, "user0001", "10.0.1.1", datetime.now(UTC).replace(tzinfo=None))

    locks = [_timed(lock_check) for _ in range(RUNS)]
    rows = []
    for name, values in (("per run, before: the user row (accounts.active_user)", times[0]),
                         ("per run, now: user row + session row (web_sessions.current_user)", times[1]),
                         ("per sign-in: the throttle's look-ups (accounts.lock_of)", locks)):
        rows.append(f"| {label} | {name} | {statistics.median(values):.1f} / {min(values):.1f} ms |")
    rows.append(f"| {label} | difference of the per-run medians | "
                f"{statistics.median(times[1]) - statistics.median(times[0]):+.1f} ms |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (a throwaway database is made)")
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"duckdb:///{Path(folder) / 'sessions.duckdb'}", create=True)
        migrate.upgrade(engine)
        rows += _measure("DuckDB (file, opened per use)", engine)
        engine.dispose()
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"mhm_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            engine = make_engine(f"{args.postgres.rsplit('/', 1)[0]}/{name}")
            migrate.upgrade(engine)
            rows += _measure("PostgreSQL", engine)
            engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"{USERS} accounts, {SESSIONS} browser sessions, {EVENTS} sign-in events; median / fastest of {RUNS}\n")
    print("| warehouse | call | time |")
    print("|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
