"""The all-schools deck: compact rows by URL, coloured through BANDS in the browser, no basemap, clicks resolve to
a school id."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from charts.deck import (
    DENSE_LIMIT,
    DENSE_ZOOM_IN,
    PALETTE,
    SCHOOL_LAYER,
    STATUS_ORDER,
    TONES,
    PreparedDeck,
    dot_polygon,
    school_points,
    schools_deck,
)
from data_access.formatting import status_label
from data_access.status import BANDS, STATUS_COLOURS
from geo.layers import TONE_COUNT, boundary_geojson, toned_geojson

SCHOOLS = pd.DataFrame({
    "unit_id": ["S1", "S2", "S3"], "name": ["一小", "二中", "三小"], "status": ["met", "no_data", "behind"],
    "value": [96.04, math.nan, 12.5], "value_unit": ["%", "%", "%"], "clause": ["条款" * 30] * 3,
    "longitude": [106.671234567, 106.7, math.nan], "latitude": [35.54, 35.6, math.nan],
})


def test_rows_keep_located_schools_as_position_status_index_and_short_texts():
    points = school_points(SCHOOLS)
    assert points.ids == ("S1", "S2")  # S3 has no coordinates
    assert points.rows == [
        {"p": [106.6712, 35.54], "s": STATUS_ORDER.index("met"), "n": "一小", "v": "达标 · 96.0%"},  # 4 decimals
        {"p": [106.7, 35.6], "s": STATUS_ORDER.index("no_data"), "n": "二中", "v": "无数据"},  # no value shown
    ]


def test_a_school_on_a_yes_no_rule_prints_its_status_once():
    # counselor_coverage is a share of schools: one school's "rate" is 0 or 100% of one, printed as its status
    frame = pd.DataFrame({
        "unit_id": ["S1", "S2"], "name": ["一小", "二中"], "status": ["met", "behind"], "level": ["school"] * 2,
        "indicator": ["counselor_coverage"] * 2, "value": [100.0, 0.0], "value_unit": ["%", "%"],
        "longitude": [106.6, 106.7], "latitude": [35.5, 35.6],
    })
    behind = status_label("behind", "zh")  # the band's own name; the value would add "未达标"
    assert [row["v"] for row in school_points(frame).rows] == ["达标", f"{behind} · 未达标"]
    # The browser colours by index: BANDS order, "#1a9850" -> [26, 152, 80]
    assert STATUS_ORDER == tuple(band.status.value for band in BANDS)
    assert PALETTE[STATUS_ORDER.index("met")] == [26, 152, 80] and STATUS_COLOURS["met"] == "#1a9850"


def test_deck_is_offline_clickable_and_names_its_points_by_url():
    points = school_points(SCHOOLS)
    deck = PreparedDeck(schools_deck(boundary_geojson("620800", "county"), points,
                                     points_url="app/static/points/620800_2025-" + "0" * 32 + ".json"), points.ids)
    spec = json.loads(deck.to_json())
    # The sentinel tells Streamlit's frontend to draw no basemap; anything else falls back to a Carto URL.
    assert spec.get("mapProvider") is None and spec["mapStyle"] == "__MAP_STYLE__"
    assert "cartocdn" not in deck.to_json() and "mapbox" not in deck.to_json()
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert set(layers) == {"counties", SCHOOL_LAYER} and layers[SCHOOL_LAYER]["pickable"] is True
    schools = layers[SCHOOL_LAYER]
    assert schools["data"].startswith("app/static/points/")  # fetched once by deck.gl, not in the deck's JSON
    assert "一小" not in deck.to_json() and "条款" not in deck.to_json()
    assert schools["getPosition"] == "@@=p"
    assert schools["getFillColor"].startswith("@@=([[") and schools["getFillColor"].endswith("])[s]")
    assert json.loads(schools["getFillColor"][4:-4]) == [list(colour) for colour in PALETTE]
    # A bare "pixels" became the expression @@=pixels (undefined): one dot covered the whole map.
    assert schools["radiusUnits"] == "pixels"
    assert deck._tooltip["html"] == "<b>{n}</b><br/>{v}"  # assembled in the browser from the row's fields


def test_a_deck_without_a_points_file_carries_its_rows_inline():
    points = school_points(SCHOOLS)
    spec = json.loads(PreparedDeck(schools_deck(boundary_geojson("620800", "county"), points)).to_json())
    assert [layer for layer in spec["layers"] if layer["id"] == SCHOOL_LAYER][0]["data"] == points.rows


def test_a_click_resolves_the_row_index_to_the_school_id():
    points = school_points(SCHOOLS)
    deck = PreparedDeck(schools_deck(boundary_geojson("620800", "county"), points), points.ids)
    event = {"selection": {"indices": {SCHOOL_LAYER: [1]}, "objects": {SCHOOL_LAYER: [{"n": "二中"}]}}}
    assert deck.selected_school(event) == "S2"
    assert deck.selected_school({"selection": {"indices": {SCHOOL_LAYER: [7]}, "objects": {}}}) is None
    assert deck.selected_school({"selection": {"indices": {}, "objects": {}}}) is None
    assert deck.selected_school(None) is None


def test_deck_labels_are_the_ranking_rows_of_the_read_model(tmp_path):
    """The all-schools deck prints what the map's ranking prints: the same IndicatorView rows, label by label."""
    from data_access import migrate
    from data_access.engine import make_engine
    from data_access.formatting import prints_no_rate, status_label, value_text
    from data_access.read_model import evaluate_views, resolve_scope
    from tests.data_access import fixture_warehouse

    engine = make_engine(f"duckdb:///{tmp_path / 'deck.duckdb'}", create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    scope = resolve_scope(engine, "610102", 2025, child_level="school")
    view = evaluate_views(engine, scope, ["counselor_coverage"], with_overall=False)["counselor_coverage"]
    engine.dispose()
    points = school_points(view.units, "en")
    ranked = {row["unit_id"]: row for row in view.ranking().to_dict("records")}
    assert points.ids and set(points.ids) <= set(ranked)
    for school_id, row in zip(points.ids, points.rows, strict=True):
        shown = ranked[school_id]
        expected = status_label(shown["status"], "en")
        if not prints_no_rate(shown["status"]) and value_text(shown, "en") != expected:
            expected += f" · {value_text(shown, 'en')}"
        assert row["v"] == expected and row["n"] == shown["name"], (school_id, row, shown)


def _many_schools(count: int) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": [f"S{index}" for index in range(count)], "name": ["一小"] * count, "status": ["met"] * count,
        "value": [96.0] * count, "value_unit": ["%"] * count,
        "longitude": [106.0 + index / count for index in range(count)], "latitude": [35.5] * count,
    })


def test_a_dense_deck_draws_its_dots_as_polygons_in_one_draw_with_a_bounded_zoom():
    # Software WebGL draws an instanced layer one instance at a time (charts/deck.py's docstring)
    sparse, dense = school_points(_many_schools(DENSE_LIMIT)), school_points(_many_schools(DENSE_LIMIT + 1))
    backdrop = toned_geojson("620800", "county")
    sparse_deck = PreparedDeck(schools_deck(backdrop, sparse), sparse.ids)
    dense_deck = PreparedDeck(schools_deck(backdrop, dense, points_url="app/static/points/x.json"), dense.ids)
    assert not sparse_deck.dense and dense_deck.dense
    sparse_spec, dense_spec = json.loads(sparse_deck.to_json()), json.loads(dense_deck.to_json())
    assert [layer["@@type"] for layer in sparse_spec["layers"]] == ["GeoJsonLayer", "ScatterplotLayer"]
    assert "maxZoom" not in sparse_spec["initialViewState"]
    counties, schools = dense_spec["layers"]
    assert schools["@@type"] == "SolidPolygonLayer" and schools["id"] == SCHOOL_LAYER and schools["pickable"]
    assert schools["extruded"] is False and schools["positionFormat"] == "XY" and schools["_normalize"] is False
    view = dense_spec["initialViewState"]
    assert view["maxZoom"] == pytest.approx(view["zoom"] + DENSE_ZOOM_IN)
    assert schools["getPolygon"] == "@@=" + dot_polygon(view["zoom"], view["latitude"])
    assert schools["getFillColor"] == sparse_spec["layers"][1]["getFillColor"]  # the same palette by status
    # The same rows: the tooltip and a click work as on a sparse deck
    assert dense_deck.selected_school({"selection": {"indices": {SCHOOL_LAYER: [DENSE_LIMIT]}}}) == f"S{DENSE_LIMIT}"
    # No layer is drawn as lines: the counties are fills in their tones
    for spec in (sparse_spec, dense_spec):
        counties = spec["layers"][0]
        assert counties["stroked"] is False and counties["filled"] is True
        tones = json.dumps([list(tone) for tone in TONES], separators=(",", ":"))
        assert counties["getFillColor"] == f"@@=({tones})[properties.t]"


def test_a_dot_polygon_is_a_closed_counter_clockwise_diamond_of_the_asked_pixels():
    # deck.gl's world is 512 px wide at zoom 0: 2 px are 2 * 360 / 512 = 1.40625 degrees of longitude
    assert dot_polygon(0, 0, 2) == ("[p[0]+1.406250,p[1],p[0],p[1]+1.406250,p[0]-1.406250,p[1],"
                                    "p[0],p[1]-1.406250,p[0]+1.406250,p[1]]")
    # At 60° north a degree of latitude is twice as long on screen: half the degrees; one zoom level halves both
    assert dot_polygon(1, 60, 2) == ("[p[0]+0.703125,p[1],p[0],p[1]+0.351563,p[0]-0.703125,p[1],"
                                     "p[0],p[1]-0.351563,p[0]+0.703125,p[1]]")


def test_one_grey_per_tone():
    assert len(TONES) == TONE_COUNT
    levels = sorted(tone[0] for tone in TONES)
    assert all(tone[0] == tone[1] == tone[2] for tone in TONES)  # greys: the status colours keep the hues
    assert all(higher - lower >= 8 for lower, higher in zip(levels, levels[1:], strict=False))
