"""The demo warehouse: deterministic, complete, honest about non-reporting, on both engines."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import schema
from demo.generate import build_demo


@pytest.fixture(scope="module")
def built(request, tmp_path_factory):
    """One demo build per engine for the whole module (a build takes seconds)."""
    from tests.conftest import fresh_engine

    engines = {}
    for kind in ("duckdb", "postgresql"):
        engine = fresh_engine(kind, tmp_path_factory.mktemp(kind), request)
        engines[kind] = (engine, build_demo(engine, seed=7))
    yield engines
    for engine, _ in engines.values():
        engine.dispose()


@pytest.fixture(params=("duckdb", "postgresql"))
def demo(request, built):
    return built[request.param]


def table(engine: sa.Engine, name: str) -> pd.DataFrame:
    target = schema.metadata.tables[name]
    keys = [c.name for c in target.primary_key.columns]
    with engine.connect() as conn:
        return pd.read_sql(sa.select(target).order_by(*[target.c[k] for k in keys]), conn)


def test_every_table_is_filled(demo):
    engine, summary = demo
    for name in ("regions", "region_year", "schools", "school_year", "awareness_survey", "hospitals",
                 "hospital_year", "communities", "community_year", "warehouse_meta"):
        assert len(table(engine, name)) == summary.counts[name] > 0
    meta = dict(table(engine, "warehouse_meta")[["key", "value"]].to_numpy())
    assert meta["is_demo"] == "1" and "演示" in meta["source"]


def test_same_seed_same_warehouse(built):
    # Two separate builds with seed 7, one per engine, hold exactly the same rows.
    duck, postgres = built["duckdb"][0], built["postgresql"][0]
    for name in ("schools", "school_year", "awareness_survey", "hospital_year", "community_year", "region_year"):
        pd.testing.assert_frame_equal(table(duck, name), table(postgres, name), check_dtype=False)


def test_real_units_and_realistic_spread(demo):
    engine, _ = demo
    regions, schools = table(engine, "regions"), table(engine, "schools")
    shaanxi = regions[(regions["level"] == "county") & (regions["province_adcode"] == "610000")]
    pingliang = regions[(regions["level"] == "county") & (regions["city_adcode"] == "620800")]
    assert (len(shaanxi), len(pingliang)) == (107, 7)
    assert set(shaanxi["adcode"]) | set(pingliang["adcode"]) <= set(schools["county_adcode"])
    universities = schools[schools["stage"] == "university"].merge(
        regions, left_on="county_adcode", right_on="adcode")
    assert (universities["city_adcode"] == "610100").mean() > 0.5
    assert schools["longitude"].between(105, 112).all() and schools["latitude"].between(31, 40).all()


def test_reports_are_consistent(demo):
    engine, _ = demo
    years = table(engine, "school_year")
    assert (years["boarding_students"].fillna(0) <= years["enrollment"]).all()
    assert (years["students_screened"].fillna(0) <= years["enrollment"]).all()
    surveys = table(engine, "awareness_survey")
    assert (surveys["passed"] <= surveys["surveyed"]).all()
    assert sorted(years["year"].unique()) == [2022, 2023, 2024, 2025, 2026]


def test_no_report_and_reported_zero_both_occur(demo):
    engine, _ = demo
    schools, years = table(engine, "schools"), table(engine, "school_year")
    assert len(years) < 5 * len(schools)  # some school-years have no row at all
    assert (years["fulltime_teachers"] == 0).any()  # ... and some reported zero
    assert years["counseling_room"].isna().any()  # ... and some left one figure blank


def test_progress_over_the_years(demo):
    engine, _ = demo
    merged = table(engine, "school_year").merge(table(engine, "schools"), on="school_id")
    basic = merged[merged["stage"].isin(["primary", "junior_secondary", "nine_year"])]
    share = basic.groupby("year")["fulltime_teachers"].apply(lambda s: (s.dropna() >= 1).mean())
    assert share[2022] < share[2023] < share[2025]
    assert 0.15 < share[2022] < 0.45 and 0.4 < share[2025] < 0.8


def test_rebuilding_replaces_the_content(demo):
    engine, summary = demo
    again = build_demo(engine, seed=7)
    assert again.counts == summary.counts


def test_codes_pass_the_registry_checks_and_names_are_unique_per_county(demo):
    from data_access.codes import (
        community_code_problem,
        hospital_code_problem,
        school_category_problem,
        school_code_problem,
        school_province_problem,
        urban_rural_of,
    )

    engine, _ = demo
    schools, hospitals, communities = table(engine, "schools"), table(engine, "hospitals"), table(engine, "communities")
    for school in schools.to_dict("records"):
        code = school["school_id"]
        assert not (school_code_problem(code) or school_category_problem(code, school["stage"], school["stage"])
                    or school_province_problem(code, school["county_adcode"])), school
    assert not schools.duplicated(["county_adcode", "name"]).any()
    assert all(len(code) == 18 and hospital_code_problem(code) is None for code in hospitals["hospital_id"])
    assert all(community_code_problem(code) is None for code in communities["community_id"])
    assert (communities["community_id"].str[:6] == communities["county_adcode"]).all()
    assert (communities["urban_rural_code"].map(urban_rural_of) == communities["urban_rural"]).all()


def test_closed_and_opened_schools_report_only_while_open(demo):
    engine, _ = demo
    schools, years = table(engine, "schools"), table(engine, "school_year")
    closed = set(schools.loc[schools["closed_year"] == 2024, "school_id"])
    opened = set(schools.loc[schools["opened_year"] == 2025, "school_id"])
    assert len(closed) >= 5 and len(opened) >= 5
    assert not years[years["school_id"].isin(closed) & (years["year"] > 2024)].shape[0]
    assert not years[years["school_id"].isin(opened) & (years["year"] < 2025)].shape[0]
    assert years[years["school_id"].isin(closed) & (years["year"] <= 2024)].shape[0] > 0  # history kept


def test_2026_is_a_reporting_round_in_progress_with_some_slipping_back(demo):
    engine, _ = demo
    years = table(engine, "school_year")
    counts = years.groupby("year").size()
    assert 0.7 * counts[2025] < counts[2026] < 0.95 * counts[2025]  # most schools reported, some not yet
    both = years[years["year"].isin([2025, 2026])].pivot(index="school_id", columns="year", values="fulltime_teachers")
    slipped = both[(both[2025] >= 1) & (both[2026] == 0)]
    assert len(slipped) > 10  # full-time teachers in 2025, none in 2026


@pytest.mark.parametrize("report", ["school_registry", "hospital_registry", "community_registry"])
def test_demo_registries_round_trip_unchanged(demo, report):
    """Each registry of Pingliang written into a template with its current entries and imported back: no problem
    found and nothing would change."""
    from data_access.importing import REPORT_TYPES, check_file, prefill_units, reported_values, template_xlsx

    engine, _ = demo
    spec = REPORT_TYPES[report]
    with engine.connect() as conn:
        units = prefill_units(conn, spec, "620800")
        values = reported_values(conn, spec, [unit_id for unit_id, _ in units], None)
    outcome = check_file(engine, "平凉_名录.xlsx", template_xlsx(spec, units=units, values=values))
    assert outcome.spec is spec and outcome.status == "preview", outcome.summary_lines()[:3]
    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (0, 0, len(units))


@pytest.mark.parametrize("report", ["school", "survey", "hospital", "community", "region"])
def test_demo_reports_pass_the_importers_checks_and_round_trip_unchanged(demo, report):
    """Every unit's 2026 report of 庄浪县 (still open in the demo's review story: 2022-2025 are approved and
    locked), written into a correction template and imported back: no problem found and nothing would change
    (the demo never holds figures a clerk could not have submitted)."""
    from data_access.importing import REPORT_TYPES, check_file, prefill_units, reported_values, template_xlsx

    engine, _ = demo
    spec = REPORT_TYPES[report]
    with engine.connect() as conn:
        units = prefill_units(conn, spec, "620825")
        values = reported_values(conn, spec, [unit_id for unit_id, _ in units], 2026)
    outcome = check_file(engine, "庄浪_2026.xlsx", template_xlsx(spec, units=units, year=2026, values=values),
                         type_key=report)
    assert outcome.status == "preview", outcome.summary_lines()[:3]
    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (0, 0, len(values))


def test_2026_schools_of_lingtai_are_in_every_state_of_their_own_report(demo):
    from data_access import accounts
    from data_access.completeness import unit_reports
    from demo.school_story import DEMO_SCHOOL_PASSWORD, RETURN_REASON, STORY_COUNTY

    engine, summary = demo
    story = summary.school_story
    states = table(engine, "school_reports")
    mine = states[(states["year"] == 2026) & (states["report_type"] == "school")].set_index("school_id")
    assert sorted(mine["state"].value_counts().items()) == [("draft", 3), ("returned", 1), ("submitted", 6)]
    assert mine.loc[story.returned, "reason"] == RETURN_REASON
    expected = unit_reports(engine, STORY_COUNTY, 2026, "school")
    untouched = expected[~expected["unit_id"].isin(mine.index)]
    assert not untouched.empty  # 未填: schools with no report of their own
    # Drafts and the returned report do not count (submitted only): they read as not reported.
    reported = dict(zip(expected["unit_id"], expected["reported"], strict=True))
    assert not any(reported[sid] for sid in story.drafts) and not reported[story.returned]
    assert all(reported[sid] for sid in story.submitted)
    # The printed sign-in works: the returned school's own account.
    assert accounts.verify_login(engine, story.account_login, DEMO_SCHOOL_PASSWORD).status == "ok"
    assert story.account_login in summary.describe() and DEMO_SCHOOL_PASSWORD in summary.describe()
