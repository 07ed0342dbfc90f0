"""Slide-ready PNGs rendered on the server by kaleido + Chromium, offline, with everything a reader needs."""

from __future__ import annotations

import copy
import textwrap
import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio
import sqlalchemy as sa

from data_access import catalog
from data_access.evaluation import evaluate
from data_access.meta import warehouse_info
from data_access.regions import ALL_REGIONS, RegionError, require_region
from geo.layers import boundary_geojson, outline_geojson
from geo.maps import school_points, status_choropleth
from geo.offline import MATHJAX_FILE, configure_static_export

SLIDE_SIZE = (1600, 900)
_server_lock = threading.Lock()
_server_started = False


class ExportError(RuntimeError):
    """Rendering is impossible here (no Chromium, no CJK font); the message says what to install."""


def _ensure_renderer() -> None:
    """Configure offline assets and start one kaleido/Chromium process, reused by every export."""
    global _server_started
    from exports.environment import export_problems

    problems = export_problems()
    if problems:
        raise ExportError("; ".join(problems))
    configure_static_export()
    with _server_lock:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(mathjax=MATHJAX_FILE.as_uri(), silence_warnings=True)
            _server_started = True


def figure_png(figure: go.Figure, *, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1],
               scale: float = 1) -> bytes:
    """PNG bytes of a figure at slide size (scale 2 doubles the pixels)."""
    _ensure_renderer()
    with warnings.catch_warnings():
        # plotly passes its MathJax option again although the running server already has it.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return pio.to_image(figure, format="png", width=width, height=height, scale=scale)


def annotate_for_slide(figure: go.Figure, *, title: str, scope_year: str, filters: str = "",
                       target_text: str = "", clause: str = "", completeness: str = "",
                       data_date: str | None = None, is_demo: bool = False) -> go.Figure:
    """A copy of the figure carrying title, scope/year, filters, target, clause, completeness, date, demo mark."""
    slide = go.Figure(copy.deepcopy(figure))
    heading = f"{title}<br><span style='font-size:15px;color:#444'>{scope_year}"
    heading += f" · {filters}" if filters else ""
    heading += "</span>"
    footer = [part for part in (target_text, completeness, f"数据截至 {data_date}" if data_date else "") if part]
    clause_lines = "<br>".join(textwrap.wrap(f"规划条款: {clause}", 70)) if clause else ""
    slide.update_layout(title={"text": heading, "x": 0.01, "xanchor": "left", "font": {"size": 24}},
                        margin={"l": 20, "r": 20, "t": 95, "b": 110})
    slide.add_annotation(text=" · ".join(footer) + (f"<br>{clause_lines}" if clause_lines else ""),
                         xref="paper", yref="paper", x=0, y=-0.06, xanchor="left", yanchor="top",
                         showarrow=False, align="left", font={"size": 13, "color": "#333"})
    if is_demo:
        slide.add_annotation(text="演示数据 · 非真实统计", xref="paper", yref="paper", x=1, y=1.1, xanchor="right",
                             showarrow=False, font={"size": 18, "color": "#b71c1c"},
                             bordercolor="#b71c1c", borderwidth=2, borderpad=4, bgcolor="white")
    return slide


def child_level(region_level: str) -> str:
    return {"province": "city", "city": "county", "county": "school"}[region_level]


def map_figure(engine: sa.Engine, region: str, year: int, indicator_id: str, *, mode: str = "status",
               allowed_region: str = ALL_REGIONS, lang: str = "zh") -> tuple[go.Figure, dict]:
    """The slide map of a region's children for one indicator and year, and the facts printed on it."""
    info = warehouse_info(engine)
    if year not in info.years:
        raise RegionError(f"{year} 年没有上报数据 (有数据的年份: {'、'.join(map(str, info.years)) or '无'})")
    if indicator_id not in catalog.indicators():
        raise RegionError(f"未知的指标 {indicator_id}: 可选 {', '.join(catalog.indicators())}")
    anchor = require_region(engine, region, allowed_region)
    level = child_level(anchor["level"])
    frame = evaluate(engine, region, level, [year], allowed_region=allowed_region, indicator_ids=[indicator_id],
                     lang=lang)
    if frame.empty:
        raise RegionError(f"{anchor['name']} 没有适用指标 {indicator_id} 的单位或目标")
    indicator = catalog.indicators()[indicator_id]
    first = frame.dropna(subset=["target_id"]).iloc[0]
    title = f"{anchor['name']} {indicator.name(lang)}"
    if level == "school":
        figure = school_points(outline_geojson(region), frame, title=title, mode=mode, lang=lang)
    else:
        figure = status_choropleth(boundary_geojson(region, level), frame, title=title, mode=mode, lang=lang)
    facts = {
        "title": title, "scope_year": f"{anchor['name']} · {year}年",
        "target_text": f"目标 {first['target_label']} ({first['deadline']})",
        "clause": f"{first['clause']} ({first['clause_ref']})",
        "completeness": f"{int(frame['reported'].sum())}/{int(frame['expected'].sum())} 单位已上报",
        "data_date": info.data_as_of, "is_demo": info.is_demo, "frame": frame,
    }
    return figure, facts


def map_png(engine: sa.Engine, region: str, year: int, indicator_id: str, *, mode: str = "status",
            scale: float = 1, allowed_region: str = ALL_REGIONS) -> bytes:
    """Annotated slide PNG of the indicator map (choropleth of children, or school points of a county)."""
    figure, facts = map_figure(engine, region, year, indicator_id, mode=mode, allowed_region=allowed_region)
    slide = annotate_for_slide(figure, **{k: v for k, v in facts.items() if k != "frame"},
                               filters="按目标达成着色" if mode == "status" else "按数值着色")
    return figure_png(slide, scale=scale)
