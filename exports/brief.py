"""The meeting pack: a 16:9 deck for a region and year, as PPTX (python-pptx) and as PDF/PNG (same slides).

The content is built once as plain slide descriptions (`meeting_slides`); two renderers draw them: one into
PowerPoint shapes, one into a plotly figure per slide that kaleido turns into PNG pages (previews, PDF).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from data_access import catalog
from data_access.completeness import REPORT_KINDS, unit_reports
from data_access.formatting import (
    format_percent,
    missing_text,
    prints_no_rate,
    reported_text,
    share_with_percent,
    status_label,
    value_text,
)
from data_access.meta import warehouse_info
from data_access.read_model import IndicatorView, UnknownRegion, evaluate_views, resolve_scope
from data_access.regions import ALL_REGIONS, region_frame
from data_access.review_basis import ALL_DATA, Basis
from data_access.status import BANDS, STATUS_COLOURS, UNJUDGED_STATUSES, UNMET_STATUSES
from exports.images import DEMO_MARK, figure_png, view_figure

Progress = Callable[[float, str], None]

# Slide geometry in inches (16:9). Both renderers use the same boxes.
SLIDE_W, SLIDE_H = 13.333, 7.5
# Slide layout in inches (left, top, width, height), shared by the PPTX and the PDF renderings.
COVER_TITLE_BOX = (0.8, 1.6, 11.7, 1.2)
COVER_PANEL_BOX = (0.8, 2.9, 11.7, 3.8)
TITLE_BOX = (0.5, 0.25, 9.3, 0.7)
SUBTITLE_BOX = (0.5, 0.9, 12.3, 0.45)
PICTURE_BOX = (0.35, 1.45, 8.1, 5.45)
PANEL_BOX = (8.7, 1.45, 4.3, 5.45)
TABLE_BOX = (0.5, 1.5, 12.3, 5.3)
MAX_TABLE_ROWS = 14
# Map pictures are laid out at 100 px per inch (810x545, so plotly's 12-15 px labels read as 9-11 pt on the
# slide) and rendered at 3x (2430x1635 px) to stay sharp on a projector.
PICTURE_PX_PER_INCH = 100
PICTURE_SCALE = 3

FONT = "Microsoft YaHei"  # what Chinese Office/WPS machines have; the east-asian slot is set too
IMAGE_FONT = "WenQuanYi Micro Hei, Microsoft YaHei, Noto Sans CJK SC, sans-serif"
INK, GREY, DEMO_RED = "#222222", "#666666", "#b71c1c"
# Band colours as text: the "close" orange of the map is too pale for letters on white.
TEXT_COLOURS = {**STATUS_COLOURS, "close": "#b8620a", "no_data": "#757575"}


@dataclass(frozen=True)
class Line:
    text: str
    size: int = 14  # points
    bold: bool = False
    colour: str = INK
    space_before: int = 0  # points


@dataclass
class Slide:
    title: str
    subtitle: str = ""
    picture: bytes | None = None  # PNG for PICTURE_BOX
    panel: list[Line] = field(default_factory=list)  # PANEL_BOX beside a picture, else the body
    table: pd.DataFrame | None = None
    header_colours: dict[str, str] = field(default_factory=dict)  # column name -> fill
    cover: bool = False


@dataclass
class Deck:
    slides: list[Slide]
    footer: str
    is_demo: bool
    scope: str
    year: int


def _colour(status: str) -> str:
    return TEXT_COLOURS.get(status, STATUS_COLOURS.get(status, GREY))


def _headline(plan: catalog.Plan, level: str) -> list[catalog.Indicator]:
    chosen = sorted((ind for ind in catalog.indicators_of(plan) if ind.headline),
                    key=lambda ind: (ind.headline, ind.id))
    if level == "school":  # a county's map shows schools: hospital/community/population figures have no points
        chosen = [ind for ind in chosen if ind.unit_kind in ("school", "survey")]
    return chosen


def _map_picture(figure: go.Figure) -> bytes:
    """The map without its title (the slide carries it), keeping legend and the target/count note."""
    bare = go.Figure(figure)
    bare.update_layout(title=None, margin={"l": 6, "r": 6, "t": 10, "b": 40}, legend_font_size=15,
                       legend_title_font_size=15)
    for annotation in bare.layout.annotations:
        annotation.font.size = max(13, annotation.font.size or 0)
    bare.update_traces(marker_opacity=1, selector={"type": "scattergeo"})
    width, height = PICTURE_BOX[2], PICTURE_BOX[3]
    return figure_png(bare, width=round(width * PICTURE_PX_PER_INCH), height=round(height * PICTURE_PX_PER_INCH),
                      scale=PICTURE_SCALE)


def _indicator_slide(view: IndicatorView, number: str) -> Slide:
    area, year = view.scope.region_name, view.scope.year
    basis = f" · {view.basis_text()}" if view.basis_text() else ""
    slide = Slide(title=view.indicator_name_zh,
                  subtitle=f"{area} · {year}年 · 按目标达成着色 · 重点指标 {number}{basis}")
    if view.target_label is None or view.units.empty:
        slide.panel = [Line(f"{area} 没有适用指标「{view.indicator_name_zh}」的单位或目标", 16, colour=GREY)]
        return slide
    slide.picture = _map_picture(view_figure(view))
    row = view.overall
    if row is not None:
        status = status_label(row["status"])
        slide.panel += [
            Line(f"{area}整体", 13, colour=GREY),
            Line(status if prints_no_rate(row["status"]) else f"{value_text(row)}  {status}", 28, True,
                 _colour(row["status"])),
            Line(f"目标 {row['target_label']} · 期限 {view.deadline()}", 15, True),
            Line(f"{missing_text(row)} · {reported_text(row['reported'], row['expected'])}", 13),
        ]
    behind = view.ranking()
    behind = behind[behind["status"].isin(UNMET_STATUSES)].head(3)
    slide.panel.append(Line("差距最大的三个单位", 15, True, space_before=14))
    if behind.empty:
        slide.panel.append(Line("各单位均已达标或无可比数据", 13, colour=GREY))
    for rank, unit in enumerate(behind.to_dict("records"), start=1):
        slide.panel.append(Line(f"{rank}. {unit['name']}  {value_text(unit)} ({missing_text(unit)})", 13,
                                colour=_colour(unit["status"])))
    neutral = view.units[view.units["status"].isin(UNJUDGED_STATUSES)]
    if not neutral.empty:
        counts = neutral["status"].value_counts()
        slide.panel.append(Line("另有 " + "、".join(f"{int(n)} 个单位{status_label(s)}" for s, n in counts.items())
                                + " (灰色, 不计入排名)", 11, colour=GREY))
    slide.panel += [Line("规划条款", 13, True, space_before=14), Line(f"「{view.clause}」", 13),
                    Line(f"—{view.source()}", 10, colour=GREY)]
    return slide


def _limit_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """At most MAX_TABLE_ROWS rows: the top and bottom halves with a gap row, said in the subtitle."""
    if len(table) <= MAX_TABLE_ROWS:
        return table, ""
    half = (MAX_TABLE_ROWS - 1) // 2
    gap = pd.DataFrame([{column: "…" for column in table.columns}])
    return (pd.concat([table.head(half), gap, table.tail(half)], ignore_index=True),
            f" · 共 {len(table)} 个单位, 显示首尾各 {half} 个")


def _ranking_slide(units: pd.DataFrame, area: str, year: int, count: int) -> Slide:
    statuses = [band.status.value for band in BANDS]
    counts = (units.pivot_table(index="name", columns="status", values="indicator", aggfunc="count", fill_value=0)
              .reindex(columns=statuses, fill_value=0))
    judged = counts[[s for s in statuses if s not in UNJUDGED_STATUSES]].sum(axis=1)
    counts["share"] = [format_percent(m, j) for m, j in zip(counts["met"], judged, strict=True)]
    counts["short"] = counts[[s for s in statuses if s in UNMET_STATUSES]].sum(axis=1)
    counts = counts.reset_index().sort_values(["met", "short", "name"], ascending=[False, True, True])
    table = pd.DataFrame({"名次": range(1, len(counts) + 1), "单位": counts["name"],
                          **{status_label(s): counts[s] for s in statuses},
                          "达标占比": counts["share"]})
    table, note = _limit_rows(table)
    return Slide(title=f"{area}各单位重点指标达标情况排名",
                 subtitle=f"{year}年 · 按达标指标数排序 (同数时未达标少者在前; 不适用、样本不足不计) · "
                          f"共 {count} 项重点指标{note}",
                 table=table, header_colours={status_label(s): STATUS_COLOURS[s] for s in statuses})


def _completeness_slide(engine: sa.Engine, region: str, anchor: dict, year: int, allowed_region: str) -> Slide:
    regions = region_frame(engine).set_index("adcode")
    by_city = anchor["level"] == "province"
    columns: dict[str, pd.DataFrame] = {}
    for key, kind in REPORT_KINDS.items():
        units = unit_reports(engine, region, year, key, allowed_region)
        if units.empty:
            continue
        units = units.assign(group=[regions.at[c, "city_adcode"] if by_city else c for c in units["county_adcode"]])
        columns[kind.name_zh] = units.groupby("group")["reported"].agg(["sum", "size"])
    groups = sorted(set().union(*(frame.index for frame in columns.values()))) if columns else []
    names = [regions.at[g, "name"] if g in regions.index else g for g in groups]
    table = pd.DataFrame({"单位": names + ["合计"]})
    for label, counts in columns.items():
        counts = counts.reindex(groups, fill_value=0)
        cells = [share_with_percent(int(r), int(e)) for r, e in zip(counts["sum"], counts["size"], strict=True)]
        cells.append(share_with_percent(int(counts["sum"].sum()), int(counts["size"].sum())))
        table[label] = cells
    body, total = table.iloc[:-1], table.iloc[-1:]
    body, note = _limit_rows(body)
    return Slide(title=f"{anchor['name']}{year}年数据上报情况",
                 subtitle=f"每格: 已上报/应上报单位数 (上报率); 未上报的单位在地图上为灰色, 不按 0 计{note}",
                 table=pd.concat([body, total], ignore_index=True))


def pack_basis(views: Sequence[IndicatorView], basis: Basis) -> str:
    """The pack's basis for its footer (each indicator slide states its own 已审核 n/N 县 too)."""
    texts = [view.basis_text() for view in views if view.basis_text()]
    if basis.approved_only:
        return "仅计已审核数据" + (" (含本县未审核数据)" if "含未审核数据" in texts else "")
    return "含未审核数据" if not texts or "含未审核数据" in texts else "数据均已审核"


def meeting_slides(engine: sa.Engine, region: str, year: int, *, allowed_region: str = ALL_REGIONS,
                   progress: Progress | None = None, basis: Basis = ALL_DATA) -> Deck:
    """Every slide of the pack: cover, one per headline indicator, ranking, completeness.

    Each indicator is evaluated once: the children and the region itself, all indicators in one query each.
    `basis`: every report, or only approved ones (仅显示已审核数据); every slide says which.
    """
    report = progress or (lambda fraction, message: None)
    report(0.0, "读取数据…")
    scope = resolve_scope(engine, region, year, allowed=allowed_region)
    if scope.jurisdiction is None:
        raise UnknownRegion(f"{scope.region_name} 不在任何规划的辖区内")
    plan = catalog.plan_in_force(scope.jurisdiction, year)
    info = warehouse_info(engine)
    area, level = scope.region_name, scope.child_level
    headline = _headline(plan, level)
    built = evaluate_views(engine, scope, [ind.id for ind in headline], basis=basis)
    units = pd.concat([built[ind.id].units for ind in headline if ind.id in built], ignore_index=True) \
        if built else pd.DataFrame(columns=["name", "status", "indicator"])

    tally = pd.Series([v.overall["status"] for v in built.values() if v.overall is not None]).value_counts()
    bands = [band.status.value for band in BANDS]
    cover = Slide(title=f"{area}学生心理健康专项行动 {year}年进展", cover=True, panel=[
        Line(f"对照《{plan.name_zh}》", 20),
        Line(f"重点指标 {len(headline)} 项: " + " · ".join(f"{status_label(s)} {int(tally.get(s, 0))}"
                                                      for s in bands),
             20, True, space_before=18),
        Line(f"数据截至 {info.data_as_of or '—'} · 来源: 各单位年度上报 (mhmonitor 数据仓库)", 14, colour=GREY,
             space_before=18),
        Line("地图颜色: " + " · ".join(status_label(s) for s in bands)
             + " (达标 = 达到目标; 接近 = 达到目标的 90% 以上; 灰色 = 未上报、不适用或样本不足, 不按 0 计)", 14,
             colour=GREY),
    ])
    if info.is_demo:
        cover.panel.append(Line(f"【{DEMO_MARK}】本材料由随机生成的演示数据制作, 数字不代表真实情况", 16, True,
                                DEMO_RED, space_before=18))
    slides = [cover]
    for index, indicator in enumerate(headline):
        report(0.05 + 0.8 * index / max(1, len(headline)), f"正在绘制地图: {indicator.name_zh}")
        number = f"{index + 1}/{len(headline)}"
        if indicator.id in built:
            slides.append(_indicator_slide(built[indicator.id], number))
        else:
            slides.append(Slide(title=indicator.name_zh, subtitle=f"{area} · {year}年 · 重点指标 {number}",
                                panel=[Line(f"{area} 没有适用指标「{indicator.name_zh}」的单位或目标", 16,
                                            colour=GREY)]))
    report(0.88, "正在生成排名与上报情况")
    slides.append(_ranking_slide(units, area, year, len(headline)))
    anchor = {"adcode": scope.region, "name": area, "level": scope.level}
    slides.append(_completeness_slide(engine, region, anchor, year, allowed_region))
    footer = (f"{area} · {year}年 · 数据截至 {info.data_as_of or '—'} · {pack_basis(list(built.values()), basis)}"
              + (f" · {DEMO_MARK}" if info.is_demo else ""))
    return Deck(slides=slides, footer=footer, is_demo=info.is_demo, scope=area, year=year)


# --- PowerPoint renderer ---

def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _style(run, line: Line) -> None:
    run.font.size = Pt(line.size)
    run.font.bold = line.bold
    run.font.name = FONT
    run.font.color.rgb = _rgb(line.colour)
    properties = run._r.get_or_add_rPr()
    # Without an east-asian typeface PowerPoint picks its own font for 汉字 (often a serif SimSun).
    east_asian = properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = properties.makeelement(qn("a:ea"), {})
        properties.append(east_asian)
    east_asian.set("typeface", FONT)


def _textbox(slide, box: tuple[float, float, float, float], lines: list[Line],
             align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    left, top, width, height = box
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_before = Pt(line.space_before)
        _style(paragraph.add_run(), line)
        paragraph.runs[0].text = line.text


def _pptx_table(slide, table: pd.DataFrame, header_colours: dict[str, str]) -> None:
    left, top, width, _ = TABLE_BOX
    rows, columns = len(table) + 1, len(table.columns)
    row_height = 0.34
    shape = slide.shapes.add_table(rows, columns, Inches(left), Inches(top), Inches(width),
                                   Inches(row_height * rows))
    grid = shape.table
    weights = _column_weights(table)
    for column, weight in zip(grid.columns, weights, strict=True):
        column.width = Inches(width * weight / sum(weights))
    for column, name in enumerate(table.columns):
        cell = grid.cell(0, column)
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(header_colours.get(str(name), "#37474f"))
        _cell_run(cell, Line(str(name), 13, True, "#ffffff"))
    for row_index, row in enumerate(table.itertuples(index=False), start=1):
        for column, value in enumerate(row):
            cell = grid.cell(row_index, column)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb("#f5f5f5" if row_index % 2 else "#ffffff")
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            _cell_run(cell, Line(_cell_text(value), 13, bold=row[0] == "合计"))


def _cell_run(cell, line: Line) -> None:
    paragraph = cell.text_frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = line.text
    _style(run, line)


def _column_weights(table: pd.DataFrame) -> list[float]:
    """Relative column widths from the widest text of each column (header included)."""
    return [1.0 + max(3.5, max(_display_width(_cell_text(v)) for v in [column, *table[column]]))
            for column in table.columns]


def _cell_text(value: object) -> str:
    return "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _demo_box(slide) -> None:
    box = slide.shapes.add_textbox(Inches(9.9), Inches(0.25), Inches(3.1), Inches(0.45))
    box.line.color.rgb = _rgb(DEMO_RED)
    box.line.width = Pt(2)
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    _style(paragraph.add_run(), Line(DEMO_MARK, 16, True, DEMO_RED))
    paragraph.runs[0].text = DEMO_MARK


def pptx_bytes(deck: Deck) -> bytes:
    """The deck as a 16:9 PowerPoint file; Chinese text in Microsoft YaHei (latin and east-asian slots)."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    blank = presentation.slide_layouts[6]
    total = len(deck.slides)
    for number, spec in enumerate(deck.slides, start=1):
        slide = presentation.slides.add_slide(blank)
        if spec.cover:
            _textbox(slide, COVER_TITLE_BOX, [Line(spec.title, 36, True)])
            _textbox(slide, COVER_PANEL_BOX, spec.panel)
        else:
            _textbox(slide, TITLE_BOX, [Line(spec.title, 26, True)])
            _textbox(slide, SUBTITLE_BOX, [Line(spec.subtitle, 14, colour=GREY)])
            if spec.picture is not None:
                left, top, width, height = PICTURE_BOX
                slide.shapes.add_picture(io.BytesIO(spec.picture), Inches(left), Inches(top), Inches(width),
                                         Inches(height))
                _textbox(slide, PANEL_BOX, spec.panel)
            elif spec.panel:
                _textbox(slide, TABLE_BOX, spec.panel)
            if spec.table is not None:
                _pptx_table(slide, spec.table, spec.header_colours)
        if deck.is_demo:
            _demo_box(slide)
        _textbox(slide, (0.5, 7.0, 12.3, 0.35), [Line(f"{deck.footer} · 第 {number}/{total} 页", 10, colour=GREY)],
                 PP_ALIGN.RIGHT)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


# --- image renderer (PNG pages, PDF) ---

PX_PER_INCH = 120  # 13.333 in x 120 = 1600 px
PX_PER_POINT = PX_PER_INCH / 72


def _display_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _wrap(text: str, width_inches: float, size: int) -> list[str]:
    """Break text into lines that fit a box, counting a CJK character as one em and latin as ~half."""
    limit = width_inches * 72 / size * 0.97
    lines, current = [], ""
    for character in text:
        if _display_width(current + character) > limit:
            lines.append(current)
            current = character.lstrip()
        else:
            current += character
    return [*lines, current] if current else lines


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figure_text(figure: go.Figure, box: tuple[float, float, float, float], lines: list[Line],
                 align: str = "left") -> None:
    left, top, width, _ = box
    y = top
    for line in lines:
        y += line.space_before / 72
        for part in _wrap(line.text, width, line.size):
            figure.add_annotation(
                x=left + (width if align == "right" else 0), y=y, xref="x", yref="y", showarrow=False,
                xanchor="right" if align == "right" else "left", yanchor="top", align=align,
                text=f"<b>{_escape(part)}</b>" if line.bold else _escape(part),
                font={"size": line.size * PX_PER_POINT, "color": line.colour, "family": IMAGE_FONT})
            y += line.size * 1.3 / 72


def _figure_table(figure: go.Figure, table: pd.DataFrame, header_colours: dict[str, str]) -> None:
    left, top, width, height = TABLE_BOX
    row_height = 0.34
    fills = ["#f5f5f5" if index % 2 == 0 else "#ffffff" for index in range(len(table))]
    figure.add_trace(go.Table(
        columnwidth=_column_weights(table),
        domain={"x": [left / SLIDE_W, (left + width) / SLIDE_W],
                "y": [1 - (top + height) / SLIDE_H, 1 - top / SLIDE_H]},
        header={"values": [f"<b>{_escape(str(c))}</b>" for c in table.columns],
                "fill": {"color": [header_colours.get(str(c), "#37474f") for c in table.columns]},
                "font": {"color": "white", "size": 13 * PX_PER_POINT, "family": IMAGE_FONT},
                "height": row_height * PX_PER_INCH, "align": "left", "line": {"color": "white"}},
        cells={"values": [[_escape(_cell_text(v)) for v in table[c]] for c in table.columns],
               "fill": {"color": [fills] * len(table.columns)},
               "font": {"color": INK, "size": 13 * PX_PER_POINT, "family": IMAGE_FONT},
               "height": row_height * PX_PER_INCH, "align": "left", "line": {"color": "#dddddd"}},
    ))


def slide_figure(deck: Deck, number: int) -> go.Figure:
    """One slide (1-based) drawn as a plotly figure of 1600x900 px, laid out like the PPTX."""
    import base64

    spec = deck.slides[number - 1]
    figure = go.Figure()
    figure.update_layout(width=round(SLIDE_W * PX_PER_INCH), height=round(SLIDE_H * PX_PER_INCH),
                         margin={"l": 0, "r": 0, "t": 0, "b": 0}, paper_bgcolor="white", plot_bgcolor="white",
                         showlegend=False, font={"family": IMAGE_FONT})
    figure.update_xaxes(range=[0, SLIDE_W], visible=False, fixedrange=True)
    figure.update_yaxes(range=[SLIDE_H, 0], visible=False, fixedrange=True)
    if spec.cover:
        _figure_text(figure, COVER_TITLE_BOX, [Line(spec.title, 36, True)])
        _figure_text(figure, COVER_PANEL_BOX, spec.panel)
    else:
        _figure_text(figure, TITLE_BOX, [Line(spec.title, 26, True)])
        _figure_text(figure, SUBTITLE_BOX, [Line(spec.subtitle, 14, colour=GREY)])
        if spec.picture is not None:
            left, top, width, height = PICTURE_BOX
            figure.add_layout_image(source="data:image/png;base64," + base64.b64encode(spec.picture).decode(),
                                    xref="x", yref="y", x=left, y=top, sizex=width, sizey=height,
                                    xanchor="left", yanchor="top", sizing="stretch", layer="below")
            _figure_text(figure, PANEL_BOX, spec.panel)
        elif spec.panel:
            _figure_text(figure, TABLE_BOX, spec.panel)
        if spec.table is not None:
            _figure_table(figure, spec.table, spec.header_colours)
    if deck.is_demo:
        figure.add_shape(type="rect", x0=9.9, x1=13.0, y0=0.25, y1=0.7, xref="x", yref="y",
                         line={"color": DEMO_RED, "width": 2})
        figure.add_annotation(x=11.45, y=0.475, xref="x", yref="y", showarrow=False, text=f"<b>{DEMO_MARK}</b>",
                              font={"size": 16 * PX_PER_POINT, "color": DEMO_RED, "family": IMAGE_FONT})
    _figure_text(figure, (0.5, 7.0, 12.3, 0.35),
                 [Line(f"{deck.footer} · 第 {number}/{len(deck.slides)} 页", 10, colour=GREY)], "right")
    return figure


def slide_png(deck: Deck, number: int, *, scale: float = 1) -> bytes:
    """PNG of one slide (1-based), 1600x900 px at scale 1."""
    return figure_png(slide_figure(deck, number), width=round(SLIDE_W * PX_PER_INCH),
                      height=round(SLIDE_H * PX_PER_INCH), scale=scale)


def pdf_bytes(deck: Deck, *, scale: float = 2, progress: Progress | None = None) -> bytes:
    """The deck as a PDF, one 16:9 page per slide (3200x1800 px pages at scale 2, JPEG quality 92)."""
    report = progress or (lambda fraction, message: None)
    pages = []
    for number in range(1, len(deck.slides) + 1):
        report(number / (len(deck.slides) + 1), f"正在排版 PDF 第 {number} 页")
        pages.append(Image.open(io.BytesIO(slide_png(deck, number, scale=scale))).convert("RGB"))
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:],
                  resolution=pages[0].height / SLIDE_H, quality=92,
                  title=f"{deck.scope} {deck.year}年 学生心理健康专项行动进展")
    report(1.0, "完成")
    return buffer.getvalue()


def meeting_pack(engine: sa.Engine, region: str, year: int, *, allowed_region: str = ALL_REGIONS,
                 progress: Progress | None = None, basis: Basis = ALL_DATA) -> bytes:
    """PPTX bytes: cover, one slide per headline indicator (map, 3 furthest behind, clause), ranking,
    completeness. `progress(fraction, message)` is called as slides are built."""
    report = progress or (lambda fraction, message: None)
    deck = meeting_slides(engine, region, year, allowed_region=allowed_region, progress=report, basis=basis)
    report(0.95, "正在写入 PPTX")
    data = pptx_bytes(deck)
    report(1.0, "完成")
    return data
