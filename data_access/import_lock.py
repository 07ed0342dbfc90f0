"""The one lock row that serialises every write touching reported figures: imports, undos and review
transitions take it first thing in their transaction, so none of them ever interleave."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from data_access.schema import import_locks

LOCK_NAME = "import"
# PostgreSQL: how long a writer waits for another one before giving up.
LOCK_WAIT_SECONDS = 20


class ImportBusy(Exception):
    """Another writer holds the lock; message in Chinese."""


def take_lock(conn: sa.Connection, holder: str, wait_seconds: int = LOCK_WAIT_SECONDS) -> None:
    """Take the lock row: PostgreSQL waits (up to `wait_seconds`) on it; DuckDB refuses a concurrent writer
    with a conflict, which we turn into a clear message."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"SET LOCAL lock_timeout = '{int(wait_seconds)}s'"))
    now = datetime.now(UTC).replace(tzinfo=None)
    statement = sa.update(import_locks).where(import_locks.c.name == LOCK_NAME).values(holder=holder, acquired_at=now)
    try:
        result = conn.execute(statement)
    except sa.exc.DBAPIError as error:
        raise ImportBusy("另一项导入或审核正在写入数据仓库, 本次未做任何修改: 请稍后重试") from error
    if result.rowcount == 0:
        conn.execute(sa.insert(import_locks).values(name=LOCK_NAME, holder=holder, acquired_at=now))
