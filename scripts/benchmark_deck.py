"""The all-schools WebGL layer at 7,300, 30,000 and 100,000 schools, in Chromium, offline.

Starts scripts/deck_scale_app.py (the product's deck code on the demo's Shaanxi schools, repeated to the
wanted count) on a copy of the demo warehouse and opens it in headless Chromium with the network cut to
localhost. Per size: the deck's JSON size (what the websocket carries), the school-point file and its gzip size
(what nginx sends), the server build time, the seconds until the canvas shows with the points drawn (in a new
context of a browser that has drawn a deck before, and in a browser just started: its GPU process compiles
deck.gl's shaders first), the
longest main-thread task while it loads (what a user feels as a frozen page), frames per second while the
map is dragged for 3 s, and the longest task during that drag.

Headless Chromium here has no GPU: WebGL is software (SwiftShader) on the machine's CPU cores, so frame
rates are a floor, far below any office PC's integrated GPU; the load figures (parsing the deck, building
its attributes) are CPU work and carry over.

    PYTHONPATH=. python scripts/benchmark_deck.py [--sizes 7300 30000 100000] [--warehouse var/warehouse.duckdb]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit_session import wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
OBSERVERS = """
  window.__long = [];
  new PerformanceObserver(list => { for (const entry of list.getEntries()) window.__long.push(entry.duration) })
    .observe({type: 'longtask', buffered: true});
  window.__frames = 0; (function frame() { window.__frames++; requestAnimationFrame(frame) })();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(page, base: str, count: int) -> dict:
    visible = _canvas_seconds(page, base, count)  # the canvas with the fetched points drawn
    page.wait_for_timeout(3000)  # first frames
    caption = page.get_by_text(re.compile(r"schools · deck JSON")).first.inner_text()
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    loading = page.evaluate("() => window.__long.splice(0)")
    box = canvas.bounding_box()
    frames, drag_started = page.evaluate("() => window.__frames"), time.perf_counter()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    for step in range(60):
        page.mouse.move(box["x"] + 300 + step * 5, box["y"] + 300 + step * 2)
        page.wait_for_timeout(50)
    page.mouse.up()
    fps = (page.evaluate("() => window.__frames") - frames) / (time.perf_counter() - drag_started)
    dragging = page.evaluate("() => window.__long.splice(0)")
    size, points, gzipped, built = re.search(
        r"deck JSON ([\d.]+) MB · points file ([\d.]+) MB gzip ([\d.]+) MB · built in ([\d.]+) s", caption).groups()
    return {"schools": count, "json_mb": float(size), "points_mb": float(points), "points_gzip_mb": float(gzipped),
            "build_s": float(built), "canvas_s": visible,
            "longest_load_task_ms": round(max(loading, default=0)), "drag_fps": round(fps, 1),
            "longest_drag_task_ms": round(max(dragging, default=0))}


def _offline_page(browser, outside: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"),
               lambda route: (outside.append(route.request.url), route.abort()))
    page.add_init_script(OBSERVERS)
    return page


def _canvas_seconds(page, base: str, count: int) -> float:
    """Seconds from navigation until the canvas shows with the fetched points drawn."""
    points_loaded: list[float] = []
    page.on("requestfinished", lambda request: points_loaded.append(time.perf_counter())
            if "/app/static/points/" in request.url else None)
    started = time.perf_counter()
    page.goto(f"{base}/?n={count}")
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible", timeout=600_000)
    while not points_loaded and time.perf_counter() - started < 600:  # deck.gl fetches the points by URL
        page.wait_for_timeout(50)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return round(time.perf_counter() - started, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "var" / "warehouse.duckdb")
    parser.add_argument("--sizes", type=int, nargs="+", default=[7300, 30_000, 100_000])
    args = parser.parse_args()
    if not args.warehouse.exists():
        parser.error(f"{args.warehouse} not found: build it with `mhmonitor demo`")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "warehouse.duckdb"
        shutil.copy(args.warehouse, copy)
        port = free_port()
        env = {**os.environ, "WAREHOUSE_URL": f"duckdb:///{copy}", "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "scripts" / "deck_scale_app.py"), "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.headless", "true", "--server.enableStaticServing",
             "true", "--server.maxMessageSize", "500", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results, outside, renderer = [], [], "?"
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                for count in args.sizes:
                    # The server builds a view's deck once for every session; the figures are a later
                    # visitor's, in a fresh browser context (nothing cached), with the build time reported apart.
                    warm = browser.new_page()
                    warm.goto(f"{base}/?n={count}")
                    warm.get_by_text(re.compile(r"schools · deck JSON")).first.wait_for(timeout=600_000)
                    warm.close()
                    page = _offline_page(browser, outside)
                    results.append(measure(page, base, count))
                    renderer = page.evaluate(
                        "() => { const gl = document.createElement('canvas').getContext('webgl2');"
                        " const info = gl && gl.getExtension('WEBGL_debug_renderer_info');"
                        " return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : String(!!gl) }")
                    page.close()
                    # The same visit from a browser just started: its GPU process has compiled no shader yet.
                    first = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                    page = _offline_page(first, outside)
                    results[-1]["new_browser_canvas_s"] = _canvas_seconds(page, base, count)
                    first.close()
                    print(json.dumps(results[-1], ensure_ascii=False), flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"WebGL renderer: {renderer}; requests outside localhost: {len(outside)}")
    print(f"{'schools':>8}{'deck MB':>9}{'points MB':>10}{'gzip MB':>9}{'build s':>9}{'canvas s':>10}"
          f"{'new browser s':>15}{'longest load task ms':>22}{'drag fps':>10}{'longest drag task ms':>22}")
    for row in results:
        print(f"{row['schools']:>8}{row['json_mb']:>9.3f}{row['points_mb']:>10.2f}{row['points_gzip_mb']:>9.2f}"
              f"{row['build_s']:>9.2f}{row['canvas_s']:>10.1f}{row['new_browser_canvas_s']:>15.1f}"
              f"{row['longest_load_task_ms']:>22}{row['drag_fps']:>10.1f}{row['longest_drag_task_ms']:>22}")
    return 0 if not outside else 1


if __name__ == "__main__":
    sys.exit(main())
