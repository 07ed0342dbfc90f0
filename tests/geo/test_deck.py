"""The all-schools deck: short rows coloured through BANDS, no basemap, clicks resolve to a school id."""

from __future__ import annotations

import json
import math

import pandas as pd

from data_access.status import STATUS_COLOURS
from geo.deck import SCHOOL_LAYER, PreparedDeck, school_rows, schools_deck, selected_school
from geo.layers import boundary_geojson

SCHOOLS = pd.DataFrame({
    "unit_id": ["S1", "S2", "S3"], "name": ["一小", "二中", "三小"], "status": ["met", "no_data", "behind"],
    "value": [96.04, math.nan, 12.5], "value_unit": ["%", "%", "%"], "clause": ["条款" * 30] * 3,
    "longitude": [106.671234567, 106.7, math.nan], "latitude": [35.54, 35.6, math.nan],
})


def test_rows_keep_located_schools_with_band_colours_and_short_texts():
    rows = school_rows(SCHOOLS)
    assert list(rows["id"]) == ["S1", "S2"]  # S3 has no coordinates
    # "#1a9850" -> [26, 152, 80]; no_data "#bdbdbd" -> [189, 189, 189]
    assert rows["colour"].tolist() == [[26, 152, 80], [189, 189, 189]]
    assert STATUS_COLOURS["met"] == "#1a9850"
    assert list(rows["info"]) == ["达标 · 96.0%", "无数据 · —"]
    assert rows["position"].iloc[0] == [106.6712, 35.54]  # 4 decimals, one field
    assert "clause" not in rows


def test_deck_is_offline_and_clickable():
    deck = PreparedDeck(schools_deck(boundary_geojson("620800", "county"), school_rows(SCHOOLS)))
    spec = json.loads(deck.to_json())
    # The sentinel tells Streamlit's frontend to draw no basemap; anything else falls back to a Carto URL.
    assert spec.get("mapProvider") is None and spec["mapStyle"] == "__MAP_STYLE__"
    assert "cartocdn" not in deck.to_json() and "mapbox" not in deck.to_json()
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert set(layers) == {"counties", SCHOOL_LAYER} and layers[SCHOOL_LAYER]["pickable"] is True
    # A bare "pixels" became the expression @@=pixels (undefined): one dot covered the whole map.
    assert layers[SCHOOL_LAYER]["radiusUnits"] == "pixels"
    assert "条款" not in deck.to_json()


def test_selected_school_reads_the_clicked_object():
    event = {"selection": {"indices": {SCHOOL_LAYER: [0]}, "objects": {SCHOOL_LAYER: [{"id": "S2", "name": "二中"}]}}}
    assert selected_school(event) == "S2"
    assert selected_school({"selection": {"indices": {}, "objects": {}}}) is None
    assert selected_school(None) is None
