"""The warehouse revision: bumped in the same transaction by every write, so caches keyed by it see a change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import meta
from data_access.importing import import_file, undo_import
from tests.data_access import fixture_warehouse


@pytest.fixture
def warehouse(engine) -> sa.Engine:
    fixture_warehouse.populate(engine)
    return engine


def revision(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return meta.read_stamp(conn).revision


def test_import_and_undo_bump_the_revision_and_a_no_op_does_not(warehouse):
    assert revision(warehouse) == 0
    report = "学校代码,年度,在校生数\nS1,2025,1201\n".encode()
    applied = import_file(warehouse, "年报.csv", report, imported_by="test")
    assert applied.status == "applied" and revision(warehouse) == 1
    assert import_file(warehouse, "年报.csv", report, imported_by="test").plan.touches_anything is False
    assert revision(warehouse) == 1  # nothing changed, nothing to see
    assert import_file(warehouse, "年报.csv", report, imported_by="test", dry_run=True).status == "preview"
    undo_import(warehouse, applied.batch_id, imported_by="test")
    assert revision(warehouse) == 2


def test_a_rolled_back_write_leaves_the_revision(warehouse):
    with pytest.raises(RuntimeError), warehouse.begin() as conn:
        meta.bump_revision(conn)
        raise RuntimeError("the write failed")
    assert revision(warehouse) == 0


def test_the_identity_is_random_per_warehouse_and_kept_by_writes(warehouse, tmp_path):
    from data_access import migrate
    from data_access.engine import make_engine

    with warehouse.connect() as conn:
        first = meta.read_stamp(conn).warehouse_id
    with warehouse.begin() as conn:
        meta.bump_revision(conn)
        assert meta.read_stamp(conn).warehouse_id == first
    other = make_engine(f"duckdb:///{tmp_path / 'other.duckdb'}", create=True)
    migrate.upgrade(other)
    with other.connect() as conn:
        assert meta.read_stamp(conn).warehouse_id not in (None, first)
    other.dispose()


def test_account_changes_bump_the_revision(warehouse):
    from data_access.accounts import add_user, disable_user, set_password

    add_user(warehouse, "ktq", role="reporter", region="620802", password="Kongtong-2025!")
    set_password(warehouse, "ktq", "Kongtong-2026!")
    disable_user(warehouse, "ktq")
    assert revision(warehouse) == 3
