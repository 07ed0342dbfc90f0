"""A warehouse straight after `mhmonitor init` (regions, no units, no reports): the pages say what to import
next instead of failing."""

from __future__ import annotations

import pytest

from data_access.accounts import add_user
from data_access.engine import make_engine
from data_access.init_warehouse import init_warehouse
from data_access.regions import ALL_REGIONS
from tests.pages.conftest import ROOT, ROOT_LOGIN
from tests.pages.test_pages import open_page, texts


@pytest.fixture
def empty_env(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine = make_engine(url, create=True)
    init_warehouse(engine, "620800")
    # Not a demo: only a signed-in user sees any page.
    add_user(engine, ROOT_LOGIN, role="admin", region=ALL_REGIONS, password=None, display_name="管理员",
             email="root@example.org")
    engine.dispose()
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.chdir(ROOT)
    return url


@pytest.mark.parametrize("page", ("pages/overview.py", "pages/map.py"))
def test_pages_name_the_registry_templates_to_import_first(empty_env, page):
    at = open_page(page, scope="620800")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "还没有任何上报数据" in shown and "学校名录 (school_registry)" in shown and "社区(村)名录" in shown
