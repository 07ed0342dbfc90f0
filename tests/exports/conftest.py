"""Warehouses for export tests: the hand-computable fixture in a DuckDB file, plain and flagged as demo.

Rendering goes through one shared Chromium, so these are module-scoped files rather than the per-test
`engine` fixture; the engine-parametrized test in test_brief.py covers PostgreSQL.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from data_access import migrate, schema
from data_access.engine import make_engine
from exports.environment import check_export_environment
from tests.data_access import fixture_warehouse

# Slow tests that start Chromium; under CI a missing Chromium or font is a failure, not a skip.
needs_renderer = [
    pytest.mark.export,
    pytest.mark.skipif(bool(check_export_environment()) and not os.environ.get("CI"),
                       reason="Chromium or CJK font missing locally"),
]


def _warehouse(path, *, demo: bool) -> sa.Engine:
    engine = make_engine(f"duckdb:///{path}", create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    if demo:
        with engine.begin() as conn:
            conn.execute(sa.update(schema.warehouse_meta).where(schema.warehouse_meta.c.key == "is_demo")
                         .values(value="1"))
    return engine


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> sa.Engine:
    """The fixture warehouse (real-data flag): Xi'an 610100 with 2 districts, Pingliang 620800 with 1 county."""
    return _warehouse(tmp_path_factory.mktemp("exports") / "warehouse.duckdb", demo=False)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> sa.Engine:
    """The same content flagged as demo data: every export must say so."""
    return _warehouse(tmp_path_factory.mktemp("exports_demo") / "warehouse.duckdb", demo=True)
