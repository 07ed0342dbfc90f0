"""Interface strings: Chinese first, English as a switch. Data labels (names, clauses) stay Chinese."""

from __future__ import annotations

import streamlit as st

from data_access.importing.spec import REPORT_TYPES
from data_access.vocab import STAGES
from ui.state import LANG

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("学生心理健康专项行动监测", "Student Mental Health Plan Monitor"),
    "overview": ("总览", "Overview"),
    "map": ("地图", "Map"),
    "school": ("学校", "School"),
    "targets": ("目标", "Targets"),
    "completeness": ("上报完整性", "Reporting"),
    "import": ("上报导入", "Import"),
    "scope": ("规划范围", "Plan scope"),
    "city": ("市", "City"),
    "county": ("县(区)", "County"),
    "year": ("年度", "Year"),
    "indicator": ("指标", "Indicator"),
    "stage": ("学段", "School stage"),
    "mode": ("着色方式", "Colouring"),
    "mode_status": ("按目标达成", "Against target"),
    "mode_value": ("按数值", "Raw value"),
    "all": ("全部", "All"),
    "whole_scope": ("全域", "Whole area"),
    "language": ("语言 / Language", "Language / 语言"),
    "demo_banner": ("演示数据：本看板当前连接的是随机生成的演示数据仓库，数字不代表真实统计。",
                    "Demo data: this dashboard is connected to a generated demo warehouse; "
                    "the figures are not real statistics."),
    "no_data_year": ("所选年度没有任何上报数据。请选择其他年度。", "No reports for the selected year."),
    "target": ("目标", "Target"),
    "deadline": ("期限", "Deadline"),
    "gap": ("差距", "Gap"),
    "reported": ("已上报", "reported"),
    "value": ("数值", "Value"),
    "status": ("状态", "Status"),
    "clause": ("规划条款", "Plan clause"),
    "ranking": ("差距排名", "Ranking by gap"),
    "trajectory": ("达标所需年均进度", "Yearly progress needed"),
    # Shared
    "whole_province": ("全省", "Whole province"),
    "data_as_of": ("数据截至", "Data as of"),
    "unit": ("单位", "Unit"),
    "rank": ("名次", "Rank"),
    "missing": ("还需 / 差距", "Still needed / gap"),
    "fraction": ("分子/分母", "Numerator/denominator"),
    "units_reported": ("单位已上报", "units reported"),
    "met_already": ("已达标", "Met"),
    "stage_only": ("仅统计学段: {stage} — 医院、社区和人口类指标不按学段区分, 已隐藏。",
                   "Stage {stage} only: hospital, community and population indicators are not split by stage "
                   "and are hidden."),
    "no_indicators": ("该范围内没有适用的指标或单位。", "No indicator or unit applies in this area."),
    # Map
    "due_this_year": ("本学年须达标", "Due this school year"),
    "overdue_short": ("已到期, 尚差 {gap}", "Deadline passed, {gap} short"),
    "per_year": ("每年 +{step} ({years} 年)", "+{step} a year ({years} years)"),
    "no_school_points": ("「{name}」按医院、社区或人口统计, 没有学校点位。"
                         "请在左侧选择学校类指标, 或返回上一级查看该县所在地区的分布。",
                         "\"{name}\" is counted by hospitals, communities or population and has no school points. "
                         "Choose a school indicator on the left, or go back up a level."),
    "no_units": ("所选范围内没有适用该指标的单位(例如该县没有学校, 或所选学段不适用)。",
                 "No unit in the selected area is covered by this indicator (no schools, or the stage does "
                 "not apply)."),
    "click_school": ("点击学校打开学校页面", "Click a school to open its page"),
    "click_region": ("点击地图上的地区进入下一级", "Click an area on the map to drill down"),
    "grey_note": ("灰色 = 无上报、不适用或样本不足(不按 0 计)。", "grey = no report, not applicable or small sample "
                  "(never counted as 0)."),
    "none_reported": ("所选范围内的单位在该年度均未上报此指标。", "No unit in the area reported this indicator "
                      "for the year."),
    "slipped_first": ("达标后回落的单位排在最前", "List units that slipped after meeting the target first"),
    "ranking_note": ("还需 = 达到目标还缺的教师、辅导室、门诊等数量; 年均进度 = 差距 ÷ 距期限年数; 无数据、不适用、"
                     "样本不足的单位不参与排名, 排在最后。",
                     "Still needed = teachers, rooms, clinics etc. missing to meet the target; yearly progress = "
                     "gap ÷ years to the deadline; units with no data, not applicable or a small sample are not "
                     "ranked and come last."),
    "export_map_table": ("导出 (幻灯片图片 / 表格)", "Export (slide image / table)"),
    "urban_rural_title": ("城市与农村社区家长学校建校率对比", "Parent schools: urban and rural communities"),
    "urban_rural_note": ("省级规划对城市、农村社区分别设定了 90% 和 80% 的目标, 因此分开着色。",
                         "The provincial plan sets separate targets for urban (90%) and rural (80%) "
                         "communities, so they are coloured separately."),
    # Overview
    "behind_units": ("{n} 个单位未达标", "{n} units short of target"),
    "exports_title": ("会议材料与表格导出", "Meeting pack and table export"),
    # Targets
    "targets_note": ("两项规划中的全部量化目标。当前值按所选年度计算; 期限已过的目标继续有效。",
                     "Every quantified target of the plans. Current values are for the selected year; targets "
                     "stay in force after their deadline."),
    "plan_issued": ("印发 {issued} · 辖区代码 {adcode}", "Issued {issued} · jurisdiction code {adcode}"),
    "judged_by": ("{year}按 {target} 考核", "{year}: judged by {target}"),
    # School
    "choose_school": ("选择学校", "Choose a school"),
    "please_choose": ("请选择…", "Please choose…"),
    "no_schools": ("所选范围内没有学校。请在左侧选择其他市、县或学段。",
                   "No schools in the selected area. Choose another city, county or stage on the left."),
    "school_count": ("共 {n} 所学校。请选择一所学校, 或在地图页点击学校。",
                     "{n} schools. Choose one, or click a school on the map page."),
    "boarding": ("寄宿制", "boarding"),
    "day_school": ("非寄宿", "day school"),
    "urban": ("城市", "urban"),
    "rural": ("农村", "rural"),
    "school_code": ("编号", "code"),
    "school_no_targets": ("该校没有适用的目标或尚无上报。", "No target applies to this school, or it has not "
                          "reported yet."),
    "school_by_year": ("各年度对照目标", "Against the targets, year by year"),
    "school_not_met": ("{year}未达标项", "Not met in {year}"),
    "school_reports": ("历年上报原始数据", "Reports as submitted"),
    "school_no_reports": ("该校没有任何年度上报。", "This school has not reported in any year."),
    "not_reported": ("未上报", "not reported"),
    "years_not_reported": ("未上报年度: ", "Years not reported: "),
    # Completeness
    "report_type": ("上报类型", "Report type"),
    "no_units_of_kind": ("所选范围内没有该类上报单位。", "No unit in the area files this report."),
    "reported_expected": ("已上报 / 应上报", "Reported / expected"),
    "report_rate": ("上报率 {rate}", "{rate} reported"),
    "report_rate_title": ("{kind} 上报率 ({year})", "{kind}: share reported ({year})"),
    "report_rate_bands": ("达标 = 全部上报; 接近 = 上报率 ≥90%", "Met = all reported; close = at least 90% reported"),
    "by_county": ("各县(区)上报情况", "Reporting by county"),
    "code": ("代码", "Code"),
    "reported_n": ("已上报", "Reported"),
    "expected_n": ("应上报", "Expected"),
    "report_rate_pct": ("上报率(%)", "Reported (%)"),
    "not_reported_units": ("未上报单位", "Units not reported"),
    "all_reported": ("全部单位均已上报。", "Every unit has reported."),
    "unit_code": ("单位代码", "Unit code"),
    "unit_name": ("单位名称", "Unit name"),
    # Exports
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_png": ("下载 PNG", "Download PNG"),
    "download_pptx": ("下载 PPTX", "Download PPTX"),
    "download_pdf": ("下载 PDF", "Download PDF"),
    "image_size": ("图片尺寸", "Image size"),
    "render_png": ("生成幻灯片图片 (PNG)", "Render slide image (PNG)"),
    "rendering": ("正在服务器端渲染图片…", "Rendering the image on the server…"),
    "with_pdf": ("同时生成 PDF", "Also make a PDF"),
    "build_pack": ("生成会议材料 (PPTX)", "Build meeting pack (PPTX)"),
    "pack_started": ("开始生成…", "Starting…"),
    "pack_done": ("完成: {n} 页", "Done: {n} slides"),
}

# Stage and report-type labels in English (the Chinese ones live in data_access.vocab / importing.spec).
STAGES_EN: dict[str, str] = {
    "primary": "Primary", "junior_secondary": "Junior secondary", "nine_year": "Nine-year school",
    "senior_high": "Senior high", "complete_secondary": "Complete secondary", "twelve_year": "Twelve-year school",
    "secondary_vocational": "Secondary vocational", "university": "University",
}
REPORT_TYPES_EN: dict[str, str] = {
    "school": "School annual report", "survey": "Awareness survey", "hospital": "Hospital clinics",
    "community": "Community parent schools / stations", "region": "County population and psychiatrists",
}


def t(key: str) -> str:
    zh, en = STRINGS[key]
    return en if st.session_state.get(LANG) == "en" else zh


def lang() -> str:
    return "en" if st.session_state.get(LANG) == "en" else "zh"


def year_label(year: int) -> str:
    """"2024年" in Chinese, "2024" in English."""
    return f"{year}" if lang() == "en" else f"{year}年"


def stage_name(code: str) -> str:
    return STAGES_EN.get(code, code) if lang() == "en" else STAGES.get(code, code)


def report_type_name(key: str) -> str:
    return REPORT_TYPES_EN.get(key, key) if lang() == "en" else REPORT_TYPES[key].name_zh
