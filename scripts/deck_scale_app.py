"""The all-schools deck at a chosen size, for scripts/benchmark_deck.py: the product's own deck code
(charts.deck, boundaries by URL from geo.published) on the demo's Shaanxi schools, repeated with jittered
positions and new ids until there are `?n=` of them. Not part of the product.

    WAREHOUSE_URL=duckdb:///var/warehouse.duckdb streamlit run scripts/deck_scale_app.py
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from charts.deck import (  # noqa: E402
    PreparedDeck,
    school_points,  # noqa: E402
    schools_deck,
)
from data_access.engine import make_engine, warehouse_url  # noqa: E402
from data_access.read_model import evaluate_views, resolve_scope  # noqa: E402
from geo.layers import toned_geojson  # noqa: E402
from geo.published import published_points_url, published_url  # noqa: E402

PROVINCE, YEAR, INDICATOR = "610000", 2025, "counselor_coverage"
# Streamlit serves static/ beside the main script: for this app that is scripts/static/.
STATIC_GEO = Path(__file__).resolve().parent / "static" / "geo"
STATIC_POINTS = Path(__file__).resolve().parent / "static" / "points"


@st.cache_resource
def demo_schools() -> pd.DataFrame:
    """The province's located schools as the product's deck gets them: the read model's rows (IndicatorView)."""
    engine = make_engine(warehouse_url())
    scope = resolve_scope(engine, PROVINCE, YEAR, child_level="school")
    frame = evaluate_views(engine, scope, [INDICATOR], with_overall=False)[INDICATOR].units
    return frame[frame["longitude"].notna()].reset_index(drop=True)


@st.cache_resource
def deck(count: int) -> tuple[PreparedDeck, float]:
    started = time.perf_counter()
    schools = demo_schools()
    rng = np.random.default_rng(count)
    copies = schools.iloc[np.arange(count) % len(schools)].reset_index(drop=True)
    jitter = (np.arange(count) >= len(schools)) * 0.08  # the original schools keep their places
    copies = copies.assign(unit_id=[f"{index:010d}" for index in range(count)],
                           longitude=copies["longitude"] + rng.uniform(-1, 1, count) * jitter,
                           latitude=copies["latitude"] + rng.uniform(-1, 1, count) * jitter)
    boundaries = toned_geojson(PROVINCE, "county")  # the product's backdrop (ui/resources.deck_backdrop)
    points = school_points(copies)
    points_url = published_points_url(points.rows, f"scale_{count}", STATIC_POINTS)
    built = PreparedDeck(schools_deck(boundaries, points, points_url=points_url,
                                      boundaries_url=published_url(boundaries, f"{PROVINCE}_county_toned",
                                                                   STATIC_GEO)),
                         points.ids)
    raw = (STATIC_POINTS / points_url.rsplit("/", 1)[1]).read_bytes()
    # What nginx sends (deploy/nginx.conf.template: gzip at its default level 1).
    built.points_bytes, built.points_gzip_bytes = len(raw), len(gzip.compress(raw, compresslevel=1))
    return built, time.perf_counter() - started


count = int(st.query_params.get("n", "7000"))
prepared, seconds = deck(count)
st.caption(f"{count} schools · deck JSON {len(prepared.to_json().encode()) / 1e6:.3f} MB · points file "
           f"{prepared.points_bytes / 1e6:.2f} MB gzip {prepared.points_gzip_bytes / 1e6:.2f} MB · "
           f"built in {seconds:.2f} s · {'polygons' if prepared.dense else 'instanced dots'}")
event = st.pydeck_chart(prepared, height=640, key="deck", on_select="rerun", selection_mode="single-object")
school = prepared.selected_school(event)
if school:  # what the product's page opens on a click (pages/schools_map.py)
    st.caption(f"selected school {school}")
