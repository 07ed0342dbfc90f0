"""Pages run under AppTest on a small DuckDB warehouse (the hand-computable fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access import migrate
from data_access.accounts import add_user
from data_access.engine import make_engine
from data_access.regions import ALL_REGIONS
from tests.data_access import fixture_warehouse

ROOT = Path(__file__).resolve().parents[2]
ROOT_LOGIN = "root"


def sign_in(at, login: str) -> None:
    """Start the AppTest session as `login`, as if they had signed in a moment ago."""
    import time

    from ui import auth

    at.session_state[auth.LOGIN] = login
    at.session_state[auth.METHOD] = "password"
    at.session_state[auth.LAST_SEEN] = time.time()


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """WAREHOUSE_URL pointing at a fresh fixture warehouse; cwd at the project root (for pages/ paths)."""
    url = f"duckdb:///{tmp_path / 'pages.duckdb'}"
    engine = make_engine(url, create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    # The fixture is not a demo warehouse: pages need a signed-in user (tests.pages.test_pages.app signs
    # this administrator of every region in unless told otherwise).
    add_user(engine, ROOT_LOGIN, role="admin", region=ALL_REGIONS, password=None, display_name="管理员",
             email="root@example.org")
    engine.dispose()
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.chdir(ROOT)
    return url
