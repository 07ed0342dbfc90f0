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
    assert sorted(years["year"].unique()) == [2022, 2023, 2024, 2025]


def test_no_report_and_reported_zero_both_occur(demo):
    engine, _ = demo
    schools, years = table(engine, "schools"), table(engine, "school_year")
    assert len(years) < 4 * len(schools)  # some school-years have no row at all
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


@pytest.mark.parametrize("report", ["school", "survey", "hospital", "community", "region"])
def test_demo_reports_pass_the_importers_checks_and_round_trip_unchanged(demo, report):
    """Every unit's 2024 report, written into a correction template and imported back: no problem found and
    nothing would change (the demo never holds figures a clerk could not have submitted)."""
    from data_access.importing import REPORT_TYPES, check_file, prefill_units, reported_values, template_xlsx

    engine, _ = demo
    spec = REPORT_TYPES[report]
    with engine.connect() as conn:
        units = prefill_units(conn, spec, "620800")
        values = reported_values(conn, spec, [unit_id for unit_id, _ in units], 2024)
    outcome = check_file(engine, "平凉_2024.xlsx", template_xlsx(spec, units=units, year=2024, values=values),
                         type_key=report)
    assert outcome.status == "preview", outcome.summary_lines()[:3]
    assert (len(outcome.plan.added), len(outcome.plan.changed), outcome.plan.unchanged) == (0, 0, len(values))
