"""Pages run under AppTest on a small DuckDB warehouse (the hand-computable fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access import migrate
from data_access.engine import make_engine
from tests.data_access import fixture_warehouse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """WAREHOUSE_URL pointing at a fresh fixture warehouse; cwd at the project root (for pages/ paths)."""
    url = f"duckdb:///{tmp_path / 'pages.duckdb'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    engine.dispose()
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.chdir(ROOT)
    return url
