"""Boundary layers: real units, one coverage after simplification, clockwise rings, small enough to ship."""

from __future__ import annotations

import json

import numpy as np
import shapely

from geo.admin_units import units_within
from geo.layers import TONE_COUNT, boundary_geojson, outline_geojson, toned_geojson, with_tones


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


def test_the_deck_backdrop_gives_neighbours_different_tones():
    for parent in ("610000", "620800"):
        toned = toned_geojson(parent, "county")
        polygons = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in toned["features"]])
        tones = [feature["properties"]["t"] for feature in toned["features"]]
        assert set(tones) <= set(range(TONE_COUNT))
        neighbours = 0
        for index, polygon in enumerate(polygons):
            for other in range(index + 1, len(polygons)):
                if polygon.intersects(polygons[other]):
                    neighbours += 1
                    assert tones[index] != tones[other], (parent, index, other)
        assert neighbours > len(polygons)  # a real map: most counties touch several others
        # The names stay, and the plotly layer it came from is not changed
        assert toned["features"][0]["properties"]["name"] == boundary_geojson(parent, "county")["features"][0][
            "properties"]["name"]
        assert all("t" not in feature["properties"] for feature in boundary_geojson(parent, "county")["features"])


def test_a_single_outline_gets_the_first_tone():
    (feature,) = with_tones(outline_geojson("620802"))["features"]
    assert feature["properties"]["t"] == 0 and feature["properties"]["name"] == "崆峒区"
