"""Trend sparklines built from evaluation frames (data_access.evaluation.evaluate)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_access.formatting import prints_no_rate, value_or_status
from data_access.status import BANDS, STATUS_COLOURS, Status

NEUTRAL_COLOUR = next(band.colour for band in BANDS if band.status is Status.NO_DATA)

FONT = "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"


def sparkline(series: pd.DataFrame, threshold: float | None, *, height: int = 90, lang: str = "zh") -> go.Figure:
    """Yearly values of one unit and indicator (evaluation rows: year, value, status, value_unit, threshold,
    comparison) with the target dashed; hover values printed by the one formatter."""
    series = series.sort_values("year")
    # A year whose status prints no rate (样本不足) is a gap in the line: its height would give the rate away.
    series = series.assign(value=[None if prints_no_rate(s) else v for s, v in zip(series["status"], series["value"],
                                                                                   strict=True)])
    rows = series.to_dict("records")
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=series["year"], y=series["value"], mode="lines+markers", connectgaps=False,
        line={"color": "#4a4a4a", "width": 2},
        marker={"color": [STATUS_COLOURS.get(s, NEUTRAL_COLOUR) for s in series["status"]], "size": 8},
        customdata=[[f"{r['year']}" if lang == "en" else f"{r['year']}年", value_or_status(r, lang)] for r in rows],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    ))
    if threshold is not None and not pd.isna(threshold):
        figure.add_hline(y=threshold, line={"dash": "dash", "color": STATUS_COLOURS["met"], "width": 1})
    figure.update_layout(height=height, margin={"l": 0, "r": 0, "t": 4, "b": 0}, showlegend=False,
                         font={"family": FONT, "size": 11}, plot_bgcolor="white", paper_bgcolor="white")
    figure.update_xaxes(tickmode="array", tickvals=list(series["year"]), ticktext=[f"{y}" for y in series["year"]],
                        showgrid=False)
    figure.update_yaxes(showgrid=False, visible=False)
    return figure
