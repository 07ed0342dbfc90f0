"""The start-up warm-up (ui/warmup.py): which views it computes, and that it fills the pages' own caches."""

from __future__ import annotations

import pandas as pd

from data_access import catalog
from ui.warmup import default_views

REGIONS = pd.DataFrame({
    "adcode": ["610000", "610100", "620000", "620800", "620802"],
    "name": ["陕西省", "西安市", "甘肃省", "平凉市", "崆峒区"],
    "level": ["province", "city", "province", "city", "county"],
    "parent_adcode": [None, "610000", None, "620000", "620800"],
    "city_adcode": [None, "610100", None, "620800", "620800"],
    "province_adcode": ["610000", "610000", "620000", "620000", "620000"],
})


def test_every_plan_scope_gets_its_default_view_for_the_latest_year():
    views = {view.scope: view for view in default_views(REGIONS, (2023, 2024, 2025))}
    assert set(views) == {"610000", "620800"}
    assert (views["610000"].scope_level, views["610000"].child_level) == ("province", "city")
    assert (views["620800"].scope_level, views["620800"].child_level) == ("city", "county")
    for scope, view in views.items():
        assert view.year == 2025 and view.years == (2023, 2024, 2025)
        headline = sorted((i for i in catalog.indicators_for(scope, 2025) if i.headline), key=lambda i: i.headline)
        assert view.indicator == headline[0].id  # what the sidebar opens with
        assert set(view.headline) == {i.id for i in headline}  # what the overview shows


def test_an_empty_warehouse_warms_the_plan_periods_last_year():
    views = {view.scope: view for view in default_views(REGIONS, ())}
    assert views["620800"].year == catalog.PLANS["620800"].period_end
