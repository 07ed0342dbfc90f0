"""Registry coordinates against county boundaries: one spatial join, the same answer as point by point."""

from __future__ import annotations

import math

from geo.containment import TOLERANCE_DEGREES, degrees_outside, degrees_outside_many

# 崆峒区 (620802): 东关 inside, a point in Xi'an (far outside), one just outside within the tolerance is checked
# against the point-by-point distance; an unknown county has no boundary.
POINTS = [("620802", 106.67, 35.54), ("620802", 108.96, 34.27), ("610102", 108.96, 34.27), ("999999", 1.0, 1.0)]


def test_spatial_join_agrees_with_point_by_point():
    adcodes, lons, lats = zip(*POINTS, strict=True)
    many = degrees_outside_many(adcodes, lons, lats)
    assert many[0] == 0.0 and many[2] == 0.0  # inside the county each names
    assert many[1] > 1.0 and math.isclose(many[1], degrees_outside("620802", 108.96, 34.27))
    assert math.isnan(many[3])


def test_tolerance_semantics_are_kept():
    # A point nudged just outside 崆峒区's western edge: outside, but by less than the tolerance.
    inside_lon, lat = 106.67, 35.54
    lon = inside_lon
    while degrees_outside("620802", lon, lat) == 0.0:
        lon -= 0.01
    [outside] = degrees_outside_many(["620802"], [lon], [lat])
    assert 0.0 < outside <= TOLERANCE_DEGREES and math.isclose(outside, degrees_outside("620802", lon, lat))
