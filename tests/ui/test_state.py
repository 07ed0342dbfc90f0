"""View state, URL round trip and click-to-drill logic as plain functions."""

from __future__ import annotations

from ui import state


def test_seed_from_url_once_and_parse_year():
    session: dict = {}
    state.seed_from_url({"scope": "620800", "year": "2024", "county": "620802", "junk": "x"}, session)
    assert (session["scope"], session["year"], session["county"]) == ("620800", 2024, "620802")
    assert "junk" not in session
    state.seed_from_url({"scope": "610000"}, session)  # later runs keep the session's own state
    assert session["scope"] == "620800"


def test_bad_year_in_url_is_ignored():
    session: dict = {}
    state.seed_from_url({"year": "twenty"}, session)
    assert "year" not in session


def test_url_params_round_trip():
    session = {"scope": "610000", "city": "610100", "county": "", "year": 2025, "indicator": "counselor_coverage",
               "stage": "", "mode": "status", "school": "", "lang": "zh", "unrelated": 1}
    params = state.url_params(session)
    assert params == {"scope": "610000", "city": "610100", "year": "2025", "indicator": "counselor_coverage",
                      "mode": "status", "lang": "zh"}
    restored: dict = {}
    state.seed_from_url(params, restored)
    assert {k: restored[k] for k in params} == {**params, "year": 2025}


def canonical(session: dict) -> dict:
    return {k: v for k, v in session.items() if not k.startswith("w_")}


def test_drill_clears_levels_below_and_reseeds_widgets():
    session = {"city": "610100", "county": "610102", "school": "S1"}
    state.drill_to(session, state.CITY, "610300")
    assert canonical(session) == {"city": "610300", "county": "", "school": ""}
    assert (session["w_city"], session["w_county"]) == ("610300", "")
    session = {"city": "610100", "county": "610102", "school": "S1"}
    state.drill_to(session, state.SCOPE, None)
    assert canonical(session) == {"city": "", "county": "", "school": ""}


def test_click_on_region_and_school():
    region_click = {"selection": {"points": [{"location": "610100", "curve_number": 0}]}}
    assert state.clicked_unit(region_click, "city") == "610100"
    school_click = {"selection": {"points": [{"customdata": ["610102-PRI-001", "一小"]}]}}
    assert state.clicked_unit(school_click, "school") == "610102-PRI-001"
    assert state.clicked_unit({"selection": {"points": []}}, "city") is None
    assert state.clicked_unit(None, "county") is None


def test_click_drills_one_level_down():
    session = {"city": "610100", "county": "", "school": ""}
    level = state.drill_from_click(session, {"selection": {"points": [{"location": "610102"}]}}, "county")
    assert level == state.COUNTY and session["county"] == "610102"
    level = state.drill_from_click(session, {"selection": {"points": [{"customdata": ["S1"]}]}}, "school")
    assert level == state.SCHOOL and session["school"] == "S1"


def test_a_scope_without_a_plan_is_taken_out_with_its_drill_state():
    scopes = {"610000": "陕西省", "620800": "平凉市"}
    session = {"scope": "620000", "county": "620802", "year": 2025}
    assert state.take_unknown_scope(session, scopes) == "620000"
    assert "scope" not in session and session["county"] == "" and session["year"] == 2025
    planned = {"scope": "620800", "county": "620802"}
    assert state.take_unknown_scope(planned, scopes) is None and planned == {"scope": "620800", "county": "620802"}
    assert state.take_unknown_scope({}, scopes) is None
