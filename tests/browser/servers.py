"""What the browser tests share: a dashboard process on a free port, Chromium offline, waiting and signing in.

Each test module starts its own dashboard on its own warehouse (`dashboard`) and one Chromium (`launch`); a test
gets a fresh context from it (`offline_tab`), so cookies never leak between tests. Every request that does not
go to localhost is recorded on the tab (`tab.outside_requests`) and aborted. Playwright drives Debian's
/usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_chromium() -> None:
    """Skip without Chromium locally; under CI (CI=true) its absence fails."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium missing at {CHROMIUM}")
        pytest.skip(f"Chromium missing at {CHROMIUM}")


def wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 90) -> None:
    """Wait up to `timeout` seconds for `url` to answer 200; fail with the process's output otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail(f"{what} did not start: " + (process.stdout.read() if process.stdout else ""))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def fixture_warehouse_url(folder: Path, *accounts: dict) -> str:
    """The hand-computable fixture warehouse (tests/data_access/fixture_warehouse, not a demo) in `folder`, with
    these accounts (each the keyword arguments of accounts.add_user)."""
    from data_access import migrate
    from data_access.accounts import add_user
    from data_access.engine import make_engine
    from tests.data_access import fixture_warehouse

    url = f"duckdb:///{folder / 'real.duckdb'}"
    engine = make_engine(url, create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    for account in accounts:
        add_user(engine, **account)
    engine.dispose()
    return url


@contextmanager
def dashboard(warehouse_url: str, *options: str, port: int | None = None, env: dict[str, str] | None = None,
              script: Path = ROOT / "app.py", timeout: float = 90) -> Iterator[str]:
    """`streamlit run app.py` on `warehouse_url` (extra command-line `options`), its base URL while it runs."""
    require_chromium()
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         *options],
        cwd=ROOT, env={**os.environ, "WAREHOUSE_URL": warehouse_url, **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/_stcore/health", process, script.name, timeout)
        yield base
    finally:
        stop(process)


@contextmanager
def launch() -> Iterator[object]:
    """One headless Chromium (a module's), closed afterwards."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_tab(browser, viewport: dict[str, int] | None = None, **context_options) -> Iterator[object]:
    """A new browser context (its own cookies) and tab, with every request outside localhost recorded and
    aborted (`tab.outside_requests`)."""
    context = browser.new_context(viewport=viewport or {"width": 1600, "height": 900}, locale="zh-CN",
                                  **context_options)
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.outside_requests = outside
    try:
        yield tab
    finally:
        context.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit finished its rerun (no running indicator) and the app rendered."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.match(/Running|运行/)",
        timeout=timeout,
    )
    page.wait_for_timeout(800)


def sign_in(tab, login: str, password: str) -> None:
    """Fill the login form the page shows and submit it (a fresh page load is a new session)."""
    tab.get_by_label("账号").fill(login, timeout=60_000)
    tab.get_by_label("密码").fill(password, timeout=60_000)
    tab.get_by_role("button", name="登录", exact=True).click()
    wait_idle(tab)
