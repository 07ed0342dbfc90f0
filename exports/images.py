"""Slide-ready PNGs rendered on the server by kaleido + Chromium, offline, with everything a reader needs."""

from __future__ import annotations

import atexit
import copy
import textwrap
import threading
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import sqlalchemy as sa

from data_access import catalog
from data_access.evaluation import evaluate
from data_access.meta import warehouse_info
from data_access.regions import ALL_REGIONS, LEVEL_ORDER, RegionError, require_region
from geo.layers import boundary_geojson, outline_geojson
from geo.maps import band_legend_text, school_points, status_choropleth
from geo.offline import MATHJAX_FILE, configure_static_export

SLIDE_SIZE = (1600, 900)
DEMO_MARK = "演示数据 · 非真实统计"
CLAUSE_WRAP = 95  # CJK characters per footer line at 13px on a 1600px slide

START_TIMEOUT = 60  # seconds for Chromium to start and load plotly.js
RENDER_TIMEOUT = 120  # seconds for one image (kaleido gives up on its own after 90)


class ExportError(RuntimeError):
    """Rendering is impossible or failed (no Chromium, no CJK font, browser crash); message in Chinese."""


class _Renderer:
    """One Chromium (a kaleido.Kaleido) on its own event-loop thread, reused by every export.

    kaleido's own start_sync_server is not used: when the browser fails to start, its worker thread dies
    and every later call waits forever; and it pairs requests with answers through shared queues, so two
    sessions rendering at once could swap images. Here each call gets its own future with a deadline.
    """

    def __init__(self) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-renderer", daemon=True)
        self._thread.start()
        try:
            self._kaleido = self._run(self._open(), START_TIMEOUT)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    async def _open(self):
        import kaleido

        browser = kaleido.Kaleido(n=1, mathjax=MATHJAX_FILE.as_uri())  # plotly.js: the local copy in plotly
        await browser.open()
        return browser

    def _run(self, coroutine, timeout: float):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def png(self, figure: go.Figure, width: int, height: int, scale: float) -> bytes:
        options = {"format": "png", "width": width, "height": height, "scale": scale}
        return self._run(self._kaleido.calc_fig(figure.to_dict(), opts=options, topojson=pio.defaults.topojson),
                         RENDER_TIMEOUT)

    def close(self) -> None:
        try:
            self._run(self._kaleido.close(), 10)
        except Exception:  # noqa: BLE001 - closing a broken browser; nothing left to save
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)


_renderer: _Renderer | None = None
_render_lock = threading.Lock()  # one image at a time through the one browser tab


@atexit.register
def _close_browser() -> None:
    """Leave no Chromium behind when the CLI or the server process exits."""
    if _renderer is not None:
        _renderer.close()


def _browser_failed(error: BaseException) -> ExportError:
    from exports.environment import chromium_path

    detail = str(error.args[0]) if error.args else type(error).__name__
    return ExportError(f"Chromium 无法渲染图片 ({chromium_path()}: {detail}); "
                       "请确认已安装 Debian 软件包 chromium 且能在本机启动")


def figure_png(figure: go.Figure, *, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1],
               scale: float = 1) -> bytes:
    """PNG bytes of a figure at slide size (scale 2 doubles the pixels); offline, one shared Chromium.

    The first call starts Chromium (about 3 s); later calls reuse it. A browser that died is restarted
    once; ExportError says what is wrong in Chinese.
    """
    global _renderer
    from exports.environment import check_export_environment

    with _render_lock:
        if _renderer is None:
            problems = check_export_environment()
            if problems:
                raise ExportError("; ".join(problems))
            configure_static_export()
        for attempt in (1, 2):
            try:
                if _renderer is None:
                    _renderer = _Renderer()
                return _renderer.png(figure, width, height, scale)
            except (ValueError, TypeError):
                raise  # the figure itself is wrong: a programming error, not the browser
            except Exception as error:  # noqa: BLE001 - any browser failure: start afresh once
                if _renderer is not None:
                    _renderer.close()
                _renderer = None
                if attempt == 2:
                    raise _browser_failed(error) from error
    raise AssertionError("unreachable")


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


def plan_name(plan_key: str) -> str:
    """Full Chinese title of a plan from its key (the `plan` column of an evaluation frame)."""
    plan = catalog.plan_by_key(plan_key)
    return plan.name_zh if plan else plan_key


def child_level(region_level: str) -> str:
    """The level a region's map shows: province -> city, city -> county, county -> school."""
    return {"province": "city", "city": "county", "county": "school"}[region_level]


def require_year(engine: sa.Engine, year: int) -> None:
    """RegionError in Chinese when the warehouse holds no report for the year."""
    years = warehouse_info(engine).years
    if year not in years:
        raise RegionError(f"{year} 年没有上报数据 (有数据的年份: {'、'.join(map(str, years)) or '无'})")


@dataclass(frozen=True)
class MapFacts:
    """What a map means, printed next to it: the texts of annotate_for_slide and the evaluated frame."""

    title: str
    area: str
    year: int
    indicator_name: str
    target_text: str
    clause: str
    completeness: str
    data_date: str | None
    is_demo: bool
    frame: pd.DataFrame

    def slide_texts(self, filters: str = "") -> dict:
        """Keyword arguments for annotate_for_slide."""
        return {"title": self.title, "scope_year": f"{self.area} · {self.year}年", "filters": filters,
                "target_text": self.target_text, "clause": self.clause, "completeness": self.completeness,
                "data_date": self.data_date, "is_demo": self.is_demo}


def map_figure(engine: sa.Engine, region: str, year: int, indicator_id: str, *, level: str | None = None,
               mode: str = "status", allowed_region: str = ALL_REGIONS, lang: str = "zh") -> tuple[go.Figure, MapFacts]:
    """The map of a region's children (or of a county's schools) for one indicator and year, and its facts."""
    require_year(engine, year)
    if indicator_id not in catalog.indicators():
        raise RegionError(f"未知的指标 {indicator_id}: 可选 {', '.join(catalog.indicators())}")
    anchor = require_region(engine, region, allowed_region)
    level = level or child_level(anchor["level"])
    if level not in LEVEL_ORDER or LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(anchor["level"]):
        raise RegionError(f"{anchor['name']} 的地图只能显示其下级单位, 不能是 {level}")
    indicator = catalog.indicators()[indicator_id]
    if level == "school" and indicator.unit_kind not in ("school", "survey"):
        raise RegionError(f"「{indicator.name_zh}」按医院、社区或人口统计, 没有学校点位; 请选择市或县级地图")
    frame = evaluate(engine, region, level, [year], allowed_region=allowed_region, indicator_ids=[indicator_id])
    judged = frame.dropna(subset=["target_id"])
    if judged.empty:
        raise RegionError(f"{anchor['name']} 没有适用指标「{indicator.name_zh}」的单位或目标")
    first = judged.iloc[0]
    title = f"{anchor['name']} {indicator.name(lang)}"
    if level == "school":
        figure = school_points(outline_geojson(region), frame, title=title, mode=mode, lang=lang)
    else:
        figure = status_choropleth(boundary_geojson(region, level), frame, title=title, mode=mode, lang=lang)
    source = f"《{plan_name(first['plan'])}》{first['clause_ref']}"
    facts = MapFacts(
        title=title, area=anchor["name"], year=year, indicator_name=indicator.name(lang),
        target_text=f"目标 {first['target_label']} ({first['deadline']})",
        clause=f"「{first['clause']}」 — {source}",
        completeness=f"{int(frame['reported'].sum())}/{int(frame['expected'].sum())} 单位已上报",
        data_date=warehouse_info(engine).data_as_of, is_demo=warehouse_info(engine).is_demo, frame=frame,
    )
    return figure, facts


MODE_LABELS = {"status": "按目标达成着色", "value": "按数值着色"}


def map_png(engine: sa.Engine, region: str, year: int, indicator_id: str, *, level: str | None = None,
            mode: str = "status", scale: float = 1, allowed_region: str = ALL_REGIONS,
            filters: str = "") -> bytes:
    """Annotated 1600x900 slide PNG (x scale) of the indicator map: children choropleth or a county's schools."""
    figure, facts = map_figure(engine, region, year, indicator_id, level=level, mode=mode,
                               allowed_region=allowed_region)
    shown = " · ".join(part for part in (MODE_LABELS.get(mode, mode), filters) if part)
    return figure_png(annotate_for_slide(figure, **facts.slide_texts(shown)), scale=scale)
