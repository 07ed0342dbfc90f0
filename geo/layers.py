"""Boundary layers for plotly: children of a unit, simplified as one coverage, clockwise, computed once."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import shapely

from geo.admin_units import _all_units, raw_boundary

# Visvalingam-Whyatt tolerances (area-like, degrees^2): Shaanxi's 107 counties ~0.3 MB of GeoJSON. Cities are
# only drawn whole-province (~80 px per degree): at 0.03 Shaanxi's 10 cities are 18 kB instead of 57 kB at 0.01,
# with no difference visible at 800 px (compared on a rendered slide).
TOLERANCE = {"city": 0.03, "county": 0.005}
DECIMALS = 4  # ~10 m: far below what a slide or screen shows


def _children(parent_adcode: str, child_level: str) -> list[tuple[str, str]]:
    units = _all_units()
    chosen = units[(units["level"] == child_level)
                   & ((units["parent_adcode"] == parent_adcode) | (units["province_adcode"] == parent_adcode)
                      | (units["city_adcode"] == parent_adcode))]
    chosen = chosen[chosen["adcode"] != parent_adcode]
    if chosen.empty:
        raise KeyError(f"{parent_adcode} 下没有 {child_level} 级行政区划")
    return list(zip(chosen["adcode"], chosen["name"], strict=True))


def _clean_coverage(geometries: np.ndarray) -> np.ndarray:
    geometries = shapely.make_valid(geometries)
    if not shapely.coverage_is_valid(geometries):
        # AMap borders of neighbours overlap by slivers; snap them into one coverage first.
        geometries = shapely.coverage_clean(geometries)
    return geometries


def _for_plotly(geometry: shapely.Geometry) -> dict:
    rounded = shapely.transform(geometry, lambda coords: np.round(coords, DECIMALS))
    oriented = shapely.orient_polygons(rounded, exterior_cw=True)  # plotly fills the globe otherwise
    return json.loads(shapely.to_geojson(oriented))


@cache
def boundary_geojson(parent_adcode: str, child_level: str) -> dict:
    """FeatureCollection of a unit's children ('city' or 'county'), shared borders kept. Read-only."""
    children = _children(parent_adcode, child_level)
    raw = np.array([raw_boundary(adcode) for adcode, _ in children], dtype=object)
    simplified = shapely.coverage_simplify(_clean_coverage(raw), TOLERANCE[child_level])
    features = [
        {"type": "Feature", "id": adcode, "properties": {"adcode": adcode, "name": name},
         "geometry": _for_plotly(geometry)}
        for (adcode, name), geometry in zip(children, simplified, strict=True)
        if not geometry.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


# How many light greys neighbours may need: a greedy colouring of a planar map rarely needs more than 5.
TONE_COUNT = 6


def with_tones(geojson: dict) -> dict:
    """A copy of a FeatureCollection whose features carry a tone "t" (0..TONE_COUNT-1) that no neighbour shares.

    The all-schools deck draws its counties as fills in these tones instead of outlines: filled polygons are one
    non-instanced draw, while deck.gl draws a line segment by segment (8,900 instances for Shaanxi's county
    borders: 0.4-0.9 s a frame in software WebGL). Neighbours differ, so every border stays visible at any zoom.
    Greedy colouring, most-connected first; more tones than TONE_COUNT wrap around (never seen on real maps).
    """
    features = geojson["features"]
    polygons = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
    neighbours: list[set[int]] = [set() for _ in features]
    for first, second in zip(*shapely.STRtree(polygons).query(polygons, predicate="intersects"), strict=True):
        if first != second:
            neighbours[first].add(int(second))
    tones: dict[int, int] = {}
    for index in sorted(range(len(features)), key=lambda index: -len(neighbours[index])):
        taken = {tones[other] for other in neighbours[index] if other in tones}
        tones[index] = next(tone for tone in range(len(features) + 1) if tone not in taken)
    return {**geojson, "features": [{**feature, "properties": {**feature["properties"], "t": tones[index] % TONE_COUNT}}
                                    for index, feature in enumerate(features)]}


@cache
def toned_geojson(parent_adcode: str, child_level: str) -> dict:
    """boundary_geojson with each child's tone (with_tones): the all-schools deck's backdrop. Read-only."""
    return with_tones(boundary_geojson(parent_adcode, child_level))


@cache
def outline_geojson(adcode: str) -> dict:
    """One unit's own simplified outline (backdrop of the county school map)."""
    units = _all_units()
    match = units[units["adcode"] == adcode]
    if match.empty:
        raise KeyError(f"未知的行政区划代码: {adcode}")
    geometry = shapely.coverage_simplify(np.array([shapely.make_valid(raw_boundary(adcode))], dtype=object),
                                         0.002)[0]
    feature = {"type": "Feature", "id": adcode, "properties": {"adcode": adcode, "name": match["name"].iloc[0]},
               "geometry": _for_plotly(geometry)}
    return {"type": "FeatureCollection", "features": [feature]}
