"""Map figures from small hand-made evaluation frames."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts.maps import (
    PreparedFigure,
    band_colorscale,
    reporting_points,
    school_points,
    status_choropleth,
    status_map_spec,
)
from data_access.status import BANDS, STATUS_COLOURS
from geo.layers import boundary_geojson, outline_geojson
from geo.offline import PLOTLY_CONFIG, TOPOJSON_DIR, configure_static_export


def frame(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame([{
        "unit_id": unit, "name": name, "value": value, "status": status, "value_unit": "%", "numerator": 1.0,
        "denominator": 2.0, "target_label": "≥95%", "deadline": "2025年底", "gap": 5.0, "clause": "条款" * 30,
        "reported": 0 if status == "no_data" else 3, "expected": 4, "longitude": 106.67, "latitude": 35.54,
        "enrollment": 800,
    } for unit, name, value, status in rows])


PINGLIANG = frame([("620802", "崆峒区", 96.0, "met"), ("620821", "泾川县", 88.0, "close"),
                   ("620822", "灵台县", 40.0, "behind"), ("620823", "崇信县", math.nan, "no_data")])


def _colour_at(scale: list, position: float) -> str:
    """The colour a step scale gives a normalised position (the last stop at or below it)."""
    return [colour for stop, colour in scale if stop <= position][-1]


def _colours(figure: go.Figure) -> dict[str, str]:
    """Feature id -> drawn colour, read back from z and the trace's colour scale."""
    found = {}
    for trace in figure.data:
        if isinstance(trace, go.Choropleth) and trace.locations is not None:
            scale = [list(stop) for stop in trace.colorscale]
            for location, z in zip(trace.locations, trace.z, strict=True):
                found[location] = _colour_at(scale, (z - trace.zmin) / (trace.zmax - trace.zmin))
    return found


def test_status_map_colours_each_band_and_greys_missing_units():
    figure = status_choropleth(boundary_geojson("620800", "county"), PINGLIANG, title="平凉", subtitle="目标")
    colours = _colours(figure)
    assert colours["620802"] == STATUS_COLOURS["met"]
    assert colours["620821"] == STATUS_COLOURS["close"]
    assert colours["620822"] == STATUS_COLOURS["behind"]
    assert colours["620823"] == STATUS_COLOURS["no_data"]
    assert colours["620881"] == STATUS_COLOURS["no_data"]  # not in the frame at all: grey, not zero
    text = " ".join(a.text for a in figure.layout.annotations)
    assert "≥95%" in text and "报送本项指标 9/16" in text and "达标" in text and "灰色" in text
    assert [t.name for t in figure.data if isinstance(t, go.Scattergeo)][:2] == ["达标 (1)", "接近 (1)"]


def test_each_map_sends_its_boundaries_once_and_names_every_band():
    geojson = boundary_geojson("620800", "county")
    figure = status_choropleth(geojson, PINGLIANG, title="平凉")
    shapes = [t for t in figure.data if getattr(t, "geojson", None) is not None]
    assert len(shapes) == 1
    # Pingliang's 7 counties: each boundary appears once in the JSON the browser receives.
    sent = figure.to_json()
    assert sent.count('"adcode":"620802"') + sent.count('"adcode": "620802"') == 1
    legend = [t for t in figure.data if isinstance(t, go.Scattergeo)]
    assert len(legend) == len(BANDS) and all(t.lon == (None,) for t in legend)  # legend only, no geometry
    assert len(band_colorscale()) == 2 * len(BANDS)


def test_hover_carries_no_clause():
    figure = status_choropleth(boundary_geojson("620800", "county"), PINGLIANG, title="平凉")
    assert "条款" not in figure.to_json()  # the fixture's clause is "条款" x 30; it is printed beside the map


def test_school_points_carry_the_school_id_first_and_no_clause():
    schools = frame([("S1", "一小", 100.0, "met"), ("S2", "二小", 0.0, "behind")])
    figure = school_points(outline_geojson("620802"), schools, title="崆峒区")
    points = [t for t in figure.data if isinstance(t, go.Scattergeo) and t.customdata is not None and len(t.customdata)]
    assert len(points) == 1
    assert [row[0] for row in points[0].customdata] == ["S1", "S2"]
    assert [row[2] for row in points[0].customdata] == ["达标", "落后"]
    marker = points[0].marker
    scale = [list(stop) for stop in marker.colorscale]
    drawn = [_colour_at(scale, (c - marker.cmin) / (marker.cmax - marker.cmin)) for c in marker.color]
    assert drawn == [STATUS_COLOURS["met"], STATUS_COLOURS["behind"]]
    assert "条款" not in figure.to_json()


def test_a_school_name_with_markup_is_literal_in_the_hover():
    """plotly reads <a href>, <b> and <br> in hover text as markup: a registry name is given as entities."""
    schools = frame([("S1", '<a href="http://evil.example">点我</a> & <b>', 100.0, "met")])
    figure = school_points(outline_geojson("620802"), schools, title="崆峒区")
    [points] = [t for t in figure.data if isinstance(t, go.Scattergeo) and t.customdata is not None
                and len(t.customdata)]
    assert points.customdata[0][1] == "&lt;a href=\"http://evil.example\"&gt;点我&lt;/a&gt; &amp; &lt;b&gt;"


def test_prepared_figure_hands_out_its_spec_without_copying():
    spec = status_map_spec(boundary_geojson("620800", "county"), PINGLIANG, title="平凉")
    prepared = PreparedFigure(spec)
    assert prepared.to_dict() is spec
    assert spec["data"][0]["geojson"] is boundary_geojson("620800", "county")  # referenced, not copied
    assert _colours(go.Figure(spec))["620822"] == STATUS_COLOURS["behind"]


def test_offline_settings_point_at_local_files():
    configure_static_export()
    import plotly.io as pio

    assert pio.defaults.topojson.startswith("file://") and (TOPOJSON_DIR / "world_110m.json").exists()
    assert pio.defaults.mathjax.startswith("file://")
    assert PLOTLY_CONFIG["topojsonURL"] == "/app/static/topojson/"


def test_reporting_points_split_reported_from_laggards_and_count_the_unplaced():
    units = pd.DataFrame({"unit_id": ["P1", "P2", "P3"], "name": ["一小", "二中", "三小"],
                          "reported": [True, False, False], "longitude": [106.67, 106.68, math.nan],
                          "latitude": [35.54, 35.55, math.nan]})
    figure = reporting_points(outline_geojson("620802"), units, title="崆峒区 学校年报 上报情况", subtitle="1 / 3")
    points = {trace.name: list(trace.customdata[:, 0]) for trace in figure.data if isinstance(trace, go.Scattergeo)}
    assert points == {"已上报 (1)": ["P1"], "未上报 (1)": ["P2"]}
    colours = {trace.name: trace.marker.color for trace in figure.data if isinstance(trace, go.Scattergeo)}
    assert colours == {"已上报 (1)": STATUS_COLOURS["met"], "未上报 (1)": STATUS_COLOURS["behind"]}
    assert any("1 个单位缺少坐标" in a.text for a in figure.layout.annotations)
