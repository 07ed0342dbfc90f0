"""Boundaries published once as content-named files for the browser (geo.published)."""

from __future__ import annotations

import json

import pytest

from charts.maps import school_points_spec, status_map_spec
from geo.layers import boundary_geojson
from geo.published import URL_PREFIX, published_url

SMALL = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "620802", "properties": {"name": "崆峒区"},
     "geometry": {"type": "Polygon", "coordinates": [[[106.0, 35.0], [106.1, 35.0], [106.1, 35.1], [106.0, 35.0]]]}}]}


def test_a_layer_is_written_once_under_a_name_taken_from_its_content(tmp_path):
    url = published_url(SMALL, "620800_county", tmp_path)
    assert url is not None and url.startswith(f"{URL_PREFIX}/620800_county-") and url.endswith(".json")
    written = tmp_path / url.rsplit("/", 1)[1]
    assert json.loads(written.read_text(encoding="utf-8")) == SMALL
    assert "崆峒区" in written.read_text(encoding="utf-8")  # UTF-8, not \u escapes: half the bytes
    assert written.stat().st_mode & 0o044 == 0o044  # a reverse proxy may serve static/ itself
    inode = written.stat().st_ino  # a rewrite goes through a new file renamed over it: a new inode
    assert published_url(SMALL, "620800_county", tmp_path) == url  # same content, same file, not rewritten
    assert written.stat().st_ino == inode

    changed = {**SMALL, "features": [{**SMALL["features"][0], "properties": {"name": "崆峒"}}]}
    assert published_url(changed, "620800_county", tmp_path) != url  # a browser never keeps a stale copy
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unwritable_folder_falls_back_to_inline_boundaries(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    assert published_url(SMALL, "620800_county", blocker) is None


@pytest.mark.parametrize("name", ["../x", "a/b", "A", "", "x" * 65, "610000 county"])
def test_layer_names_cannot_leave_the_folder(tmp_path, name):
    with pytest.raises(ValueError):
        published_url(SMALL, name, tmp_path)


def test_a_map_naming_its_url_carries_no_geometry_but_every_unit():
    import pandas as pd

    layer = boundary_geojson("620800", "county")
    frame = pd.DataFrame({"unit_id": ["620802"], "name": ["崆峒区"], "status": ["met"], "value": [1.0],
                          "numerator": [1.0], "denominator": [1.0], "reported": [1], "expected": [1]})
    inline = status_map_spec(layer, frame, title="t")
    named = status_map_spec(layer, frame, title="t", geojson_url="app/static/geo/620800_county-x.json")
    assert named["data"][0]["geojson"] == "app/static/geo/620800_county-x.json"
    assert named["data"][0]["locations"] == inline["data"][0]["locations"]  # units without a report stay grey
    assert len(named["data"][0]["locations"]) == len(layer["features"]) == 7
    assert len(json.dumps(named, ensure_ascii=False)) * 3 < len(json.dumps(inline, ensure_ascii=False))

    points = school_points_spec(layer, frame.assign(longitude=[106.6], latitude=[35.5]), title="t",
                                geojson_url="app/static/geo/620802_outline-x.json")
    assert points["data"][0]["geojson"] == "app/static/geo/620802_outline-x.json"
