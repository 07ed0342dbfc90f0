"""Two dashboard processes behind nginx (deploy/start.sh) on one PostgreSQL warehouse, loopback only.

Starts deploy/start.sh with two processes on free ports, loads the map page through nginx over HTTP and
over the websocket (a headless session, scripts/streamlit_session.py), and checks that the first visit is
one script run and that a rerun stays on the same process (sticky). Needs the Debian package nginx: the
setup installs it with apt-get when missing and possible, and skips otherwise (fails under CI).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.engine import make_engine
from data_access.schema import warehouse_meta
from scripts.streamlit_session import first_visit, wait_until_healthy
from tests.conftest import fresh_engine
from tests.data_access import fixture_warehouse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser  # starts servers: run with the browser tests (-m browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    engine.dispose()
    url = request.getfixturevalue("postgres_database_url")
    listen, first = _free_port(), _free_port()
    second = first + 1
    while second == listen:
        second += 1
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
        yield base, tmp_path / "run"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        make_engine(url, create=True).dispose()


def test_a_page_loads_through_nginx_in_one_script_run(deployment):
    base, run_dir = deployment
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
    base, _ = deployment
    urllib.request.urlopen(f"{base}/_stcore/health", timeout=30).read()
    from geo.layers import boundary_geojson
    from geo.published import published_url

    url = published_url(boundary_geojson("620800", "county"), "620800_county")  # what the map page names
    assert url is not None
    with urllib.request.urlopen(f"{base}/{url}", timeout=30) as response:
        assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
        assert len(response.read()) > 1_000
