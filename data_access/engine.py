"""One engine factory and one transaction helper for both warehouse engines.

WAREHOUSE_URL (environment) or [warehouse] url in .streamlit/secrets.toml names a PostgreSQL
warehouse; otherwise the embedded DuckDB file var/warehouse.duckdb is used.

The DuckDB file is shared, not held: a DuckDB file is locked by the process that has it open, so the engine
opens it per use (NullPool) and the dashboard releases it between queries. A process that finds it locked by
another one (a CLI import while a page query runs, or the reverse) retries for up to LOCK_WAIT_SECONDS.

DuckDB creates an empty database when asked to open a file that does not exist. An engine therefore opens
existing files only (WarehouseMissing otherwise); only `mhmonitor init`, `mhmonitor demo` (and tests and
benchmarks building a warehouse) ask for `create=True`. A deleted warehouse is never silently replaced by an
empty one.
"""

from __future__ import annotations

import logging
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from data_access import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "var" / "warehouse.duckdb"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
LOCK_WAIT_SECONDS = 20.0
LOCK_RETRY_SECONDS = 0.1
_LOCKED = "Could not set lock on file"

log = logging.getLogger(__name__)


class WarehouseBusy(Exception):
    """Another process kept the DuckDB file locked longer than LOCK_WAIT_SECONDS; message in Chinese."""


class WarehouseMissing(Exception):
    """The DuckDB file named by the warehouse URL does not exist; message in Chinese (one line)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"数据仓库文件 {path} 不存在 (已被删除、移走, 或 WAREHOUSE_URL 写错): 未创建任何文件。"
                         "请管理员检查 WAREHOUSE_URL 或 .streamlit/secrets.toml 中的路径, 从备份恢复该文件, "
                         "或用 mhmonitor init / mhmonitor demo 新建数据仓库")


def warehouse_url() -> str:
    """The configured warehouse URL: env WAREHOUSE_URL, then secrets.toml, then the DuckDB file."""
    url = settings.value("WAREHOUSE_URL")
    if url:
        return url
    if SECRETS_PATH.exists():
        with SECRETS_PATH.open("rb") as handle:
            secrets = tomllib.load(handle)
        url = str(secrets.get("warehouse", {}).get("url", "")).strip()
        if url:
            return url
    return f"duckdb:///{DEFAULT_DUCKDB_PATH}"


def make_engine(url: str | None = None, *, create: bool = False) -> sa.Engine:
    """Engine for the given URL (default: warehouse_url()).

    A DuckDB file must exist (each connection raises WarehouseMissing otherwise) unless `create` is set, which
    also creates its folder: only `mhmonitor init` and `mhmonitor demo` create a warehouse.
    """
    url = url or warehouse_url()
    if create and _is_duckdb_file(url):
        Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we install; plain postgresql:// would look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # DuckDB turns the scope filter of the indicator engine into lookups in the foreign-key index on
    # county_adcode, 6x slower than scanning (330 ms vs 60 ms for one indicator over 50,000 schools).
    duckdb_args = {"connect_args": {"config": {"index_scan_max_count": 0}}} if url.startswith("duckdb:") else {}
    if not _is_duckdb_file(url):
        engine = sa.create_engine(url, **duckdb_args)
        if engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect", _without_jit)
        return engine
    # Connections close when returned: when the last one in this process closes, DuckDB releases the file.
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, **duckdb_args)
    path = url.removeprefix("duckdb:///").split("?", 1)[0]

    def connect(dialect, connection_record, cargs, cparams):
        if not create and not Path(path).is_file():
            raise WarehouseMissing(path)
        return _connect_waiting_for_lock(dialect, connection_record, cargs, cparams)

    sa.event.listen(engine, "do_connect", connect)
    return engine


def _without_jit(dbapi_connection, connection_record) -> None:
    """PostgreSQL's JIT compiles the engine's statements anew each time (costed as large): on the national
    benchmark it added ~0.4 s to a 4-year province view (1.2 s -> 0.8 s without). Set per connection, so a
    URL's own `options` are left alone."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _is_duckdb_file(url: str) -> bool:
    return url.startswith("duckdb:///") and url.removeprefix("duckdb:///") not in ("", ":memory:")


def _connect_waiting_for_lock(dialect, connection_record, cargs, cparams):
    """Open the DuckDB file, retrying while another process holds its lock (bounded by LOCK_WAIT_SECONDS)."""
    import duckdb

    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return dialect.connect(*cargs, **dict(cparams))  # connect() pops keys: each try gets its own copy
        except duckdb.IOException as error:
            if _LOCKED not in str(error):
                raise
            if time.monotonic() >= deadline:
                log.info("DuckDB file still locked after %.0f s: %s", LOCK_WAIT_SECONDS, error)
                raise WarehouseBusy(f"数据仓库文件正被另一个进程使用, 等待 {LOCK_WAIT_SECONDS:.0f} 秒后仍未轮到,"
                                    " 本次未做任何修改: 请稍后重试") from error
            time.sleep(LOCK_RETRY_SECONDS)


def is_duckdb(engine: sa.Engine) -> bool:
    return engine.dialect.name == "duckdb"


def duckdb_file(engine: sa.Engine) -> Path | None:
    """The DuckDB file an engine opens (None for PostgreSQL and in-memory DuckDB)."""
    url = engine.url.render_as_string(hide_password=False)
    return Path(url.removeprefix("duckdb:///").split("?", 1)[0]) if _is_duckdb_file(url) else None


def file_signature(engine: sa.Engine) -> tuple | None:
    """What a stat of the DuckDB file and its WAL says about them (None when not a DuckDB file): every commit
    appends to the WAL and every checkpoint rewrites the file, so an unchanged signature means unchanged data.
    WarehouseMissing when the file is gone."""
    path = duckdb_file(engine)
    if path is None:
        return None
    try:
        main = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(str(path)) from None
    try:
        wal = path.with_name(path.name + ".wal").stat()
        wal_part = (wal.st_ino, wal.st_size, wal.st_mtime_ns)
    except FileNotFoundError:
        wal_part = None
    return (main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns, wal_part)


def checkpoint(engine: sa.Engine) -> None:
    """DuckDB: move committed data from the WAL into the main file, so losing the WAL loses nothing.

    Called after each committed import, undo and demo build. Open readers do not stop it; a checkpoint that
    cannot run now (another connection of this process is in the middle of writing) is logged, not raised:
    the data is committed either way, and DuckDB checkpoints again when the last connection closes.
    """
    if not is_duckdb(engine):
        return
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    except sa.exc.DBAPIError as error:
        log.warning("CHECKPOINT skipped: %s", error.orig)


@contextmanager
def transaction(engine_or_conn: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """Yield a connection inside a transaction, whether given an Engine or a Connection.

    With a Connection already in a transaction, a SAVEPOINT would be the usual answer, but DuckDB
    has none: we join the caller's transaction instead, so all-or-nothing is the caller's.
    """
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.begin() as conn:
            yield conn
    elif engine_or_conn.in_transaction():
        yield engine_or_conn
    else:
        with engine_or_conn.begin():
            yield engine_or_conn
