"""Two dashboard processes on one DuckDB warehouse and a command-line import: both show the change at their
next click (their caches are keyed by the warehouse revision, read once per run), and so does an undo.

Same real-browser setup as test_smoke.py (Debian's Chromium, requests off localhost aborted and recorded).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser.servers import dashboard
from tests.browser.test_shared_warehouse import mhmonitor
from tests.browser.test_smoke import (  # noqa: F401 (fixtures)
    ROOT,
    _free_port,
    _wait_idle,
    demo_url,
    server,
)

pytestmark = pytest.mark.browser
COUNTY = "620802"  # 崆峒区
REGISTRY = ("学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡,经度,纬度,开办年份,停办年份\n"
            "2162999901,崆峒区测试新小学,620802,小学,否,城镇,,,2020,\n")
PATH = f"completeness?scope=620800&year=2024&county={COUNTY}"


@contextmanager
def second_dashboard(url: str) -> Iterator[str]:
    """Another streamlit process on the same warehouse (the `server` fixture is the first one)."""
    with dashboard(url) as base:
        yield base


def reported_expected(tab) -> tuple[int, int]:
    text = tab.locator('[data-testid="stMetricValue"]').first.inner_text()
    reported, expected = (int(part) for part in text.split("/"))
    return reported, expected


def click_type(tab, name: str) -> tuple[int, int]:
    """One click on the report type radio; the metric it then shows."""
    tab.locator('[data-testid="stRadio"]').get_by_text(name, exact=True).click()
    _wait_idle(tab)
    return reported_expected(tab)


def test_a_cli_import_shows_on_both_processes_at_their_next_click(page, server, demo_url, tmp_path):  # noqa: F811
    with second_dashboard(demo_url) as other_server:
        other = page.context.new_page()
        tabs = {"first": page, "second": other}
        for tab, base in ((page, server), (other, other_server)):
            tab.goto(f"{base}/{PATH}")
            _wait_idle(tab)
        schools_before = reported_expected(page)
        surveys_before = click_type(page, "核心知识知晓率调查")
        assert click_type(page, "学校年报") == schools_before
        assert reported_expected(other) == schools_before  # both processes have cached the same figures

        registry = tmp_path / "学校名录.csv"
        registry.write_text(REGISTRY, encoding="utf-8")
        imported = mhmonitor(demo_url, "import", str(registry))
        assert imported.returncode == 0 and "新增 1 行" in imported.stdout, imported.stdout + imported.stderr
        batch = imported.stdout.split("批次 ")[1].split(":")[0]

        # One more expected school, at the very next click of each process's tab.
        for name, tab in tabs.items():
            assert click_type(tab, "核心知识知晓率调查") == (surveys_before[0], surveys_before[1] + 1), name

        undone = mhmonitor(demo_url, "undo", batch)
        assert undone.returncode == 0, undone.stderr
        for name, tab in tabs.items():
            assert click_type(tab, "学校年报") == schools_before, name
        other.close()
    assert page.outside_requests == [], page.outside_requests[:5]
