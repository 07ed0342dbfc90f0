"""A fresh process (serve.py, as ./scripts/run and deploy/start.sh start it) answers its first visitors warm.

Sessions arrive as soon as the process accepts connections, while it is still warming up (ui/warmup.py):
all 25 get the real page, never "请先登录。", an error or a page run outside app.py's navigation; a real
browser's sidebar, sampled every 100 ms during the first load, never lists the raw page files.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.schema import warehouse_meta
from scripts.streamlit_session import first_visit
from tests.conftest import fresh_engine
from tests.data_access import fixture_warehouse

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RAW_PAGE_NAMES = {"app", *(path.stem for path in (ROOT / "pages").glob("*.py"))}  # what legacy mode lists
pytestmark = pytest.mark.browser  # starts servers: run with the browser tests (-m browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def cold_process(request, tmp_path):
    """A new process on a new warehouse, yielded as soon as its port accepts connections (still cold)."""
    engine = fresh_engine("duckdb", tmp_path, request)
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:  # anonymous read-only viewing, as on the demo
        conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == "is_demo").values(value="1"))
    url = str(engine.url)
    engine.dispose()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "WAREHOUSE_URL": url}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    deadline = time.time() + 120
    while not _accepts(port):
        if time.time() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("serve.py did not open its port: " + (process.stdout.read() if process.stdout else ""))
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_25_sessions_arriving_at_once_at_a_cold_process_all_get_the_real_page(cold_process):
    async def arrive():
        visits = await asyncio.gather(*(first_visit(cold_process, "map") for _ in range(25)))
        for session, _ in visits:
            await session.close()
        return [run for _, run in visits]

    runs = asyncio.run(arrive())
    assert len(runs) == 25
    for run in runs:
        assert run.exceptions == 0, run.texts
        assert not any("请先登录" in text for text in run.texts), run.texts
        assert "地图" in run.pages and not RAW_PAGE_NAMES & set(run.pages), run.pages  # app.py's navigation
        assert run.script_runs == 1
        assert any("平凉" in text or "陕西" in text for text in run.texts), run.texts  # the map page's title


def test_the_sidebar_never_lists_raw_page_names_during_the_first_load(cold_process):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium missing at {CHROMIUM}") if os.environ.get("CI") else pytest.skip("no Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
        # Every 100 ms from the first byte: the texts of the sidebar's navigation links.
        context.add_init_script("""
            window.__navSamples = [];
            setInterval(() => {
                const links = document.querySelectorAll(
                    '[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]');
                window.__navSamples.push(Array.from(links, (link) => link.innerText.trim()));
            }, 100);
        """)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{cold_process}/map", timeout=120_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)  # the map is drawn
        drawn = time.perf_counter() - started
        page.wait_for_timeout(500)
        samples = page.evaluate("window.__navSamples")
        context.close()
        browser.close()
    seen = {name for sample in samples for name in sample}
    assert samples and "地图" in seen, samples[-3:]  # the sampling saw the real navigation
    assert not RAW_PAGE_NAMES & seen, sorted(seen)
    print(f"first load of a cold process: map drawn after {drawn:.1f} s, {len(samples)} sidebar samples")
