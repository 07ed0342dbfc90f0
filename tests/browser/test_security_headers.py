"""The Content-Security-Policy holds in Chromium: every page draws, offline, and no violation is reported.

Starts serve.py (the app with its security headers, as ./scripts/run does) on the demo warehouse and opens
every page, the school page, the all-schools deck and the import page of a signed-in reporter included. A
listener installed before the page's first script records every `securitypolicyviolation` event.
"""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.servers import dashboard, sign_in
from tests.browser.test_smoke import CHROMIUM, CLERK, CLERK_PASSWORD, ROOT, _free_port, _wait_idle, demo_url  # noqa: F401
from ui.security_headers import HEADERS

pytestmark = pytest.mark.browser

PAGES = [
    ("overview", "/?scope=610000"),
    ("map", "/map?scope=610000&year=2025"),
    ("map_county", "/map?scope=620800&year=2024&county=620802"),
    ("schools_map", "/schools_map?scope=620800&year=2024&county=620802"),
    ("targets", "/targets"),
    ("completeness", "/completeness?scope=620800&year=2024"),
    ("login", "/login"),
]
VIOLATIONS = """
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture(scope="module")
def served(demo_url):  # noqa: F811
    # serve.py warms every scope before it answers: it takes longer to start than app.py.
    with dashboard(demo_url, script=ROOT / "serve.py", timeout=180) as base:
        yield base


def test_every_page_draws_under_the_policy_without_a_violation(served):
    from playwright.sync_api import sync_playwright

    with urllib.request.urlopen(f"{served}/map", timeout=30) as response:
        assert response.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
        context.add_init_script(VIOLATIONS)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            (served, "data:", "blob:")) else route.abort())
        page = context.new_page()
        for name, path in PAGES:
            page.goto(served + path)
            _wait_idle(page)
            if name == "overview":
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # plotly sparklines drawn
            if name.startswith("map"):
                page.locator(".js-plotly-plot path").first.wait_for(timeout=60_000)  # the map drawn
            if name == "schools_map":
                page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=60_000)
                page.wait_for_timeout(3000)  # deck.gl fetches its points and boundaries, draws
            assert page.locator('[data-testid="stException"]').count() == 0, name
            found[name] = page.evaluate("window.__violations")
        # A signed-in reporter's import page (file uploader, download button) and the session cookie script.
        page.goto(served + "/login?scope=620800&year=2024&county=620802")
        _wait_idle(page)
        sign_in(page, CLERK, CLERK_PASSWORD)
        page.get_by_role("link", name="上报导入").click()
        _wait_idle(page)
        page.get_by_text("导入人:").first.wait_for(timeout=60_000)
        page.wait_for_function("() => document.cookie.includes('mhm_session_')", timeout=60_000)
        found["import"] = page.evaluate("window.__violations")
        context.close()
        browser.close()
    assert {name: reports for name, reports in found.items() if reports} == {}
    assert set(found) == {name for name, _ in PAGES} | {"import"}
