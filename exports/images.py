"""Slide-ready PNGs rendered on the server by kaleido + Chromium, offline, with everything a reader needs."""

from __future__ import annotations

import copy
import textwrap

import plotly.graph_objects as go
import sqlalchemy as sa

from charts.maps import band_legend_text, school_points, status_choropleth
from data_access import catalog
from data_access.read_model import (
    IndicatorView,
    NoUnitsForIndicator,
    UnknownIndicator,
    UnknownLevel,
    evaluate_views,
    resolve_scope,
)
from data_access.regions import ALL_REGIONS
from data_access.review_basis import Basis
from exports.renderer import SLIDE_SIZE, ExportError, figure_png, warm_up  # noqa: F401 - re-exported
from geo.layers import boundary_geojson, outline_geojson

DEMO_MARK = "演示数据 · 非真实统计"
CLAUSE_WRAP = 95  # CJK characters per footer line at 13px on a 1600px slide

def _is_band_note(annotation: go.layout.Annotation) -> bool:
    text = annotation.text or ""
    return band_legend_text("zh") in text or band_legend_text("en") in text


def annotate_for_slide(figure: go.Figure, *, title: str, scope_year: str, filters: str = "",
                       target_text: str = "", clause: str = "", completeness: str = "",
                       data_date: str | None = None, is_demo: bool = False) -> go.Figure:
    """A copy of the figure that stands alone on a slide.

    Adds title, scope and year, active filters, target, the quoted plan clause (wrapped), "n/N 单位已上报",
    the data date and a boxed demo mark; keeps the figure's legend. A map's own one-line note (target,
    counts, band rule) is replaced by this fuller footer, keeping the band rule.
    """
    slide = go.Figure(copy.deepcopy(figure))
    band_rule = ""
    kept = []
    for annotation in slide.layout.annotations:
        if _is_band_note(annotation):
            band_rule = band_legend_text("zh")
        else:
            kept.append(annotation)
    slide.layout.annotations = kept

    heading = f"{title}<br><span style='font-size:16px;color:#444'>{scope_year}"
    heading += f" · {filters}" if filters else ""
    heading += "</span>"
    facts = " · ".join(part for part in (target_text, completeness,
                                         f"数据截至 {data_date}" if data_date else "") if part)
    footer = [facts] if facts else []
    if band_rule:
        footer.append(band_rule)
    if clause:
        footer += textwrap.wrap(f"规划条款: {clause}", CLAUSE_WRAP)
    bottom = 30 + 21 * len(footer)
    slide.update_layout(title={"text": heading, "x": 0.01, "xanchor": "left", "y": 0.96, "yanchor": "top",
                               "font": {"size": 26}},
                        margin={"l": 24, "r": 24, "t": 110, "b": bottom}, height=None, width=None,
                        legend_font_size=15, legend_title_font_size=15)
    if footer:
        slide.add_annotation(text="<br>".join(footer), xref="paper", yref="paper", x=0, y=0, yshift=-12,
                             xanchor="left", yanchor="top", showarrow=False, align="left",
                             font={"size": 14, "color": "#333"})
    if is_demo:
        slide.add_annotation(text=DEMO_MARK, xref="paper", yref="paper", x=1, y=1, yshift=78, xanchor="right",
                             yanchor="top", showarrow=False, font={"size": 20, "color": "#b71c1c"},
                             bordercolor="#b71c1c", borderwidth=2, borderpad=6, bgcolor="white")
    # Slides show the band colours exactly as the legend states them (plotly fades geo markers by default).
    slide.update_traces(marker_opacity=1, selector={"type": "scattergeo"})
    return slide


def view_figure(view: IndicatorView, *, mode: str = "status", lang: str = "zh") -> go.Figure:
    """The map of a view: its children choropleth, or a county's schools as points."""
    scope = view.scope
    if scope.child_level == "school":
        return school_points(outline_geojson(scope.region), view.units, title=view.title(lang), mode=mode, lang=lang)
    return status_choropleth(boundary_geojson(scope.region, scope.child_level), view.units, title=view.title(lang),
                             mode=mode, lang=lang)


def slide_texts(view: IndicatorView, filters: str = "") -> dict:
    """Keyword arguments of annotate_for_slide for a view (title, target, clause, n/N, date, demo)."""
    facts = " · ".join(part for part in (view.completeness(), view.basis_text(), view.shortfall_text()) if part)
    return {"title": view.title(), "scope_year": f"{view.scope.region_name} · {view.year_label()}",
            "filters": filters, "target_text": view.target_text(), "clause": view.quoted_clause(),
            "completeness": facts, "data_date": view.data_as_of, "is_demo": view.is_demo}


def map_view(engine: sa.Engine, region: str, year: int, indicator_id: str, *, level: str | None = None,
             allowed_region: str = ALL_REGIONS, basis: Basis | None = None) -> IndicatorView:
    """The view a map export draws when no page holds one (CLI): scope checked once, one evaluation."""
    indicators = catalog.indicators()
    if indicator_id not in indicators:
        raise UnknownIndicator(f"未知的指标 {indicator_id}: 可选 {', '.join(indicators)}")
    scope = resolve_scope(engine, region, year, allowed=allowed_region, child_level=level)
    indicator = indicators[indicator_id]
    if scope.child_level == "school" and indicator.unit_kind not in ("school", "survey"):
        raise UnknownLevel(f"「{indicator.name_zh}」按医院、社区或人口统计, 没有学校点位; 请选择市或县级地图")
    view = evaluate_views(engine, scope, [indicator_id], with_overall=False, basis=basis).get(indicator_id)
    if view is None or view.target_label is None:
        raise NoUnitsForIndicator(f"{scope.region_name} 没有适用指标「{indicator.name_zh}」的单位或目标")
    return view


MODE_LABELS = {"status": "按目标达成着色", "value": "按数值着色"}


def view_png(view: IndicatorView, *, mode: str = "status", scale: float = 1, filters: str = "") -> bytes:
    """Annotated 1600x900 slide PNG (x scale) of a view's map, drawn from the view (no query)."""
    shown = " · ".join(part for part in (MODE_LABELS.get(mode, mode), filters) if part)
    return figure_png(annotate_for_slide(view_figure(view, mode=mode), **slide_texts(view, shown)), scale=scale)


def map_png(engine: sa.Engine, region: str, year: int, indicator_id: str, *, level: str | None = None,
            mode: str = "status", scale: float = 1, allowed_region: str = ALL_REGIONS,
            filters: str = "", basis: Basis | None = None) -> bytes:
    """Annotated slide PNG of the indicator map: children choropleth or a county's schools (CLI entry)."""
    view = map_view(engine, region, year, indicator_id, level=level, allowed_region=allowed_region, basis=basis)
    return view_png(view, mode=mode, scale=scale, filters=filters)
