"""The final evaluation (终期评估) as an editable Word document (python-docx), and its table as CSV/XLSX.

Content comes from data_access.final_evaluation: one summary table (a row per target and unit level), a
numbers-only paragraph per target group, then per target its quoted clause, a table by city/county and,
for headline indicators, the map at the deadline year (exports.images.map_png). Demo data is marked in the
page header, so on every page. Chinese fonts are declared in every style's east-asian slot (WPS and Word
otherwise pick a font of their own for 汉字).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

import pandas as pd
import sqlalchemy as sa
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from data_access import catalog, formatting
from data_access.final_evaluation import (
    LATE_MET,
    LEVEL_LABELS,
    MET,
    MISSED,
    NO_LATER_YEAR,
    NO_VALUE,
    NOT_APPLICABLE,
    SLIPPED,
    SMALL_SAMPLE,
    FinalEvaluation,
    LevelTally,
    final_evaluation,
    tally,
    target_groups,
)
from data_access.regions import ALL_REGIONS
from data_access.review_basis import ALL_DATA, Basis
from exports.tables import csv_bytes, xlsx_bytes

Progress = Callable[[float, str], None]

DEMO_MARK = "演示数据, 非真实统计"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# East-asian typefaces as Chinese Word/WPS name them, with the English names recorded as alternates in the
# font table (what Word looks for when the Chinese name is not installed); latin text in the same families.
BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Microsoft YaHei"
FONT_ALTERNATES = {BODY_FONT: "SimSun", HEADING_FONT: "SimHei"}
DEMO_RED = RGBColor(0xB7, 0x1C, 0x1C)
MAP_WIDTH = Cm(16)
TWIPS_PER_CM = 567
TABLE_STYLE_NAME, TABLE_STYLE_ID = "Table Text", "TableText"

SUMMARY_HEADER = ("指标", "期限", "目标", "层级", "范围", "期限年度数值", "结果", "差距", "尚缺", "上报 (已/应)",
                  "此后")
DETAIL_HEADER = ("单位", "数值", "结果", "差距", "尚缺", "上报 (已/应)", "最新年度数值", "此后")

# The underlying table (CSV/XLSX): evaluation column -> Chinese header, in this order.
TABLE_HEADERS = {
    "target_id": "目标编号", "group": "分组", "indicator_name": "指标", "clause_ref": "条款位置", "clause": "规划条款",
    "deadline": "期限", "evaluation_year": "评估年度", "target_label": "目标", "level": "层级", "unit_id": "代码",
    "name": "单位", "numerator": "分子", "denominator": "分母", "value": "数值", "value_unit": "计量单位",
    "outcome": "结果", "gap": "差距(正数为尚差)", "shortfall": "尚缺数量", "shortfall_unit": "尚缺单位",
    "reported": "已上报单位数", "expected": "应上报单位数", "later_year": "最新年度", "later_value": "最新年度数值",
    "since": "此后变化", "basis": "数据口径",
}


# --- numbers as words: data_access.formatting, with the report's own outcome words ---

def _value(value: float, row: dict) -> str:
    """A value at its unit's precision, rounded toward the side of the target it is on; 无数据 without one (a
    status that prints no rate keeps no value in the evaluation's rows)."""
    if math.isnan(value):
        return SMALL_SAMPLE if row.get("outcome") == SMALL_SAMPLE else NO_VALUE
    return formatting.format_value(value, row["value_unit"], row["threshold"], row["comparison"])


def _gap(row: dict) -> str:
    if row["outcome"] != MISSED or math.isnan(row["gap"]):
        return "—"
    return "差 " + formatting.format_gap(row["gap"], row["value_unit"])


def _shortfall(row: dict) -> str:
    """What is missing (formatting.missing_text); blank where nothing is counted or nothing is short."""
    if not formatting.shortfall_count(row["shortfall"]) or not row["shortfall_unit"]:
        return ""
    return formatting.missing_text({**row, "status": "met" if row["outcome"] == MET else "behind"})


def _total_shortfall(shortfall: float, unit: str | None) -> str:
    """A shortfall summed over units ("还需 12 名专职教师"); blank when nothing is counted or short."""
    if not formatting.shortfall_count(shortfall) or not unit:
        return ""
    return formatting.format_shortfall(shortfall, unit)


def _since_text(row: dict) -> str:
    if row["since"] == NO_LATER_YEAR:
        return NO_LATER_YEAR
    return f"{_later_value(row)}, {row['since']}"


def _completeness(reported: int, expected: int) -> str:
    return formatting.share_with_percent(reported, expected) if expected else formatting.format_share(reported, 0)


# --- content ---

def _level_name(level: str, count: int) -> str:
    return f"各{LEVEL_LABELS[level]} ({count}个)"


def summary_rows(ev: FinalEvaluation) -> list[tuple[str, ...]]:
    """One row per target and unit level: the area's own figure, then a tally of each finer level."""
    rows = []
    for target in ev.targets:
        for level in ev.levels:
            found = ev.rows_for(target.id, level)
            if found.empty:
                continue
            head = (found.at[0, "indicator_name"], found.at[0, "deadline"], found.at[0, "target_label"],
                    LEVEL_LABELS[level])
            if level == ev.levels[0]:
                row = found.iloc[0].to_dict()
                rows.append((*head, row["name"], _value(row["value"], row), row["outcome"], _gap(row),
                             _shortfall(row), _completeness(row["reported"], row["expected"]), _since_text(row)))
                continue
            counts = tally(found)
            applicable = counts.units - counts.not_applicable  # a county without a university is not "missed"
            rows.append((*head, _level_name(level, counts.units), f"达标 {counts.met}/{applicable}",
                         _outcome_tally(counts), "—", _shortfall_sum(counts),
                         _completeness(counts.reported, counts.expected), _since_tally(counts, ev.latest_year, found)))
    return rows


def _outcome_tally(counts: LevelTally) -> str:
    text = f"{counts.met} 个达标, {counts.missed} 个未达标, {counts.no_value} 个无数据"
    text += f", {counts.small_sample} 个样本不足" if counts.small_sample else ""
    return text + (f", {counts.not_applicable} 个不适用" if counts.not_applicable else "")


def _shortfall_sum(counts: LevelTally) -> str:
    text = _total_shortfall(counts.shortfall, counts.shortfall_unit)
    return f"合计{text}" if text else ""


def _since_tally(counts: LevelTally, latest_year: int | None, rows: pd.DataFrame) -> str:
    if (rows["since"] == NO_LATER_YEAR).all():
        return NO_LATER_YEAR
    return f"{latest_year}年: 保持 {counts.sustained} 个, 回落 {counts.slipped} 个, 期后达标 {counts.late_met} 个"


def group_paragraphs(ev: FinalEvaluation) -> list[tuple[str, str]]:
    """(group name, paragraph) for every group with a target in the plan, from the numbers only."""
    area_level, floor = ev.levels[0], ev.levels[-1]
    paragraphs = []
    for group in target_groups():
        chosen = [t for t in ev.targets if t.indicator in group.indicators]
        if not chosen:
            continue
        sentences = [f"本组共 {len(chosen)} 项目标。"]
        for target in chosen:
            own = ev.rows_for(target.id, area_level)
            if own.empty:
                continue
            row = own.iloc[0].to_dict()
            value = _value(row["value"], row)
            sentence = (f"「{row['indicator_name']}」(目标 {row['target_label']}, 期限{row['deadline']}, "
                        f"按 {row['evaluation_year']} 年评估): {row['name']}为 {value}, {row['outcome']}")
            if row["outcome"] == MISSED:
                sentence += f" ({_gap(row)})"
            for level in ev.levels[1:]:
                counts = tally(ev.rows_for(target.id, level))
                label = LEVEL_LABELS[level]
                sentence += (f"; {counts.units} 个{label}中 {counts.met} 个达到目标, {counts.missed} 个未达到"
                             + (f", {counts.no_value} 个无数据" if counts.no_value else "")
                             + (f", {counts.small_sample} 个样本不足" if counts.small_sample else "")
                             + (f", {counts.not_applicable} 个没有适用单位" if counts.not_applicable else ""))
                missing = _total_shortfall(counts.shortfall, counts.shortfall_unit)
                if level == floor and missing:
                    sentence += f", 未达标{label}合计{missing}"
            if area_level == floor and _total_shortfall(row["shortfall"], row["shortfall_unit"]):
                sentence += f", {_total_shortfall(row['shortfall'], row['shortfall_unit'])}"
            sentence += "。"
            if len(ev.levels) > 1 and row["since"] != NO_LATER_YEAR:
                counts = tally(ev.rows_for(target.id, floor))
                sentence += (f"截至 {ev.latest_year} 年, 期限时达标的 {counts.met} 个{LEVEL_LABELS[floor]}中 "
                             f"{counts.slipped} 个回落到目标以下, 期限时未达标的 {counts.missed} 个中 "
                             f"{counts.late_met} 个已达标。")
            elif row["since"] not in (NO_LATER_YEAR, NO_VALUE):
                sentence += f"截至 {ev.latest_year} 年: {row['since']}。"
            sentences.append(sentence)
        paragraphs.append((group.name_zh, "".join(sentences)))
    return paragraphs


def evaluation_table(ev: FinalEvaluation) -> pd.DataFrame:
    """The underlying table, one row per target and unit, with Chinese headers (for CSV/XLSX)."""
    groups = {group.key: group.name_zh for group in target_groups()}
    rows = ev.units.to_dict("records")
    table = ev.units[list(TABLE_HEADERS)].copy()
    # The printed numbers, kept numeric (data_access.formatting): 19.99, not 19.9967.
    printed = {
        "numerator": lambda r: formatting.shown_count(r["numerator"]),
        "denominator": lambda r: formatting.shown_count(r["denominator"]),
        "value": lambda r: formatting.shown_number(r["value"], r["value_unit"], r["threshold"], r["comparison"]),
        "gap": lambda r: formatting.shown_gap(r["gap"], r["value_unit"]),
        "shortfall": lambda r: formatting.shortfall_count(r["shortfall"]),
        "later_value": lambda r: formatting.shown_number(r["later_value"], r["value_unit"], r["threshold"],
                                                         r["comparison"]),
    }
    for column, shown in printed.items():
        table[column] = pd.Series([shown(r) for r in rows], index=table.index, dtype=object)
    table["group"] = table["group"].map(groups)
    table["level"] = table["level"].map(LEVEL_LABELS)
    table["later_year"] = table["later_year"].astype("Int64")
    table = table.rename(columns=TABLE_HEADERS).reset_index(drop=True)
    if ev.is_demo:  # a table has no page header: every row carries the mark instead
        table.insert(0, "数据性质", DEMO_MARK)
    return table


def evaluation_table_bytes(ev: FinalEvaluation, file_format: str) -> bytes:
    """The underlying table as CSV (UTF-8 with BOM) or XLSX, formula-like cells kept as text."""
    table = evaluation_table(ev)
    if file_format == "csv":
        return csv_bytes(table)
    if file_format == "xlsx":
        return xlsx_bytes(table, "终期评估")
    raise ValueError(f"unknown table format {file_format!r}")


# --- maps ---

def headline_maps(ev: FinalEvaluation, *, progress: Progress | None = None) -> dict[str, bytes | str]:
    """target id -> map PNG at its evaluation year (headline indicators only), or why there is none.

    Drawn from the views the evaluation already holds (FinalEvaluation.map_views): no query."""
    from exports.images import view_png  # plotly and kaleido: only when maps are drawn

    report = progress or (lambda fraction, message: None)
    chosen = [t for t in ev.targets if catalog.indicators()[t.indicator].headline]
    maps: dict[str, bytes | str] = {}
    for index, target in enumerate(chosen):
        name = catalog.indicators()[target.indicator].name_zh
        report(0.1 + 0.8 * index / max(1, len(chosen)), f"正在绘制地图: {name}")
        view = ev.map_views.get(target.id, f"{ev.area['name']} 没有适用指标「{name}」的单位或目标")
        maps[target.id] = view if isinstance(view, str) else view_png(view)
    return maps


# --- Word ---

def _east_asian(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Declare the fonts of a style or run: latin slots and the east-asian slot used for 汉字."""
    if hasattr(element, "get_or_add_rPr"):  # a style: python-docx keeps the schema's child order
        properties = element.get_or_add_rPr()
    else:  # w:rPrDefault holds nothing but its w:rPr
        properties = element.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            element.append(properties)
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _declare_fonts(document) -> None:
    """East-asian fonts on the document defaults and on every paragraph/character style used, plus the
    English alternate names in the font table."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault"))
    _east_asian(run_defaults, BODY_FONT)
    for style in document.styles:
        if style.type is None or not hasattr(style, "font"):
            continue
        heading = style.name.startswith(("Heading", "Title")) or style.name in ("Subtitle",)
        _east_asian(style.element, HEADING_FONT if heading else BODY_FONT)
    part = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    for name, alternate in FONT_ALTERNATES.items():
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): alternate})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "auto"})
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document, ev: FinalEvaluation) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    section.top_margin = section.bottom_margin = Cm(2.2)
    document.styles["Normal"].font.size = Pt(10.5)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if ev.is_demo:
        run = header.add_run(f"【{DEMO_MARK}】")
        run.bold, run.font.color.rgb = True, DEMO_RED
    else:
        header.add_run(f"{ev.area['name']} · 终期评估")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"《{ev.plan.name_zh}》终期评估 · 数据截至 {ev.data_as_of or '—'} · 第 ")
    _page_number(footer)
    footer.add_run(" 页")


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _xml_text(value: object) -> str:
    """Cell text safe inside XML: escaped, control characters (not allowed in XML 1.0) dropped."""
    text = "".join(c for c in str(value) if c in "\t\n" or ord(c) >= 0x20)
    return escape(text)


def _row_xml(values: tuple[str, ...], widths: tuple[float, ...], *, header: bool) -> str:
    # Rows are written as XML in one go: python-docx's per-cell API took 37 s for Shaanxi's 2,300 rows.
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{round(width * TWIPS_PER_CM)}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE_ID}"/></w:pPr><w:r>{"<w:rPr><w:b/></w:rPr>" if header else ""}'
        f'<w:t xml:space="preserve">{_xml_text(value)}</w:t></w:r></w:p></w:tc>'
        for value, width in zip(values, widths, strict=True))
    repeat = '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' if header else ""
    return f"<w:tr {nsdecls('w')}>{repeat}{cells}</w:tr>"


def _table(document, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
    """A real Word table (Table Grid): bold header repeated on every page, text in the 9 pt table style."""
    table = document.add_table(rows=0, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for index, values in enumerate((header, *rows)):
        table._tbl.append(parse_xml(_row_xml(values, widths, header=index == 0)))


def _add_table_text_style(document) -> None:
    style = document.styles.add_style(TABLE_STYLE_NAME, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(9)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)


def _detail_rows(rows: pd.DataFrame) -> list[tuple[str, ...]]:
    return [(r["name"], _value(r["value"], r), r["outcome"], _gap(r), _shortfall(r),
             _completeness(r["reported"], r["expected"]), _later_value(r), r["since"])
            for r in rows.sort_values("unit_id").to_dict("records")]


def _later_value(row: dict) -> str:
    if row["since"] == NO_LATER_YEAR:
        return "—"
    later = _value(row["later_value"], {**row, "outcome": NO_VALUE})
    return f"{int(row['later_year'])}年 {later}"


def _cover(document, ev: FinalEvaluation) -> None:
    start, end = ev.period
    document.add_paragraph(f"{ev.area['name']}学生心理健康专项行动终期评估报告", style="Title")
    facts = [
        ("规划", f"《{ev.plan.name_zh}》(印发 {ev.plan.issued})"),
        ("规划期", f"{start}—{end}年"),
        ("评估范围", f"{ev.area['name']}" + "".join(f", {_level_name(level, _count(ev, level))}"
                                                 for level in ev.levels[1:])),
        ("数据截至", ev.data_as_of or "—"),
        ("最新数据年度", f"{ev.latest_year}年" if ev.latest_year else "—"),
        ("数据口径", ev.basis_summary()),
    ]
    if ev.is_demo:
        facts.append(("数据性质", f"{DEMO_MARK}: 本报告由随机生成的演示数据制作, 数字不代表真实情况"))
    for label, text in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        run = paragraph.add_run(text)
        if label == "数据性质":
            run.bold, run.font.color.rgb = True, DEMO_RED
    document.add_paragraph(
        "评估口径: 每项目标取其期限年度 (每学年目标取规划期末年度) 的数值, "
        "与 mhmonitor indicators 同年同层级的输出一致; 未上报的单位不按 0 计, 记为无数据; "
        "「此后」为期限之后最新一个有数据年度的数值, 按同一目标判断是否保持。")


def _count(ev: FinalEvaluation, level: str) -> int:
    return int(ev.units.loc[ev.units["level"] == level, "unit_id"].nunique())


# Column widths in cm: both tables fit the 17 cm between A4 margins.
SUMMARY_WIDTHS = (2.5, 1.2, 1.1, 0.8, 1.6, 1.5, 1.8, 1.6, 1.5, 1.5, 1.9)
DETAIL_WIDTHS = (2.4, 1.8, 1.3, 2.0, 2.2, 2.2, 2.5, 1.6)


def evaluation_docx(ev: FinalEvaluation, maps: dict[str, bytes | str] | None = None) -> bytes:
    """The report as DOCX bytes. `maps`: target id -> PNG (or the reason there is none), see headline_maps."""
    document = Document()
    _add_table_text_style(document)
    _declare_fonts(document)
    _page_setup(document, ev)
    _cover(document, ev)

    document.add_heading("一、目标完成情况总表", level=1)
    document.add_paragraph("每项目标一行按层级列出: 本级为期限年度的数值; 下级为达标单位数及尚缺合计。")
    _table(document, SUMMARY_HEADER, summary_rows(ev), SUMMARY_WIDTHS)

    document.add_heading("二、分组小结", level=1)
    for name, text in group_paragraphs(ev):
        document.add_heading(name, level=2)
        document.add_paragraph(text)

    document.add_heading("三、分项评估", level=1)
    for number, target in enumerate(ev.targets, start=1):
        own = ev.rows_for(target.id, ev.levels[0])
        if own.empty:
            continue
        row = own.iloc[0].to_dict()
        document.add_heading(f"{number}. {row['indicator_name']}", level=2)
        clause = document.add_paragraph(f"「{target.clause}」 —《{ev.plan.name_zh}》{target.clause_ref}")
        clause.paragraph_format.left_indent = Cm(0.75)  # not the italic Quote style: slanted 汉字 read badly
        value = _value(row["value"], row)
        facts = (f"目标 {row['target_label']} · 期限 {row['deadline']} · "
                 f"评估年度 {row['evaluation_year']} · {row['name']} {value}, {row['outcome']}")
        gap = _gap(row)
        facts += "" if gap == "—" else f" ({gap})"
        shortfall = _shortfall(row)
        facts += f" · {shortfall}" if shortfall else ""
        facts += f" · {row['basis']}" if row.get("basis") else ""
        facts += f" · 上报 {_completeness(row['reported'], row['expected'])} · 此后: {_since_text(row)}"
        document.add_paragraph(facts)
        for level in ev.levels[1:]:
            found = ev.rows_for(target.id, level)
            if found.empty:
                continue
            document.add_paragraph(f"按{LEVEL_LABELS[level]} ({len(found)}个)", style="Caption")
            _table(document, DETAIL_HEADER, _detail_rows(found), DETAIL_WIDTHS)
        picture = (maps or {}).get(target.id)
        if isinstance(picture, bytes):
            document.add_picture(io.BytesIO(picture), width=MAP_WIDTH)
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.add_paragraph(f"图: {ev.area['name']}{row['indicator_name']} ({row['evaluation_year']}年, "
                                   "按目标达成着色)", style="Caption")
        elif isinstance(picture, str):
            document.add_paragraph(f"(未绘制地图: {picture})", style="Caption")

    document.add_heading("四、说明", level=1)
    for note in (f"结果: {MET} = 达到目标; {MISSED} = 有数值但未达到; {NO_VALUE} = 没有单位上报该指标; "
                 f"{NOT_APPLICABLE} = 辖内没有该目标适用的单位 (如没有高校的县区)。",
                 f"此后: 保持达标 = 期限时达标且最新年度仍达标; {SLIPPED} = 期限时达标、最新年度低于目标; "
                 f"{LATE_MET} = 期限时未达标、最新年度已达标。",
                 "尚缺: 按统计口径计算的达标所需数量 (如专职教师、心理辅导室、心理门诊); 无法计数的指标留空。",
                 "上报 (已/应): 期限年度已上报与应上报的单位数。"):
        document.add_paragraph(note, style="List Bullet")

    document.core_properties.title = f"{ev.area['name']}学生心理健康专项行动终期评估报告"
    document.core_properties.subject = ev.plan.name_zh
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def evaluation_report(engine: sa.Engine, region: str, plan_key: str, *, allowed_region: str = ALL_REGIONS,
                      with_maps: bool = True, progress: Progress | None = None, basis: Basis = ALL_DATA) -> bytes:
    """DOCX bytes of the final evaluation of a plan over a region (maps of headline indicators if asked)."""
    report = progress or (lambda fraction, message: None)
    report(0.0, "正在计算各目标期限年度的数值…")
    ev = final_evaluation(engine, region, plan_key, allowed_region=allowed_region, basis=basis)
    maps = headline_maps(ev, progress=report) if with_maps else None
    report(0.92, "正在写入 Word 文档")
    data = evaluation_docx(ev, maps)
    report(1.0, "完成")
    return data


def evaluation_file(engine: sa.Engine, region: str, plan_key: str, file_format: str, *,
                    allowed_region: str = ALL_REGIONS, with_maps: bool = False, basis: Basis = ALL_DATA) -> bytes:
    """The final evaluation as "docx" (the report), or "csv"/"xlsx" (its underlying table)."""
    if file_format == "docx":
        return evaluation_report(engine, region, plan_key, allowed_region=allowed_region, with_maps=with_maps,
                                 basis=basis)
    return evaluation_table_bytes(final_evaluation(engine, region, plan_key, allowed_region=allowed_region,
                                                   basis=basis), file_format)
