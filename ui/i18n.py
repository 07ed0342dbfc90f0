"""Interface strings: Chinese first, English as a switch. Data labels (names, clauses) stay Chinese."""

from __future__ import annotations

import streamlit as st

from ui.state import LANG

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("学生心理健康专项行动监测", "Student Mental Health Plan Monitor"),
    "overview": ("总览", "Overview"),
    "map": ("地图", "Map"),
    "schools_map": ("全部学校", "All schools"),
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
}


def t(key: str) -> str:
    zh, en = STRINGS[key]
    return en if st.session_state.get(LANG) == "en" else zh


def lang() -> str:
    return "en" if st.session_state.get(LANG) == "en" else "zh"
