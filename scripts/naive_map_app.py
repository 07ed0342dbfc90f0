"""The baseline for scripts/benchmark_map.py: the map page as a straightforward single-file Streamlit app.

Same warehouse (WAREHOUSE_URL), same engine (data_access.evaluation.evaluate) and same simplified
boundaries (geo.layers) as the dashboard, written the obvious way: boundaries and results in
st.cache_data, one go.Choropleth per status band (each carrying the GeoJSON), the full plan clause in
every hover, the urban/rural pair drawn on every run and figures rebuilt on every rerun. Not part of the
product; kept so the benchmark measures both in the same run. Sidebar labels match the dashboard's.

    streamlit run scripts/naive_map_app.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import streamlit as st  # noqa: E402

from data_access import catalog  # noqa: E402
from data_access.engine import make_engine, warehouse_url  # noqa: E402
from data_access.evaluation import evaluate  # noqa: E402
from data_access.regions import region_frame  # noqa: E402
from data_access.status import BANDS  # noqa: E402
from geo.layers import boundary_geojson, outline_geojson  # noqa: E402

st.set_page_config(page_title="naive map", layout="wide")
PROVINCE = "610000"


@st.cache_resource
def engine():
    return make_engine(warehouse_url())


@st.cache_data
def regions() -> pd.DataFrame:
    return region_frame(engine())


@st.cache_data
def boundaries(parent: str, level: str) -> dict:
    return boundary_geojson(parent, level) if level != "school" else outline_geojson(parent)


@st.cache_data
def results(region: str, level: str, year: int, indicator: str) -> pd.DataFrame:
    return evaluate(engine(), region, level, [year], indicator_ids=[indicator])


def hover(frame: pd.DataFrame) -> list[str]:
    return [f"<b>{r['name']}</b><br>数值: {r['value']}<br>目标: {r['target_label']}<br>{r['clause']}"
            for r in frame.to_dict("records")]


def status_map(geojson: dict, frame: pd.DataFrame, title: str) -> go.Figure:
    figure = go.Figure()
    for band in BANDS:
        part = frame[frame["status"] == band.status.value]
        if not part.empty:
            figure.add_trace(go.Choropleth(geojson=geojson, featureidkey="id", locations=part["unit_id"],
                                           z=[1] * len(part), colorscale=[[0, band.colour], [1, band.colour]],
                                           showscale=False, name=band.label_zh, text=hover(part),
                                           hoverinfo="text"))
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(title=title, height=640)
    return figure


def school_map(outline: dict, frame: pd.DataFrame, title: str) -> go.Figure:
    figure = go.Figure(go.Choropleth(geojson=outline, featureidkey="id",
                                     locations=[f["id"] for f in outline["features"]], z=[0], showscale=False))
    for band in BANDS:
        part = frame[frame["status"] == band.status.value]
        figure.add_trace(go.Scattergeo(lon=part["longitude"], lat=part["latitude"], mode="markers",
                                       marker={"color": band.colour}, name=band.label_zh, text=hover(part),
                                       hoverinfo="text"))
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(title=title, height=640)
    return figure


names = dict(zip(regions()["adcode"], regions()["name"], strict=True))
with st.sidebar:
    cities = sorted(regions().query("level == 'city' and province_adcode == @PROVINCE")["adcode"])
    city = st.selectbox("市", ["", *cities], format_func=lambda code: names.get(code, "全省"))
    counties = sorted(regions().query("level == 'county' and parent_adcode == @city")["adcode"]) if city else []
    county = st.selectbox("县(区)", ["", *counties], format_func=lambda code: names.get(code, "全部"))
    year = st.selectbox("年度", [2025, 2024, 2023, 2022], format_func=lambda y: f"{y}年")
    indicators = [ind.id for ind in catalog.indicators_for(PROVINCE)]
    indicator = st.selectbox("指标", indicators, format_func=lambda i: catalog.indicators()[i].name_zh)

region = county or city or PROVINCE
level = "school" if county else ("county" if city else "city")
frame = results(region, level, year, indicator)
title = f"{names.get(region, region)} {catalog.indicators()[indicator].name_zh} ({year}年)"
if level == "school":
    st.plotly_chart(school_map(boundaries(region, level), frame, title))
else:
    st.plotly_chart(status_map(boundaries(region, level), frame, title))
st.dataframe(frame[["name", "value", "status", "gap"]])
if level != "school":
    columns = st.columns(2)
    for column, pair_id in zip(columns, ("parent_school_urban", "parent_school_rural"), strict=True):
        pair = results(region, level, year, pair_id)
        with column:
            st.plotly_chart(status_map(boundaries(region, level), pair, pair_id))
