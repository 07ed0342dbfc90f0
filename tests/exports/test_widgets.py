"""The page buttons under AppTest: the meeting pack and the map PNG are built only when asked."""

from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from tests.exports.conftest import needs_renderer
from tests.pages.conftest import ROOT, ROOT_LOGIN, app_env, sign_in  # noqa: F401 - fixture

pytestmark = needs_renderer


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    sign_in(at, ROOT_LOGIN)  # the fixture warehouse is not a demo
    at.query_params.update(params)
    return at.switch_page(page).run()


def _offered(at: AppTest, state_key: str) -> bytes:
    """The bytes behind the download button `<state_key>_download` (AppTest cannot fetch the file)."""
    assert at.download_button(key=f"{state_key}_download").label.startswith("下载")
    return at.session_state[state_key][1]


def test_meeting_pack_button_builds_a_pptx_only_when_clicked(app_env):  # noqa: F811
    at = open_page("pages/overview.py", scope="620800", year="2024")
    assert not at.exception, at.exception
    assert not any(b.key == "pack_pptx_download" for b in at.download_button)  # nothing built on a plain run
    at.button(key="pack_build").click().run()
    assert not at.exception, at.exception
    deck = Presentation(io.BytesIO(_offered(at, "pack_pptx")))
    assert len(deck.slides) == 11
    at.sidebar.selectbox(key="w_year").set_value(2025).run()  # another year: the old pack is not offered
    assert not any(b.key == "pack_pptx_download" for b in at.download_button)


def test_map_png_button_renders_the_annotated_slide(app_env):  # noqa: F811
    at = open_page("pages/map.py", scope="620800", year="2024")
    assert not at.exception, at.exception
    assert not any(b.key == "map_export_render" for b in at.button)  # lazy: sent only while the expander is open
    at.session_state["map_exports_open"] = True
    at.run()
    at.button(key="map_export_render").click().run()
    assert not at.exception, at.exception
    image = Image.open(io.BytesIO(_offered(at, "map_export_png")))
    assert image.size == (1600, 900)


def test_map_exports_offer_the_gis_layer(app_env):  # noqa: F811
    at = open_page("pages/map.py", scope="620800", year="2024")
    assert not any(b.key == "map_gis_gpkg" for b in at.download_button)  # lazy, like the PNG
    at.session_state["map_exports_open"] = True
    at.run()
    assert not at.exception, at.exception
    labels = {b.key: b.label for b in at.download_button}
    assert labels["map_gis_gpkg"] == "下载地图图层 (GeoPackage)"
    assert labels["map_gis_geojson"] == "下载地图图层 (GeoJSON)"
