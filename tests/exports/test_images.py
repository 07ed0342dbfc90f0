"""PNG export through kaleido + Chromium: size, content, band colours, Chinese glyphs, demo mark, offline."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image

from data_access import migrate
from data_access.engine import make_engine
from data_access.status import STATUS_COLOURS
from exports import renderer
from exports.images import figure_png, map_png
from tests.data_access import fixture_warehouse
from tests.exports.conftest import needs_renderer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "exports"
DEMO_RED = "#b71c1c"
# The installed console script: `python -m mhmonitor.cli` would define its CommandError twice (as __main__
# and as mhmonitor.cli), and errors raised by the export commands would escape main().
CLI = Path(sys.executable).parent / "mhmonitor"

pytestmark = needs_renderer


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _pixels_of(image: Image.Image, hex_colour: str, tolerance: int = 4) -> int:
    target = _rgb(hex_colour)
    return sum(count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 22)
               if all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=True)))


def _distinct_colours(image: Image.Image) -> int:
    return len(image.convert("RGB").getcolors(maxcolors=1 << 22))


# --- rendering through kaleido + Chromium ---

def test_map_png_has_slide_size_content_and_band_colours(warehouse):
    image = Image.open(io.BytesIO(map_png(warehouse, "610100", 2025, "psychiatrists_per_100k")))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "map_xian_psychiatrists.png")
    assert image.format == "PNG" and image.size == (1600, 900)
    assert _distinct_colours(image) > 50  # not blank
    assert _pixels_of(image, STATUS_COLOURS["met"]) > 200  # 新城区 5.0 per 100k against ≥4
    assert _pixels_of(image, STATUS_COLOURS["behind"]) > 200  # 碑林区 3.0 per 100k
    assert _pixels_of(image, STATUS_COLOURS["no_data"]) > 2000  # the other Xi'an districts never reported
    assert _pixels_of(image, DEMO_RED) == 0  # real-data warehouse: no demo mark


def test_scale_two_doubles_the_pixels(warehouse):
    image = Image.open(io.BytesIO(map_png(warehouse, "620800", 2024, "counselor_coverage", scale=2)))
    assert image.size == (3200, 1800)
    assert _pixels_of(image, STATUS_COLOURS["behind"]) > 4 * 200


def test_county_school_points_export_in_band_colours(warehouse):
    image = Image.open(io.BytesIO(map_png(warehouse, "610102", 2025, "counselor_coverage")))
    assert image.size == (1600, 900)
    # 一小, 二小 and the universities met, 三中 reported zero teachers, 四中 did not report.
    for status in ("met", "behind", "no_data"):
        assert _pixels_of(image, STATUS_COLOURS[status]) > 20, status


def test_demo_png_shows_the_demo_mark(demo_warehouse):
    image = Image.open(io.BytesIO(map_png(demo_warehouse, "620800", 2024, "counselor_coverage")))
    assert _pixels_of(image, DEMO_RED) > 300


def _text_png(text: str, family: str = "WenQuanYi Micro Hei") -> Image.Image:
    figure = go.Figure()
    figure.add_annotation(text=text, x=0.5, y=0.5, showarrow=False, font={"size": 60, "family": family})
    figure.update_layout(xaxis_visible=False, yaxis_visible=False, plot_bgcolor="white", paper_bgcolor="white")
    return Image.open(io.BytesIO(figure_png(figure, width=600, height=200))).convert("L")


def _ink(image: Image.Image) -> int:
    return int((np.asarray(image) < 128).sum())


def test_chinese_renders_as_glyphs_not_boxes():
    # Characters no font covers come out as identical "tofu" boxes; real glyphs differ from them, from
    # each other, and carry far more strokes than an empty box outline.
    chinese, other, tofu = _text_png("心理健康"), _text_png("知晓率达"), _text_png("\u0378\u0378\u0378\u0378")
    assert not np.array_equal(np.asarray(chinese), np.asarray(tofu))
    assert not np.array_equal(np.asarray(chinese), np.asarray(other))
    assert _ink(chinese) > 1.5 * _ink(tofu)


def test_export_config_points_at_local_files(warehouse):
    map_png(warehouse, "620800", 2024, "counselor_coverage")
    for uri in (pio.defaults.topojson, pio.defaults.mathjax):
        assert uri.startswith("file://")
        assert Path(uri.removeprefix("file://")).exists(), uri
    assert (Path(pio.defaults.topojson.removeprefix("file://")) / "world_110m.json").is_file()


def test_a_warm_export_reuses_the_running_browser(warehouse):
    # Speed is the benchmark's job (README); what makes a warm export fast is that it reuses one Chromium.
    map_png(warehouse, "620800", 2024, "counselor_coverage")
    first = renderer._renderer
    assert first is not None
    map_png(warehouse, "610100", 2025, "counselor_coverage")
    assert renderer._renderer is first


def _can_cut_network() -> bool:
    return shutil.which("unshare") is not None and \
        subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_cut_network(), reason="needs unshare -n (root) to cut the network")
def test_export_works_with_the_network_cut(tmp_path):
    # A fresh warehouse file: the session's DuckDB file stays locked by this process.
    engine = make_engine(f"duckdb:///{tmp_path / 'offline.duckdb'}", create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    engine.dispose()
    out = tmp_path / "offline.png"
    result = subprocess.run(
        ["unshare", "-n", str(CLI), "export-map", "--region", "620800", "--year",
         "2024", "--indicator", "counselor_coverage", "--out", str(out)],
        env={**os.environ, "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'offline.duckdb'}"}, capture_output=True,
        text=True, timeout=180, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size == (1600, 900) and _pixels_of(image, STATUS_COLOURS["behind"]) > 200



def test_concurrent_exports_each_get_their_own_image():
    from concurrent.futures import ThreadPoolExecutor

    sizes = [(400 + 10 * i, 300) for i in range(6)]

    def render(size: tuple[int, int]) -> tuple[int, int]:
        figure = go.Figure(go.Bar(x=[1, 2], y=[size[0], 1]))
        return Image.open(io.BytesIO(figure_png(figure, width=size[0], height=size[1]))).size

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(render, sizes)) == sizes


def test_browser_that_cannot_start_fails_with_a_message_not_a_hang(tmp_path):
    engine = make_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    engine.dispose()
    result = subprocess.run(
        [str(CLI), "export-map", "--region", "620800", "--year", "2024",
         "--indicator", "counselor_coverage", "--out", str(tmp_path / "x.png")],
        env={**os.environ, "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'w.duckdb'}", "BROWSER_PATH": "/bin/true"},
        capture_output=True, text=True, timeout=150, cwd=ROOT,
    )
    assert result.returncode == 2
    assert "错误: Chromium 无法渲染图片 (/bin/true" in result.stderr and "chromium" in result.stderr
    assert not (tmp_path / "x.png").exists()
