"""总览: one card per headline indicator for the chosen area and year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.figures import sparkline
from data_access import catalog
from exports.tables import indicator_table
from ui import resources
from ui.export_widgets import meeting_pack_button, table_downloads
from ui.i18n import t
from ui.view import breadcrumb, current, demo_banner, format_value, no_data_guard, status_chip

view = current()
names = dict(zip(resources.regions(view.url)["adcode"], resources.regions(view.url)["name"], strict=True))
st.title(f"{names.get(view.region, view.region)} · {view.year}年 {t('overview')}")
demo_banner(view)
breadcrumb(view)
no_data_guard(view)

headline = sorted((ind for ind in catalog.indicators_for(view.scope, view.year) if ind.headline),
                  key=lambda ind: (ind.headline, ind.id))
frame = resources.evaluation(view.url, view.region, view.region_level, view.years, view.allowed,
                             tuple(ind.id for ind in headline), view.stage)
if frame.empty:
    st.info("该范围内没有适用的指标或单位。")
    st.stop()
if view.stage:
    st.caption(f"仅统计学段: {view.stage} — 医院、社区和人口类指标不按学段区分, 已隐藏。")

columns = st.columns(3)
shown = [ind for ind in headline if ind.id in set(frame["indicator"])]
for index, indicator in enumerate(shown):
    series = frame[frame["indicator"] == indicator.id]
    now = series[series["year"] == view.year]
    if now.empty:
        continue
    row = now.iloc[0]
    with columns[index % 3].container(border=True):
        st.markdown(f"**{indicator.name(view.lang)}**")
        st.markdown(f"### {format_value(row['value'], row['value_unit'])} {status_chip(row['status'])}")
        gap = "—" if pd.isna(row["gap"]) else (f"{row['gap']:.1f}" if row["gap"] > 0 else "已达标")
        st.caption(f"{t('target')} {row['target_label']} · {t('deadline')} {row['deadline']} · "
                   f"{t('gap')} {gap} · {row['reported']}/{row['expected']} 单位{t('reported')}")
        st.plotly_chart(sparkline(series[["year", "value", "status"]], row["threshold"]),
                        config={"displayModeBar": False, "staticPlot": True}, key=f"spark_{indicator.id}")
        with st.popover(t("clause"), width="stretch"):
            st.markdown(f"> {row['clause']}\n\n— {catalog.plan_by_key(row['plan']).name_zh} {row['clause_ref']}")

st.divider()
st.markdown("#### 会议材料与表格导出")
left, right = st.columns(2)
with left:
    meeting_pack_button(view, key="pack")
with right:
    table_downloads(indicator_table(frame[frame["year"] == view.year]),
                    file_stem=f"{names.get(view.region, view.region)}_指标_{view.year}", key="overview_table")
