"""Boundary layers: real units, one coverage after simplification, clockwise rings, small enough to ship."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from geo.admin_units import units_within
from geo.layers import borders_geojson, boundary_geojson, outline_geojson


def _geometries(layer: dict) -> np.ndarray:
    return np.array([shapely.geometry.shape(f["geometry"]) for f in layer["features"]], dtype=object)


def test_shaanxi_cities_and_counties_are_all_there():
    cities = boundary_geojson("610000", "city")
    counties = boundary_geojson("610000", "county")
    assert len(cities["features"]) == 10 and len(counties["features"]) == 107
    expected = set(units_within("610000").query("level == 'county'")["adcode"])
    assert {f["id"] for f in counties["features"]} == expected
    xian = next(f for f in cities["features"] if f["id"] == "610100")
    assert xian["properties"] == {"adcode": "610100", "name": "西安市"}


def test_pingliang_has_seven_counties():
    layer = boundary_geojson("620800", "county")
    assert sorted(f["properties"]["name"] for f in layer["features"]) == sorted(
        ["崆峒区", "泾川县", "灵台县", "崇信县", "庄浪县", "静宁县", "华亭市"])


def test_simplified_layer_stays_a_coverage_and_is_small():
    counties = boundary_geojson("610000", "county")
    geometries = _geometries(counties)
    assert all(g.is_valid for g in geometries)
    # Neighbours share borders: no overlaps beyond rounding slivers.
    overlap = shapely.union_all(geometries).area
    assert abs(overlap - sum(g.area for g in geometries)) / overlap < 0.002
    assert len(json.dumps(counties)) < 500_000


def test_rings_are_clockwise_for_plotly():
    for feature in boundary_geojson("620800", "county")["features"] + outline_geojson("620802")["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        polygons = geometry.geoms if hasattr(geometry, "geoms") else [geometry]
        for polygon in polygons:
            assert not polygon.exterior.is_ccw


def test_the_deck_borders_draw_every_shared_border_once():
    polygons = shapely.from_geojson([json.dumps(feature["geometry"])
                                     for feature in boundary_geojson("610000", "county")["features"]])
    (feature,) = borders_geojson("610000", "county")["features"]
    borders = shapely.from_geojson(json.dumps(feature["geometry"]))
    outlines = sum(polygon.boundary.length for polygon in polygons)
    outer = shapely.union_all(polygons).boundary.length
    # Inner borders belong to two counties, the province's own border to one.
    assert borders.length == pytest.approx((outlines + outer) / 2, rel=1e-6)
    assert shapely.get_num_coordinates(borders) < 0.7 * sum(shapely.get_num_coordinates(p) for p in polygons)
