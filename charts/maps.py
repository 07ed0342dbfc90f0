"""Plotly map figures (SVG: no tiles, no WebGL) coloured by attainment band or by raw value.

Input frames come from data_access.evaluation.evaluate (one row per unit for one indicator and year).
Units without a row, or with status no_data, are grey — never coloured as zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from data_access.formatting import (
    attainment_label,
    fraction_text,
    missing_text,
    prints_no_rate,
    reported_text,
    status_label,
    target_text,
    value_or_status,
)
from data_access.review_basis import row_basis_text
from data_access.status import BANDS, CLOSE_ATTAINMENT, Status

FONT = "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"
NO_DATA_COLOUR = next(band.colour for band in BANDS if band.status is Status.NO_DATA)
# Hover shows what a reader needs at a point; the target and the plan clause are printed once beside the map.
HOVER_LABELS = {"zh": ("数值", "分子/分母", "还需", "审核"), "en": ("Value", "Numerator/denominator", "Still needed",
                                                              "Review")}


def region_hover(lang: str, with_basis: bool = False) -> str:
    value, fraction, missing, review = HOVER_LABELS["en" if lang == "en" else "zh"]
    basis = f"<br>{review}: %{{customdata[7]}}" if with_basis else ""
    # customdata[6] names what it counts itself ("报送本项指标 5/7").
    return (f"<b>%{{customdata[1]}}</b><br>%{{customdata[2]}}<br>{value}: %{{customdata[3]}}<br>{fraction}: "
            f"%{{customdata[4]}}<br>{missing}: %{{customdata[5]}}<br>%{{customdata[6]}}{basis}<extra></extra>")


def school_hover(lang: str, with_basis: bool = False) -> str:
    value, review = (HOVER_LABELS["en" if lang == "en" else "zh"][i] for i in (0, 3))
    basis = f"<br>{review}: %{{customdata[4]}}" if with_basis else ""
    return f"<b>%{{customdata[1]}}</b><br>%{{customdata[2]}}<br>{value}: %{{customdata[3]}}{basis}<extra></extra>"

VALUE_SCALE = "YlGnBu"


def band_legend_text(lang: str = "zh") -> str:
    close = attainment_label(CLOSE_ATTAINMENT)
    if lang == "en":
        return f"Met ≥100% of target · Close ≥{close} · Behind <{close} · Grey: no report"
    return f"达标 ≥目标 · 接近 ≥目标的{close} · 落后 <{close} · 灰色: 未上报(不按0计)"


def band_index(status: str) -> int:
    """Position of a status in BANDS: the z value of the discrete band colour scale."""
    return _BAND_INDEX.get(status, _BAND_INDEX[Status.NO_DATA.value])


_BAND_INDEX = {band.status.value: index for index, band in enumerate(BANDS)}


def band_colorscale() -> list[list]:
    """A step colour scale with one flat step per band: z = band_index(status), zmin -0.5, zmax len(BANDS) - 0.5."""
    steps = len(BANDS)
    scale: list[list] = []
    for index, band in enumerate(BANDS):
        scale += [[round(index / steps, 4), band.colour], [round((index + 1) / steps, 4), band.colour]]
    return scale


def _band_colouring() -> dict:
    return {"colorscale": band_colorscale(), "zmin": -0.5, "zmax": len(BANDS) - 0.5}


def _value_colouring(values: pd.Series, unit: str) -> tuple[list[float], dict]:
    """Values on a continuous scale, units without a value one notch below it in grey (one trace, one GeoJSON)."""
    known = values.dropna()
    low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    span = (high - low) or 1.0
    floor = low - span / 20
    grey_until = (low - floor) / (high - floor)
    scale = [[0, NO_DATA_COLOUR], [grey_until * 0.999, NO_DATA_COLOUR]]
    blues = plotly.colors.get_colorscale(VALUE_SCALE)
    scale += [[grey_until + (1 - grey_until) * position, colour] for position, colour in blues]
    z = [floor if pd.isna(value) else float(value) for value in values]
    return z, {"colorscale": scale, "zmin": floor, "zmax": high,
               "colorbar": {"title": {"text": unit}, "len": 0.6, "x": 0.98, "y": 0.4}}


def _with_basis(frame: pd.DataFrame) -> bool:
    """Frames evaluated on a basis carry review columns: hover then says what each unit stands on."""
    return "counties_total" in frame


def _region_hover(frame: pd.DataFrame, lang: str, report: str | None = None,
                  approved_only: bool = False) -> list[list]:
    """customdata per region: id, name, status, value, num/den, what is missing, reported/expected (no clause),
    and its basis (已审核 / 待审核 / 未审核, or an area's 已审核 n/N 县) when the frame has one."""
    basis = _with_basis(frame)
    return [[row["unit_id"], row["name"], status_label(row["status"], lang), value_or_status(row, lang),
             fraction_text(row), missing_text(row, lang),
             reported_text(row.get("reported", 0), row.get("expected", 0), lang, report=report),
             *([row_basis_text(row, approved_only=approved_only, lang=lang) or "—"] if basis else [])]
            for row in frame.to_dict("records")]


def _school_hover(frame: pd.DataFrame, lang: str, approved_only: bool = False) -> list[list]:
    """customdata per school: id (read by clicks), name, status, value or what it lacks (and its basis)."""
    basis = _with_basis(frame)
    return [[row["unit_id"], _plain(row["name"]), status_label(row["status"], lang),
             value_or_status(row, lang) + (f" · {missing_text(row, lang)}" if row["status"] != Status.MET
                                           and not prints_no_rate(row["status"]) else ""),
             *([row_basis_text(row, approved_only=approved_only, lang=lang) or "—"] if basis else [])]
            for row in frame.to_dict("records")]


def _plain(text: object) -> str:
    """A registry name as literal text in plotly's hover, which reads <a href>, <b> and <br> as markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _complete(geojson: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per feature: units the warehouse does not know are shown as no data."""
    ids = [f["id"] for f in geojson["features"]]
    names = {f["id"]: f["properties"].get("name", f["id"]) for f in geojson["features"]}
    present = frame[frame["unit_id"].isin(ids)].drop_duplicates("unit_id")
    missing = [i for i in ids if i not in set(present["unit_id"])]
    filler = pd.DataFrame({"unit_id": missing, "name": [names[i] for i in missing], "status": "no_data",
                           "value": math.nan, "reported": 0, "expected": 0})
    return pd.concat([present, filler], ignore_index=True) if missing else present


def _legend_entries(counts: dict[str, int], lang: str) -> list[dict]:
    """Legend-only traces (no geometry), one per band, with the number of units in it."""
    entries = []
    for band in BANDS:
        label = band.label_zh if lang == "zh" else band.label_en
        # Only what differs from plotly.js defaults (scattergeo mode is "markers", a legend is shown, a trace
        # without points never hovers): these entries are resent on every rerun.
        entries.append({"type": "scattergeo", "lon": [None], "lat": [None],
                        "name": f"{label} ({counts.get(band.status.value, 0)})",
                        "marker": {"symbol": "square", "size": 14, "color": band.colour}})
    return entries


def _note(frame: pd.DataFrame, lang: str, report: str | None = None) -> list[dict]:
    reported, expected = int(frame["reported"].sum()), int(frame["expected"].sum())
    judged = frame[frame["target_label"].notna()] if "target_label" in frame else frame.iloc[0:0]
    target = target_text(judged.iloc[0].to_dict(), lang) if not judged.empty else "—"
    counted = reported_text(reported, expected, lang, report=report)
    note = (f"目标 {target} · {counted} · {band_legend_text(lang)}" if lang == "zh"
            else f"Target {target} · {counted} · {band_legend_text(lang)}")
    notes = [{"text": note, "xref": "paper", "yref": "paper", "x": 0, "y": -0.02, "xanchor": "left",
              "yanchor": "top", "showarrow": False, "font": {"size": 12, "color": "#333"}}]
    if frame.empty or (frame["status"] == "no_data").all():
        notes.append({"text": "该年度无上报数据" if lang == "zh" else "No reports for this year", "xref": "paper",
                      "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False, "font": {"size": 22, "color": "#555"},
                      "bgcolor": "rgba(255,255,255,0.8)"})
    return notes


def _layout(title: str, subtitle: str, legend_title: str = "") -> dict:
    """Title with subtitle, map fitted to the drawn shapes, legend top right: the same on every map."""
    heading = f"{title}<br><span style='font-size:13px;color:#555'>{subtitle}</span>" if subtitle else title
    return {
        "geo": {"fitbounds": "locations", "visible": False, "bgcolor": "white", "projection": {"type": "mercator"}},
        "title": {"text": heading, "x": 0.01, "xanchor": "left", "font": {"size": 20}},
        "font": {"family": FONT}, "paper_bgcolor": "white", "margin": {"l": 10, "r": 10, "t": 80, "b": 40},
        "legend": {"orientation": "v", "x": 1.0, "xanchor": "right", "y": 0.98, "bgcolor": "rgba(255,255,255,0.85)",
                   "title": {"text": legend_title}},
        "height": 640, "dragmode": False, "clickmode": "event+select",
    }


def _outline_backdrop(outline: dict, geojson_url: str | None = None) -> dict:
    """The county drawn light grey under its points (its outline fetched from `geojson_url` when given)."""
    return {"type": "choropleth", "geojson": geojson_url or outline, "featureidkey": "id",
            "locations": [f["id"] for f in outline["features"]], "z": [0] * len(outline["features"]),
            "colorscale": [[0, "#f3f3f3"], [1, "#f3f3f3"]], "showscale": False,
            "marker": {"line": {"color": "#888", "width": 1.5}}, "hoverinfo": "skip", "showlegend": False}


def status_map_spec(geojson: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                    mode: str = "status", lang: str = "zh", geojson_url: str | None = None,
                    report: str | None = None, approved_only: bool = False) -> dict:
    """The figure as a plain dict: one choropleth trace carries the boundaries once.

    With `geojson_url` (geo.published) the trace names the file instead of carrying it: the browser fetches
    it once per page load, and a rerun sends only ids, colours and hover texts.

    Mode 'status' colours each region through its band index on a discrete scale (legend entries without
    geometry name the bands); mode 'value' uses a continuous scale with no-data regions grey below it.
    The GeoJSON is referenced, not copied: treat the result as read-only. `report` names the report the
    reported/expected counts are about (the completeness map); else they count this indicator's reports.
    """
    full = _complete(geojson, frame)
    trace = {"type": "choropleth", "geojson": geojson_url or geojson, "featureidkey": "id",
             "locations": list(full["unit_id"]), "customdata": _region_hover(full, lang, report, approved_only),
             "hovertemplate": region_hover(lang, _with_basis(full)), "showlegend": False,
             "marker": {"line": {"color": "white", "width": 1}}}
    legend: list[dict] = []
    if mode == "value":
        unit = frame["value_unit"].dropna().iloc[0] if "value_unit" in frame and frame["value_unit"].notna().any() \
            else ""
        z, colouring = _value_colouring(full["value"], unit)
        trace.update(z=z, **colouring)
    else:
        trace.update(z=[band_index(status) for status in full["status"]], showscale=False, **_band_colouring())
        legend = _legend_entries(full["status"].value_counts().to_dict(), lang)
    layout = _layout(title, subtitle, legend_title="达成情况" if lang == "zh" else "Attainment")
    layout["annotations"] = _note(full, lang, report)
    return {"data": [trace, *legend], "layout": layout}


def status_choropleth(geojson: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                      mode: str = "status", lang: str = "zh", geojson_url: str | None = None,
                      report: str | None = None) -> go.Figure:
    """Regions coloured by attainment band (mode 'status') or by value (mode 'value'); clickable by adcode.

    With `geojson_url` the browser fetches the boundaries (see status_map_spec); exports leave it out."""
    return go.Figure(status_map_spec(geojson, frame, title=title, subtitle=subtitle, mode=mode, lang=lang,
                                     geojson_url=geojson_url, report=report))


def school_points_spec(outline: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                       mode: str = "status", lang: str = "zh", geojson_url: str | None = None,
                       approved_only: bool = False) -> dict:
    """Schools of a county as one point trace coloured by band (or value), sized by enrollment; customdata[0] = id.

    `geojson_url`: where the browser fetches the outline (see status_map_spec)."""
    located = frame[frame["longitude"].notna() & frame["latitude"].notna()] if "longitude" in frame else frame.iloc[0:0]
    enrollment = pd.to_numeric(located["enrollment"], errors="coerce") if "enrollment" in located \
        else pd.Series(300.0, index=located.index)
    sizes = (np.sqrt(enrollment.fillna(300).clip(lower=50)) / 2.2).clip(6, 30).round(1)
    marker: dict = {"size": list(sizes), "line": {"color": "#333", "width": 0.5}, "opacity": 1}
    legend: list[dict] = []
    if mode == "value":
        unit = located["value_unit"].iloc[0] if len(located) else ""
        colours, colouring = _value_colouring(located["value"], unit)
        marker.update(color=colours, colorscale=colouring["colorscale"], cmin=colouring["zmin"],
                      cmax=colouring["zmax"], colorbar=colouring["colorbar"])
    else:
        marker.update(color=[band_index(status) for status in located["status"]], colorscale=band_colorscale(),
                      cmin=-0.5, cmax=len(BANDS) - 0.5, showscale=False)
        legend = _legend_entries(located["status"].value_counts().to_dict(), lang)
    points = {"type": "scattergeo", "lon": list(located["longitude"]), "lat": list(located["latitude"]),
              "mode": "markers", "customdata": _school_hover(located, lang, approved_only),
              "hovertemplate": school_hover(lang, _with_basis(located)),
              "showlegend": False, "marker": marker}
    layout = _layout(title, subtitle, legend_title="达成情况" if lang == "zh" else "Attainment")
    layout["annotations"] = _note(frame, lang)
    unplaced = len(frame) - len(located)
    if unplaced:
        text = f"{unplaced} 所学校缺少坐标, 未在图上显示" if lang == "zh" else \
            f"{unplaced} schools have no coordinates and are not drawn"
        layout["annotations"].append({"text": text, "xref": "paper",
                                      "yref": "paper", "x": 0, "y": -0.07, "xanchor": "left", "showarrow": False,
                                      "font": {"size": 11, "color": "#777"}})
    return {"data": [_outline_backdrop(outline, geojson_url), points, *legend], "layout": layout}


def school_points(outline: dict, frame: pd.DataFrame, *, title: str, subtitle: str = "",
                  mode: str = "status", lang: str = "zh") -> go.Figure:
    """Schools of a county as points coloured by band (or value), sized by enrollment; customdata[0] = id."""
    return go.Figure(school_points_spec(outline, frame, title=title, subtitle=subtitle, mode=mode, lang=lang))


def reporting_points(outline: dict, units: pd.DataFrame, *, title: str, subtitle: str = "",
                     lang: str = "zh", geojson_url: str | None = None) -> go.Figure:
    """A county's units as points: reported in the 'met' colour, not reported in the 'behind' colour.

    `units` needs unit_id, name, reported, longitude, latitude (data_access.completeness.unit_reports).
    """
    colours = {band.status: band.colour for band in BANDS}
    figure = go.Figure(data=[_outline_backdrop(outline, geojson_url)])
    located = units[units["longitude"].notna() & units["latitude"].notna()]
    for reported, colour, zh, en in ((True, colours[Status.MET], "已上报", "Reported"),
                                     (False, colours[Status.BEHIND], "未上报", "Not reported")):
        part = located[located["reported"] == reported]
        label = zh if lang == "zh" else en
        figure.add_trace(go.Scattergeo(
            lon=part["longitude"], lat=part["latitude"], mode="markers", name=f"{label} ({len(part)})",
            customdata=part[["unit_id", "name"]].assign(name=part["name"].map(_plain)).to_numpy(), showlegend=True,
            hovertemplate=f"<b>%{{customdata[1]}}</b><br>%{{customdata[0]}}<br>{label}<extra></extra>",
            marker={"size": 11, "color": colour, "line": {"color": "#333", "width": 0.5}}))
    unplaced = len(units) - len(located)
    if unplaced:
        figure.add_annotation(text=f"{unplaced} 个单位缺少坐标, 未在图上显示", xref="paper", yref="paper", x=0,
                              y=-0.02, xanchor="left", yanchor="top", showarrow=False,
                              font={"size": 11, "color": "#777"})
    figure.update_layout(_layout(title, subtitle, legend_title="上报情况" if lang == "zh" else "Reporting"))
    return figure


class PreparedFigure(go.Figure):
    """A finished figure handed to st.plotly_chart as its plain dict, without plotly's copies.

    st.plotly_chart calls `to_dict()` on a figure, which deep-copies every trace (the GeoJSON too) on each
    rerun, and building go traces copies the GeoJSON again. This figure keeps the spec dict built by
    status_map_spec/school_points_spec and returns it as is: cache it and never mutate it. Exports build
    ordinary figures from the same spec functions.
    """

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._prepared_spec = spec

    def to_dict(self) -> dict:
        return self._prepared_spec
