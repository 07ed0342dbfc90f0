"""Plotly map figures (SVG: no tiles, no WebGL) coloured by attainment band or by raw value.

Input frames come from data_access.evaluation.evaluate (one row per unit for one indicator and year).
Units without a row, or with status no_data, are grey — never coloured as zero.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.read_model import (
    NEUTRAL_STATUSES,
    deadline_label,
    missing_text,
    status_label,
    target_text,
    value_text,
)
from data_access.status import BANDS, CLOSE_ATTAINMENT, Status

FONT = "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"
NO_DATA_COLOUR = next(band.colour for band in BANDS if band.status is Status.NO_DATA)
HOVER_LABELS = {"zh": ("数值", "分子/分母", "目标", "还需", "上报"),
                "en": ("Value", "Numerator/denominator", "Target", "Still needed", "Reported")}


def _hover(lang: str) -> str:
    value, fraction, target, missing, reported = HOVER_LABELS["en" if lang == "en" else "zh"]
    return (f"<b>%{{customdata[1]}}</b><br>{value}: %{{customdata[2]}}<br>{fraction}: %{{customdata[3]}}<br>"
            f"{target}: %{{customdata[4]}} (%{{customdata[5]}})<br>{missing}: %{{customdata[6]}}<br>"
            f"{reported}: %{{customdata[7]}}<br><span style='font-size:11px'>%{{customdata[8]}}</span><extra></extra>")


def band_legend_text(lang: str = "zh") -> str:
    close = f"{CLOSE_ATTAINMENT:.0%}"
    if lang == "en":
        return f"Met ≥100% of target · Close ≥{close} · Behind <{close} · Grey: no report"
    return f"达标 ≥目标 · 接近 ≥目标的{close} · 落后 <{close} · 灰色: 未上报(不按0计)"


def _hover_rows(frame: pd.DataFrame, lang: str = "zh") -> np.ndarray:
    """customdata: id, name, value, num/den, target, deadline, what is missing, reported/expected, wrapped clause.

    Values and shortfalls come from the one formatter (data_access.read_model): a school judged on a yes/no
    rule reads "未达标 · 缺 1 名专(兼)职教师", not "0.0%".
    """
    rows = []
    for row in frame.to_dict("records"):
        den = row.get("denominator")
        fraction = "—" if den is None or pd.isna(den) else f"{row['numerator']:g}/{den:g}"
        clause = "<br>".join(textwrap.wrap(str(row.get("clause") or ""), 30))
        status = row.get("status") or "no_data"
        value = value_text(row, lang) if status not in NEUTRAL_STATUSES else status_label(status, lang)
        rows.append([row["unit_id"], row["name"], value, fraction, target_text(row, lang),
                     deadline_label(row.get("deadline_year"), lang) if row.get("target_label") else "—",
                     missing_text(row, lang), f"{row.get('reported', 0)}/{row.get('expected', 0)}", clause])
    return np.array(rows, dtype=object).reshape(len(rows), 9)


def _complete(geojson: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per feature: units the warehouse does not know are shown as no data."""
    ids = [f["id"] for f in geojson["features"]]
    names = {f["id"]: f["properties"].get("name", f["id"]) for f in geojson["features"]}
    present = frame[frame["unit_id"].isin(ids)].drop_duplicates("unit_id")
    missing = [i for i in ids if i not in set(present["unit_id"])]
    filler = pd.DataFrame({"unit_id": missing, "name": [names[i] for i in missing], "status": "no_data",
                           "value": math.nan, "reported": 0, "expected": 0})
    return pd.concat([present, filler], ignore_index=True) if missing else present


def _legend_entries(figure: go.Figure, counts: dict[str, int], lang: str) -> None:
    for band in BANDS:
        label = band.label_zh if lang == "zh" else band.label_en
        figure.add_trace(go.Scattergeo(
            lon=[None], lat=[None], mode="markers", name=f"{label} ({counts.get(band.status.value, 0)})",
            marker={"symbol": "square", "size": 14, "color": band.colour}, hoverinfo="skip", showlegend=True,
        ))


def _finish(figure: go.Figure, frame: pd.DataFrame, title: str, subtitle: str, lang: str) -> go.Figure:
    reported, expected = int(frame["reported"].sum()), int(frame["expected"].sum())
    judged = frame[frame["target_label"].notna()] if "target_label" in frame else frame.iloc[0:0]
    target = target_text(judged.iloc[0].to_dict(), lang) if not judged.empty else "—"
    note = (f"目标 {target} · {reported}/{expected} 单位已上报 · {band_legend_text(lang)}" if lang == "zh"
            else f"Target {target} · {reported}/{expected} units reported · {band_legend_text(lang)}")
    figure.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.02, xanchor="left", yanchor="top",
                          showarrow=False, font={"size": 12, "color": "#333"})
    if frame.empty or (frame["status"] == "no_data").all():
        figure.add_annotation(text="该年度无上报数据" if lang == "zh" else "No reports for this year",
                              xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                              font={"size": 22, "color": "#555"}, bgcolor="rgba(255,255,255,0.8)")
    _lay_out(figure, title, subtitle, legend_title="达成情况" if lang == "zh" else "Attainment")
    figure.update_layout(clickmode="event+select")
    return figure


def _lay_out(figure: go.Figure, title: str, subtitle: str, legend_title: str = "") -> None:
    """Title with subtitle, map fitted to the drawn shapes, legend top right: the same on every map."""
    heading = f"{title}<br><span style='font-size:13px;color:#555'>{subtitle}</span>" if subtitle else title
    figure.update_geos(fitbounds="locations", visible=False, bgcolor="white", projection={"type": "mercator"})
    figure.update_layout(
        title={"text": heading, "x": 0.01, "xanchor": "left", "font": {"size": 20}},
        font={"family": FONT}, paper_bgcolor="white", margin={"l": 10, "r": 10, "t": 80, "b": 40},
        legend={"orientation": "v", "x": 1.0, "xanchor": "right", "y": 0.98, "bgcolor": "rgba(255,255,255,0.85)",
                "title": {"text": legend_title}},
        height=640, dragmode=False,
    )


def _outline_backdrop(outline: dict) -> go.Choropleth:
    """The county drawn light grey under its points."""
    return go.Choropleth(
        geojson=outline, featureidkey="id", locations=[f["id"] for f in outline["features"]],
        z=[0] * len(outline["features"]), colorscale=[[0, "#f3f3f3"], [1, "#f3f3f3"]], showscale=False,
        marker={"line": {"color": "#888", "width": 1.5}}, hoverinfo="skip", showlegend=False,
    )


def status_choropleth(geojson: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                      mode: str = "status", lang: str = "zh") -> go.Figure:
    """Regions coloured by attainment band (mode 'status') or by value (mode 'value'); clickable by adcode."""
    full = _complete(geojson, frame)
    figure = go.Figure()
    reported = full[full["status"] != "no_data"]
    silent = full[full["status"] == "no_data"]
    common = {"geojson": geojson, "featureidkey": "id", "hovertemplate": _hover(lang), "showlegend": False,
              "marker": {"line": {"color": "white", "width": 1}}}
    if not silent.empty:
        figure.add_trace(go.Choropleth(locations=silent["unit_id"], z=[0] * len(silent),
                                       customdata=_hover_rows(silent, lang),
                                       colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], showscale=False,
                                       name=status_label("no_data", lang), **common))
    if mode == "value" and not reported.empty:
        unit = reported["value_unit"].iloc[0]
        figure.add_trace(go.Choropleth(
            locations=reported["unit_id"], z=reported["value"], customdata=_hover_rows(reported, lang),
            colorscale="YlGnBu", colorbar={"title": {"text": unit}, "len": 0.6, "x": 0.98, "y": 0.4}, **common))
    else:
        for band in BANDS:
            part = reported[reported["status"] == band.status.value]
            if part.empty:
                continue
            figure.add_trace(go.Choropleth(
                locations=part["unit_id"], z=[1] * len(part), customdata=_hover_rows(part, lang),
                colorscale=[[0, band.colour], [1, band.colour]], showscale=False,
                name=status_label(band.status.value, lang), **common))
    if mode != "value":
        _legend_entries(figure, full["status"].value_counts().to_dict(), lang)
    return _finish(figure, full, title, subtitle, lang)


def school_points(outline: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                  mode: str = "status", lang: str = "zh") -> go.Figure:
    """Schools of a county as points coloured by band (or value), sized by enrollment; customdata[0] = id."""
    figure = go.Figure(_outline_backdrop(outline))
    located = frame[frame["longitude"].notna() & frame["latitude"].notna()] if "longitude" in frame else frame.iloc[0:0]
    enrollment = pd.to_numeric(located["enrollment"], errors="coerce") if "enrollment" in located \
        else pd.Series(300.0, index=located.index)
    located = located.assign(_size=(np.sqrt(enrollment.fillna(300).clip(lower=50)) / 2.2).clip(6, 30))
    if mode == "value":
        figure.add_trace(go.Scattergeo(
            lon=located["longitude"], lat=located["latitude"], mode="markers", customdata=_hover_rows(located, lang),
            hovertemplate=_hover(lang), showlegend=False,
            marker={"size": located["_size"], "color": located["value"], "colorscale": "YlGnBu",
                    "colorbar": {"title": {"text": located["value_unit"].iloc[0] if len(located) else ""}},
                    "line": {"color": "#333", "width": 0.5}}))
    else:
        for band in BANDS:
            part = located[located["status"] == band.status.value]
            label = band.label_zh if lang == "zh" else band.label_en
            figure.add_trace(go.Scattergeo(
                lon=part["longitude"], lat=part["latitude"], mode="markers", customdata=_hover_rows(part, lang),
                hovertemplate=_hover(lang), name=f"{label} ({len(part)})", showlegend=True,
                marker={"size": part["_size"], "color": band.colour, "line": {"color": "#333", "width": 0.5}}))
    unplaced = len(frame) - len(located)
    if unplaced:
        figure.add_annotation(text=f"{unplaced} 所学校缺少坐标, 未在图上显示", xref="paper", yref="paper", x=0,
                              y=-0.07, xanchor="left", showarrow=False, font={"size": 11, "color": "#777"})
    return _finish(figure, frame, title, subtitle, lang)


def reporting_points(outline: dict, units: pd.DataFrame, *, title: str, subtitle: str = "",
                     lang: str = "zh") -> go.Figure:
    """A county's units as points: reported in the 'met' colour, not reported in the 'behind' colour.

    `units` needs unit_id, name, reported, longitude, latitude (data_access.completeness.unit_reports).
    """
    colours = {band.status: band.colour for band in BANDS}
    figure = go.Figure(_outline_backdrop(outline))
    located = units[units["longitude"].notna() & units["latitude"].notna()]
    for reported, colour, zh, en in ((True, colours[Status.MET], "已上报", "Reported"),
                                     (False, colours[Status.BEHIND], "未上报", "Not reported")):
        part = located[located["reported"] == reported]
        label = zh if lang == "zh" else en
        figure.add_trace(go.Scattergeo(
            lon=part["longitude"], lat=part["latitude"], mode="markers", name=f"{label} ({len(part)})",
            customdata=part[["unit_id", "name"]].to_numpy(), showlegend=True,
            hovertemplate=f"<b>%{{customdata[1]}}</b><br>%{{customdata[0]}}<br>{label}<extra></extra>",
            marker={"size": 11, "color": colour, "line": {"color": "#333", "width": 0.5}}))
    unplaced = len(units) - len(located)
    if unplaced:
        figure.add_annotation(text=f"{unplaced} 个单位缺少坐标, 未在图上显示", xref="paper", yref="paper", x=0,
                              y=-0.02, xanchor="left", yanchor="top", showarrow=False,
                              font={"size": 11, "color": "#777"})
    _lay_out(figure, title, subtitle, legend_title="上报情况" if lang == "zh" else "Reporting")
    return figure
