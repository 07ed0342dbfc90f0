"""A dashboard started on a warehouse file that does not exist: a Chinese page, no raw page list in the
sidebar, no Streamlit error box, and no file created (real browser, cold process)."""

from __future__ import annotations

import pytest

from tests.browser.test_smoke import _wait_idle, demo_url, server  # noqa: F401 (fixtures)
from tests.browser.test_two_processes import second_dashboard

pytestmark = pytest.mark.browser


def test_a_missing_file_gives_the_chinese_page_without_a_page_list(page, tmp_path):  # noqa: F811
    path = tmp_path / "gone" / "warehouse.duckdb"
    with second_dashboard(f"duckdb:///{path}") as base:
        page.goto(f"{base}/map")
        _wait_idle(page)
        alert = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert alert.startswith("数据仓库文件不存在") and "mhmonitor init" in alert
        # The first page info still names the pages/ folder; the run's own (hidden) navigation replaces it.
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stSidebarNavLink\"]')",
                               timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not path.parent.exists()
