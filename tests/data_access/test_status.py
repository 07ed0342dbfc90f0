import math

import pytest

from data_access.status import BANDS, NEUTRAL_STATUSES, UNMET_STATUSES, Status, attainment, status_for, unit_status


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
    assert [band.status for band in BANDS] == [Status.MET, Status.CLOSE, Status.BEHIND, Status.SLIPPED,
                                               Status.SMALL_SAMPLE, Status.NOT_APPLICABLE, Status.NO_DATA,
                                               Status.PENDING_REVIEW]
    assert len({band.colour for band in BANDS}) == len(BANDS) == len(Status)
    assert all(band.label_zh and band.label_en and band.explanation_zh and band.explanation_en for band in BANDS)
    assert NEUTRAL_STATUSES == {Status.SMALL_SAMPLE, Status.NOT_APPLICABLE, Status.PENDING_REVIEW}
    assert not NEUTRAL_STATUSES & UNMET_STATUSES


@pytest.mark.parametrize(("value", "expected", "denominator", "minimum", "status"), [
    (None, 0, None, None, Status.NOT_APPLICABLE),   # nothing to report: not "no data"
    (None, 3, None, None, Status.NO_DATA),
    (33.3, 1, 3, 10, Status.SMALL_SAMPLE),          # 1 of 3 surveyed students
    (30.0, 1, 10, 10, Status.BEHIND),               # 10 students is enough to judge
    (95.0, 1, 9, 10, Status.SMALL_SAMPLE),          # even a "met" rate over 9 students is not judged
    (None, 1, None, 10, Status.NO_DATA),
])
def test_unit_status_not_applicable_and_small_sample(value, expected, denominator, minimum, status):
    assert unit_status(value, 90, ">=", expected=expected, denominator=denominator,
                       min_denominator=minimum) == status
