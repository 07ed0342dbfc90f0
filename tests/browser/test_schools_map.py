"""Real browser, network off: the all-schools deck.gl page draws every school on a canvas and a click opens one.

Reuses the server fixture of test_smoke.py and the page of conftest.py (demo warehouse, Chromium, every
non-localhost request aborted and recorded). It opens one county's schools: headless Chromium has only software WebGL
(SwiftShader), which on a 2-core machine blocked the page ~12 s for 100 points and ~150 s for 1,000, so a
city or the whole province is measured by scripts/benchmark_map.py-style payloads, not drawn here.
"""

from __future__ import annotations

import io
import re

import pytest

from data_access.status import BANDS, Status
from tests.browser import test_smoke

pytestmark = pytest.mark.browser

demo_url = test_smoke.demo_url
server = test_smoke.server

# Judged statuses only: the neutral ones are greys too close to the county fill to tell a dot from the map.
DOT_COLOURS = [tuple(int(band.colour[i:i + 2], 16) for i in (1, 3, 5)) for band in BANDS
               if band.status in (Status.MET, Status.CLOSE, Status.BEHIND, Status.SLIPPED)]
STATUS_LABELS = [re.escape(band.label_zh) for band in BANDS
                 if band.status in (Status.MET, Status.CLOSE, Status.BEHIND, Status.SLIPPED)]


def _dot_centre(png: bytes) -> tuple[int, int] | None:
    """A pixel inside a school dot: band-coloured (not grey like boundaries), with a same-coloured 5x5 around it."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = image.load()
    width, height = image.size

    def banded(x: int, y: int) -> tuple | None:
        red, green, blue = pixels[x, y]
        return next((c for c in DOT_COLOURS if abs(c[0] - red) + abs(c[1] - green) + abs(c[2] - blue) < 30), None)

    for y in range(2, height - 2, 2):
        for x in range(2, width - 2, 2):
            colour = banded(x, y)
            if colour and all(banded(x + dx, y + dy) == colour for dx in (-2, 0, 2) for dy in (-2, 0, 2)):
                return x, y
    return None


def test_every_school_on_a_canvas_and_a_click_opens_one(page, server):
    page.goto(f"{server}/schools_map?scope=620800&county=620802&year=2024&indicator=counselor_coverage")
    test_smoke._wait_idle(page)
    assert "崆峒区 · 全部学校" in test_smoke._title(page)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(2500)  # let deck.gl draw its first frame
    shot = canvas.screenshot(timeout=120_000)  # software WebGL: the first frame is slow
    page.screenshot(path=test_smoke.ARTIFACTS / "schools_map_county.png", timeout=120_000)
    dot = _dot_centre(shot)
    assert dot is not None, "no school dot in band colours on the canvas"

    box = canvas.bounding_box()
    page.mouse.move(box["x"] + dot[0], box["y"] + dot[1])  # deck.gl picks on hover first: the tooltip
    # The tooltip names the school and its status (a yes/no school rule prints the status alone: "达标").
    tooltip = page.locator(".deck-tooltip").filter(has_text=re.compile("|".join(STATUS_LABELS)))
    tooltip.first.wait_for(timeout=60_000)
    page.mouse.click(box["x"] + dot[0], box["y"] + dot[1])
    page.wait_for_url(re.compile(r"/school\?.*school="), timeout=120_000)
    test_smoke._wait_idle(page)
    assert "学校" in test_smoke._title(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"
