"""The meeting pack: one PPTX (16:9) for a region and year, built from the same engine and maps as the screen."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from data_access import catalog
from data_access.evaluation import evaluate
from data_access.meta import warehouse_info
from data_access.regions import ALL_REGIONS, RegionError, require_region
from exports.images import annotate_for_slide, child_level, figure_png, map_figure
from exports.tables import STATUS_ZH

FONT = "Microsoft YaHei"  # what Chinese Office/WPS machines have; the east-asian slot is set too
STATUS_RGB = {"met": RGBColor(0x1A, 0x98, 0x50), "close": RGBColor(0xE0, 0x8A, 0x2E),
              "behind": RGBColor(0xD7, 0x30, 0x27), "no_data": RGBColor(0x80, 0x80, 0x80)}
Progress = Callable[[float, str], None]


def _style(run, size: int, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run_properties = run._r.get_or_add_rPr()
    east_asian = run_properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = run_properties.makeelement(qn("a:ea"), {})
        run_properties.append(east_asian)
    east_asian.set("typeface", FONT)
    if colour is not None:
        run.font.color.rgb = colour


def _text(slide, left, top, width, height, lines: list[tuple[str, int, bool, RGBColor | None]]) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for index, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _style(paragraph.add_run(), size, bold, colour)
        paragraph.runs[0].text = text


ROW_HEIGHT = Inches(0.32)


def _table(slide, frame: pd.DataFrame, left, top, width, row_height=ROW_HEIGHT, size: int = 12) -> None:
    rows, columns = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, columns, left, top, width, Emu(row_height * rows))
    for column, name in enumerate(frame.columns):
        cell = shape.table.cell(0, column)
        cell.text = str(name)
        _style(cell.text_frame.paragraphs[0].runs[0], size, True)
    for row_index, row in enumerate(frame.itertuples(index=False), start=1):
        for column, value in enumerate(row):
            cell = shape.table.cell(row_index, column)
            cell.text = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            _style(cell.text_frame.paragraphs[0].runs[0], size)


def _value(value: float, unit: str) -> str:
    if pd.isna(value):
        return "无数据"
    return f"{value:.1f}%" if unit == "%" else f"{value:.2f}{unit}"


def meeting_pack(engine: sa.Engine, region: str, year: int, *, allowed_region: str = ALL_REGIONS,
                 progress: Progress | None = None) -> bytes:
    """PPTX bytes: title, one slide per headline indicator (map, 3 furthest behind, clause), ranking, completeness."""
    report = progress or (lambda fraction, message: None)
    info = warehouse_info(engine)
    if year not in info.years:
        raise RegionError(f"{year} 年没有上报数据 (有数据的年份: {'、'.join(map(str, info.years)) or '无'})")
    anchor = require_region(engine, region, allowed_region)
    plan = catalog.plan_for((anchor["adcode"], anchor.get("city_adcode"), anchor.get("province_adcode")))
    if plan is None:
        raise RegionError(f"{anchor['name']} 不在两项规划的辖区内")
    level = child_level(anchor["level"])
    headline = sorted((ind for ind in catalog.indicators_for(plan.adcode) if ind.headline),
                      key=lambda ind: (ind.headline, ind.id))
    if level == "school":
        headline = [ind for ind in headline if ind.unit_kind in ("school", "survey")]
    units = evaluate(engine, region, level, [year], allowed_region=allowed_region,
                     indicator_ids=[ind.id for ind in headline])
    whole = evaluate(engine, region, anchor["level"], [year], allowed_region=allowed_region,
                     indicator_ids=[ind.id for ind in headline])

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    demo = "  【演示数据 · 非真实统计】" if info.is_demo else ""

    slide = deck.slides.add_slide(blank)
    _text(slide, Inches(0.8), Inches(2.0), Inches(11.7), Inches(3.5), [
        (f"{anchor['name']} 学生心理健康专项行动 {year}年进展", 36, True, None),
        (f"对照《{plan.name_zh}》", 20, False, None),
        (f"数据截至 {info.data_as_of or '—'} · 共 {len(headline)} 项重点指标{demo}", 16, False,
         RGBColor(0xB7, 0x1C, 0x1C) if info.is_demo else None),
    ])

    for index, indicator in enumerate(headline):
        report(0.05 + 0.8 * index / max(1, len(headline)), f"正在生成: {indicator.name_zh}")
        figure, facts = map_figure(engine, region, year, indicator.id, allowed_region=allowed_region)
        image = figure_png(annotate_for_slide(figure, **{k: v for k, v in facts.items() if k != "frame"}),
                           width=1200, height=860)
        slide = deck.slides.add_slide(blank)
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.2), Inches(0.3), height=Inches(6.9))
        overall = whole[whole["indicator"] == indicator.id]
        mine = units[units["indicator"] == indicator.id]
        lines: list[tuple[str, int, bool, RGBColor | None]] = [(indicator.name_zh, 20, True, None)]
        if not overall.empty:
            row = overall.iloc[0]
            lines += [(f"{anchor['name']}: {_value(row['value'], row['value_unit'])}  {STATUS_ZH[row['status']]}", 18,
                       True, STATUS_RGB[row["status"]]),
                      (f"目标 {row['target_label']} · 期限 {row['deadline']}", 14, False, None),
                      (f"{row['reported']}/{row['expected']} 单位已上报", 12, False, None)]
        behind = mine[mine["value"].notna()].sort_values("gap", ascending=False).head(3)
        lines.append(("差距最大的三个单位:", 14, True, None))
        lines += [(f"{r['name']}: {_value(r['value'], r['value_unit'])} (差 {r['gap']:.1f})", 14, False,
                   STATUS_RGB[r["status"]]) for r in behind.to_dict("records")]
        if not overall.empty:
            lines.append((f"规划条款: {overall.iloc[0]['clause']}", 12, False, None))
            lines.append((f"({overall.iloc[0]['clause_ref']})", 11, False, None))
        _text(slide, Inches(8.7), Inches(0.5), Inches(4.4), Inches(6.5), lines)

    report(0.9, "正在生成排名与上报情况")
    slide = deck.slides.add_slide(blank)
    _text(slide, Inches(0.5), Inches(0.3), Inches(12), Inches(0.8),
          [(f"{anchor['name']} 各单位达标项数排名 ({year}年){demo}", 24, True, None)])
    counts = units.pivot_table(index="name", columns="status", values="indicator", aggfunc="count", fill_value=0)
    for status in STATUS_ZH:
        if status not in counts:
            counts[status] = 0
    ranking = counts.sort_values(["met", "behind"], ascending=[False, True]).head(16).reset_index()
    ranking = ranking.rename(columns={"name": "单位", **{k: v for k, v in STATUS_ZH.items()}})
    _table(slide, ranking[["单位", *STATUS_ZH.values()]], Inches(0.5), Inches(1.2), Inches(12.3))

    slide = deck.slides.add_slide(blank)
    _text(slide, Inches(0.5), Inches(0.3), Inches(12), Inches(0.8),
          [(f"{anchor['name']} 学校年报上报情况 ({year}年){demo}", 24, True, None)])
    base = units[units["indicator"] == headline[0].id] if headline else units.iloc[0:0]
    completeness = pd.DataFrame({
        "单位": base["name"], "已上报": base["reported"], "应上报": base["expected"],
        "上报率": [f"{100 * r / e:.1f}%" if e else "—"
                for r, e in zip(base["reported"], base["expected"], strict=True)],
    }).sort_values("已上报").head(16)
    _table(slide, completeness, Inches(0.5), Inches(1.2), Inches(12.3))
    report(1.0, "完成")
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
