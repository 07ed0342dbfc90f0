"""Trend sparklines and gap rankings built from evaluation frames (data_access.evaluation.evaluate)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_access.status import STATUS_COLOURS

FONT = "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"


def sparkline(series: pd.DataFrame, threshold: float | None, *, height: int = 90) -> go.Figure:
    """Yearly values of one unit and indicator (columns year, value, status) with the target dashed."""
    series = series.sort_values("year")
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=series["year"], y=series["value"], mode="lines+markers", connectgaps=False,
        line={"color": "#4a4a4a", "width": 2},
        marker={"color": [STATUS_COLOURS[s] for s in series["status"]], "size": 8},
        hovertemplate="%{x}年: %{y:.1f}<extra></extra>",
    ))
    if threshold is not None and not pd.isna(threshold):
        figure.add_hline(y=threshold, line={"dash": "dash", "color": STATUS_COLOURS["met"], "width": 1})
    figure.update_layout(height=height, margin={"l": 0, "r": 0, "t": 4, "b": 0}, showlegend=False,
                         font={"family": FONT, "size": 11}, plot_bgcolor="white", paper_bgcolor="white")
    figure.update_xaxes(tickmode="array", tickvals=list(series["year"]), ticktext=[f"{y}" for y in series["year"]],
                        showgrid=False)
    figure.update_yaxes(showgrid=False, visible=False)
    return figure


def gap_ranking(frame: pd.DataFrame, *, title: str, height: int | None = None) -> go.Figure:
    """Horizontal bars of value per unit, furthest behind at the top, target marked, no-data units listed."""
    reported = frame[frame["value"].notna()].sort_values("gap", ascending=True)
    figure = go.Figure(go.Bar(
        x=reported["value"], y=reported["name"], orientation="h",
        marker={"color": [STATUS_COLOURS[s] for s in reported["status"]]},
        text=[f"{v:.1f}" for v in reported["value"]], textposition="outside",
        customdata=reported[["reported", "expected", "gap"]].to_numpy(),
        hovertemplate="%{y}: %{x:.1f}<br>差距 %{customdata[2]:.1f}<br>"
                      "上报 %{customdata[0]}/%{customdata[1]}<extra></extra>",
    ))
    thresholds = frame["threshold"].dropna().unique()
    if len(thresholds) == 1:
        figure.add_vline(x=float(thresholds[0]), line={"dash": "dash", "color": "#333", "width": 1},
                         annotation_text=f"目标 {frame['target_label'].dropna().iloc[0]}",
                         annotation_position="top")
    silent = frame[frame["value"].isna()]["name"].tolist()
    if silent:
        figure.add_annotation(text="无数据: " + "、".join(silent[:12]) + ("…" if len(silent) > 12 else ""),
                              xref="paper", yref="paper", x=0, y=-0.08, showarrow=False, align="left",
                              font={"color": "#777"})
    figure.update_layout(title=title, height=height or max(320, 28 * len(reported) + 120),
                         margin={"l": 10, "r": 40, "t": 60, "b": 50}, font={"family": FONT},
                         plot_bgcolor="white", paper_bgcolor="white", showlegend=False)
    figure.update_yaxes(autorange="reversed")
    return figure
