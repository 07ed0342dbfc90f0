"""Two dashboard processes behind nginx (deploy/start.sh) on one PostgreSQL warehouse, loopback only.

Starts deploy/start.sh with two processes on free ports, loads the map page through nginx over HTTP and
over the websocket (a headless session, scripts/streamlit_session.py), and checks that the first visit is
one script run and that a rerun stays on the same process (sticky). Sessions from one address spread over
both processes by nginx's route cookie; a browser signs in, downloads a template and uploads it through
nginx; every response carries the security headers; a missing content-named file is not cached immutable.
Needs the Debian package nginx: the setup installs it with apt-get when missing and possible, and skips
otherwise (fails under CI).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.engine import make_engine
from data_access.schema import warehouse_meta
from scripts.streamlit_session import Session, first_visit, wait_until_healthy
from tests.conftest import fresh_engine
from tests.data_access import fixture_warehouse
from ui.security_headers import HEADERS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CLERK, CLERK_PASSWORD = "clerk", "Kongtong-2025"
pytestmark = pytest.mark.browser  # starts servers: run with the browser tests (-m browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _two_free_ports() -> int:
    """A free port whose successor is free too (deploy/start.sh numbers its processes from the first)."""
    while True:
        first = _free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first


def _nginx() -> str | None:
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return shutil.which("nginx") or "/usr/sbin/nginx"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], capture_output=True, timeout=300, check=False)
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture
def deployment(request, tmp_path):
    nginx = _nginx()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx missing and not installable (apt-get install nginx)")
        pytest.skip("nginx missing and not installable here (apt-get install nginx)")
    engine = fresh_engine("postgresql", tmp_path, request)
    fixture_warehouse.populate(engine)
    # Anonymous read-only viewing, as on the demo: the websocket client below does not sign in.
    with engine.begin() as conn:
        conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == "is_demo").values(value="1"))
    from data_access.accounts import add_user

    add_user(engine, CLERK, role="reporter", region="620802", password=CLERK_PASSWORD, display_name="崆峒区填报员")
    engine.dispose()
    url = request.getfixturevalue("postgres_database_url")
    listen, first = _free_port(), _two_free_ports()
    while listen in (first, first + 1):  # start.sh takes `first` and the port after it
        first = _two_free_ports()
    env = {**os.environ, "WAREHOUSE_URL": url, "PYTHON": sys.executable, "NGINX": nginx,
           "RUN_DIR": str(tmp_path / "run")}
    process = subprocess.Popen([str(ROOT / "deploy" / "start.sh"), "2", f"127.0.0.1:{listen}", str(first)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    base = f"http://127.0.0.1:{listen}"
    try:
        for port in (first, first + 1):
            wait_until_healthy(f"http://127.0.0.1:{port}", timeout=120)
        wait_until_healthy(base, timeout=30)
        yield base, tmp_path / "run", (first, first + 1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        make_engine(url, create=True).dispose()


def test_a_page_loads_through_nginx_in_one_script_run(deployment):
    base, run_dir, _ = deployment
    with urllib.request.urlopen(f"{base}/map", timeout=30) as response:
        assert response.status == 200 and b"<html" in response.read().lower()

    async def visit():
        session, first = await first_visit(base, "map")
        again = await session.rerun()
        await session.close()
        return first, again

    first, again = asyncio.run(visit())
    assert first.script_runs == 1  # no rerun for the legacy pages guess (ui/streamlit_compat.py)
    assert first.bytes > 10_000  # the sidebar, the map and the table arrived over the proxied websocket
    assert first.http_bytes > 1_000 and again.http_bytes == 0  # the boundary file, fetched once through nginx
    assert again.script_runs == 1  # the same session answered again: the websocket stayed on one process
    assert "upstream" not in (run_dir / "error.log").read_text()


def test_boundary_files_pass_through_nginx_as_immutable(deployment):
    base, _, _ = deployment
    urllib.request.urlopen(f"{base}/_stcore/health", timeout=30).read()
    from geo.layers import boundary_geojson
    from geo.published import published_url

    url = published_url(boundary_geojson("620800", "county"), "620800_county")  # what the map page names
    assert url is not None
    with urllib.request.urlopen(f"{base}/{url}", timeout=30) as response:
        assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
        assert len(response.read()) > 1_000


def _sessions_per_process(run_dir: Path, expected: int) -> dict[str, int]:
    """Closed websockets per upstream address, from nginx's sessions.log (written when a websocket closes)."""
    log = run_dir / "sessions.log"
    for _ in range(100):
        lines = log.read_text().split("\n") if log.exists() else []
        lines = [line for line in lines if line.strip()]
        if len(lines) >= expected:
            break
        time.sleep(0.1)
    counts: dict[str, int] = {}
    for line in lines:
        upstream = line.split()[1]
        counts[upstream] = counts.get(upstream, 0) + 1
    return counts


def test_sessions_from_one_address_spread_over_every_process_and_stay_there(deployment):
    base, run_dir, ports = deployment

    async def meeting():
        sessions = [await Session.open(base, "map") for _ in range(12)]
        runs = [await session.rerun() for session in sessions]
        again = [await session.rerun() for session in sessions]  # the same process answers again
        for session in sessions:
            await session.close()
        return runs, again

    runs, again = asyncio.run(meeting())
    assert all(run.script_runs == 1 and run.exceptions == 0 for run in runs + again)
    counts = _sessions_per_process(run_dir, 12)
    # 12 browsers from 127.0.0.1, each with its own route cookie: both processes serve some of them (a
    # random split leaves one process empty with probability 2 / 2**12).
    assert set(counts) == {f"127.0.0.1:{port}" for port in ports}, counts
    assert sum(counts.values()) == 12


def test_the_route_cookie_is_set_once_and_keeps_a_browser_on_one_process(deployment):
    base, _, _ = deployment
    with urllib.request.urlopen(f"{base}/map", timeout=30) as response:
        cookie = next(c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("mhm_route_"))
    name_value = cookie.split(";")[0]
    assert re.fullmatch(r"mhm_route_\d+=[0-9a-f]{32}", name_value), cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    request = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": name_value})
    with urllib.request.urlopen(request, timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
        assert not [c for c in cookies if c.startswith("mhm_route_")], cookies  # a browser keeps its route


def test_every_response_carries_the_security_headers_and_a_404_is_not_immutable(deployment):
    base, _, ports = deployment
    for address in (base, f"http://127.0.0.1:{ports[0]}"):  # through nginx and from the app itself
        with urllib.request.urlopen(f"{address}/map", timeout=30) as response:
            for name, value in HEADERS.items():
                assert response.headers.get_all(name) == [value], (address, name)
        missing = f"{address}/app/static/geo/620800_county-0123456789abcdef.json"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(missing, timeout=30)
        assert error.value.code == 404
        assert "immutable" not in (error.value.headers.get("Cache-Control") or ""), address
        assert error.value.headers.get("X-Frame-Options") == "DENY", address


def test_a_browser_uploads_and_downloads_through_nginx(deployment, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    from tests.browser.servers import sign_in
    from tests.browser.servers import wait_idle as _wait_idle

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium missing at {CHROMIUM}") if os.environ.get("CI") else pytest.skip("no Chromium")
    base, run_dir, _ = deployment
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN").new_page()
        page.goto(f"{base}/login?scope=620800&county=620802")
        _wait_idle(page)
        sign_in(page, CLERK, CLERK_PASSWORD)
        page.get_by_role("link", name="上报导入").click()
        _wait_idle(page)
        with page.expect_download(timeout=60_000) as download:  # a download: /media/... from the same process
            page.get_by_role("button", name=re.compile("下载「学校年报」模板")).click()
        template = Path(download.value.path()).read_bytes()
        sheet = load_workbook(io.BytesIO(template))["填报"]
        assert [cell.value for cell in sheet[1]][:2] == ["学校代码", "学校名称"]
        book = load_workbook(io.BytesIO(template))
        book["填报"]["D2"] = -5  # a negative enrollment: the upload reaches the importer and is refused
        book["填报"]["Z200"] = "x" * 900  # and a body above nginx's in-memory buffer (it once failed with 500)
        book.save(tmp_path / "学校年报.xlsx")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(tmp_path / "学校年报.xlsx"))
        _wait_idle(page)
        page.get_by_text("未导入: 学校年报.xlsx").wait_for(timeout=60_000)  # the upload reached the same session
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    assert "upstream" not in (run_dir / "error.log").read_text()
