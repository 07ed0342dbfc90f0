"""Real browser, network off: a dense all-schools deck (more than DENSE_LIMIT schools, drawn as polygons in one
draw) shows its dots, names a school on hover and resolves a click to that school.

The server is scripts/deck_scale_app.py: the product's deck code (charts.deck, the toned backdrop) on the demo's
Shaanxi schools repeated to 25,000, the size no demo city reaches. Its timings are scripts/benchmark_deck.py's.
"""

from __future__ import annotations

import re

import pytest

from charts.deck import DENSE_LIMIT
from tests.browser import test_schools_map, test_smoke
from tests.browser.servers import ROOT, dashboard

pytestmark = pytest.mark.browser

COUNT = 25_000
demo_url = test_smoke.demo_url


@pytest.fixture(scope="module")
def server(demo_url):
    with dashboard(demo_url, "--server.enableStaticServing", "true", script=ROOT / "scripts" / "deck_scale_app.py",
                   ) as base:
        yield base


def test_a_dense_deck_shows_names_and_opens_its_schools(page, server):
    assert COUNT > DENSE_LIMIT
    page.goto(f"{server}/?n={COUNT}")
    page.get_by_text(re.compile(rf"{COUNT} schools · .* · polygons")).first.wait_for(timeout=120_000)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(2500)  # the points file, then the frame with the dots
    shot = canvas.screenshot(timeout=120_000)
    page.screenshot(path=test_smoke.ARTIFACTS / "schools_map_dense.png", timeout=120_000)
    dot = test_schools_map._dot_centre(shot)
    assert dot is not None, "no school dot in band colours on the canvas"

    box = canvas.bounding_box()
    page.mouse.move(box["x"] + dot[0], box["y"] + dot[1])
    tooltip = page.locator(".deck-tooltip").filter(has_text=re.compile("|".join(test_schools_map.STATUS_LABELS)))
    tooltip.first.wait_for(timeout=60_000)
    page.mouse.click(box["x"] + dot[0], box["y"] + dot[1])
    page.get_by_text(re.compile(r"selected school \d{10}")).first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"
