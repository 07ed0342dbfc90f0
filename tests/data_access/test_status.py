import math

import pytest

from data_access.status import BANDS, Status, attainment, status_for


@pytest.mark.parametrize(("value", "threshold", "comparison", "expected"), [
    (90, 90, ">=", Status.MET),
    (95, 90, ">=", Status.MET),
    (81, 90, ">=", Status.CLOSE),      # 81 / 90 = exactly 0.9
    (80.9, 90, ">=", Status.BEHIND),
    (0, 50, ">=", Status.BEHIND),
    (None, 90, ">=", Status.NO_DATA),
    (math.nan, 90, ">=", Status.NO_DATA),
    (50, None, None, Status.NO_DATA),
    (3000, 4000, "<=", Status.MET),
    (4400, 4000, "<=", Status.CLOSE),  # 4000 / 4400 = 0.909
    (5000, 4000, "<=", Status.BEHIND),
])
def test_status_bands(value, threshold, comparison, expected):
    assert status_for(value, threshold, comparison) == expected


def test_attainment_and_band_table():
    assert attainment(45, 90, ">=") == pytest.approx(0.5)
    assert [band.status for band in BANDS] == [Status.MET, Status.CLOSE, Status.BEHIND, Status.NO_DATA]
    assert len({band.colour for band in BANDS}) == 4
