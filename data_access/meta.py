"""Facts about the warehouse itself: demo or real, data date, years that hold reports, identity and revision.

The revision is a counter in `warehouse_meta` that every write bumps in its own transaction
(`bump_revision`): imports, undos, registry changes, `mhmonitor` writes, review transitions. Every process
reads it once per page run (`read_stamp`, one indexed lookup) and keys its caches by it, so a change made by
any process or command is seen at the next click everywhere. `warehouse_id` is a random identity written when
the warehouse is created: a different id at the same URL means the file (or database) was replaced.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from data_access.engine import file_signature
from data_access.schema import awareness_survey, community_year, hospital_year, region_year, school_year, warehouse_meta

REVISION_KEY = "revision"
WAREHOUSE_ID_KEY = "warehouse_id"
# A signature is trusted only for files last modified this long before it was taken: a write within one tick of
# the kernel's file-time clock could otherwise leave the modification time unchanged.
SETTLED_NS = 100_000_000

_last_read: dict[str, tuple[tuple, Stamp]] = {}  # per process: URL -> (file signature, stamp read after it)
_last_read_lock = threading.Lock()


@dataclass(frozen=True)
class WarehouseInfo:
    is_demo: bool
    data_as_of: str | None
    source: str | None
    years: tuple[int, ...]
    dialect: str
    # The pages' default for 仅显示已审核数据: warehouse_meta `approved_only_default` ("1"/"0"); unset, it is on
    # for a real warehouse and off for the demo.
    approved_only_default: bool = False


@dataclass(frozen=True)
class Stamp:
    """Which warehouse this is and how often it has been written to; part of every cache key."""

    warehouse_id: str | None  # None: a warehouse from before migration 0005
    revision: int


def warehouse_info(engine: sa.Engine) -> WarehouseInfo:
    """Demo flag, data date and the years with any report (empty warehouse: no years)."""
    with engine.connect() as conn:
        meta = dict(conn.execute(sa.select(warehouse_meta.c.key, warehouse_meta.c.value)).all())
        years: set[int] = set()
        for table in (school_year, awareness_survey, hospital_year, community_year, region_year):
            years.update(conn.execute(sa.select(table.c.year).distinct()).scalars())
    return WarehouseInfo(
        is_demo=meta.get("is_demo") == "1",
        data_as_of=meta.get("data_as_of"),
        source=meta.get("source"),
        years=tuple(sorted(int(y) for y in years)),
        dialect=engine.dialect.name,
        approved_only_default=meta.get(APPROVED_ONLY_DEFAULT_KEY, "0" if meta.get("is_demo") == "1" else "1") == "1",
    )


def read_stamp(conn: sa.Connection) -> Stamp:
    """The warehouse's identity and revision (one small query on the meta table's key)."""
    query = sa.select(warehouse_meta.c.key, warehouse_meta.c.value).where(
        warehouse_meta.c.key.in_((REVISION_KEY, WAREHOUSE_ID_KEY)))
    found = dict(conn.execute(query).all())
    return Stamp(found.get(WAREHOUSE_ID_KEY), int(found.get(REVISION_KEY) or 0))


def current_stamp(engine: sa.Engine) -> Stamp:
    """The stamp now. On a DuckDB file, while a stat shows the file and its WAL unchanged since the last read in
    this process, the stamp read then (no connection: opening the file costs tens of milliseconds, a stat
    microseconds); otherwise, and always on PostgreSQL, one query. WarehouseMissing when the file is gone (it is
    never created by reading)."""
    signature = file_signature(engine)
    key = engine.url.render_as_string(hide_password=False)
    if signature is not None:
        with _last_read_lock:
            known = _last_read.get(key)
        if known is not None and known[0] == signature:
            return known[1]
    settled = signature is not None and time.time_ns() - _latest_change_ns(signature) > SETTLED_NS
    with engine.connect() as conn:
        stamp = read_stamp(conn)
    if settled:
        # Read after the stat: a write in between makes the next stat differ, so this is never too old.
        with _last_read_lock:
            _last_read[key] = (signature, stamp)
    return stamp


def _latest_change_ns(signature: tuple) -> int:
    main_mtime, main_ctime, wal = signature[2], signature[3], signature[4]
    return max(main_mtime, main_ctime, wal[2] if wal else 0)


def bump_revision(conn: sa.Connection) -> None:
    """Count one more write, inside the caller's transaction (so it commits or rolls back with the write).

    Call it from every path that changes what a page shows or who may see it: imports, undos, registry
    changes, account changes, review transitions (data_access/review.py: call it in the same transaction as
    the transition). Call it late in the transaction: on PostgreSQL the counter's row stays locked until
    commit, so concurrent writers queue on it only for the rest of their transaction.
    """
    bumped = conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == REVISION_KEY).values(
        value=sa.cast(sa.cast(warehouse_meta.c.value, sa.BigInteger) + 1, sa.String)))
    if bumped.rowcount == 0:
        conn.execute(sa.insert(warehouse_meta).values(key=REVISION_KEY, value="1"))


APPROVED_ONLY_DEFAULT_KEY = "approved_only_default"


def set_approved_only_default(engine: sa.Engine, on: bool | None) -> None:
    """The pages' default for 仅显示已审核数据 (None: back to on for a real warehouse, off for the demo)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(warehouse_meta).where(warehouse_meta.c.key == APPROVED_ONLY_DEFAULT_KEY))
        if on is not None:
            conn.execute(sa.insert(warehouse_meta).values(key=APPROVED_ONLY_DEFAULT_KEY, value="1" if on else "0"))
        bump_revision(conn)
