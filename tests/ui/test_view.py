"""Plan scopes and their levels, as plain functions of the warehouse's regions."""

from __future__ import annotations

import pandas as pd

from ui.view import plan_scopes, scope_levels

REGIONS = pd.DataFrame({"adcode": ["610000", "620000", "620800"], "level": ["province", "province", "city"]})


def test_scopes_are_the_plans_the_warehouse_holds_regions_for():
    assert plan_scopes(REGIONS) == {"610000": "陕西省", "620800": "平凉市"}
    assert plan_scopes(REGIONS[REGIONS["adcode"] != "620800"]) == {"610000": "陕西省"}
    # An empty warehouse offers every plan scope (its pages then say there is no data).
    assert plan_scopes(REGIONS.iloc[0:0]) == {"610000": "陕西省", "620800": "平凉市"}


def test_a_province_scope_breaks_into_cities_and_a_city_scope_into_counties():
    assert scope_levels(REGIONS, "610000") == ("province", "city")
    assert scope_levels(REGIONS, "620800") == ("city", "county")
    assert scope_levels(REGIONS.iloc[0:0], "620800") == ("city", "county")  # from the code's form
