"""上报完整性: who reported what for the year, on the map and as a list to send to the laggards."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.completeness import REPORT_KINDS, county_completeness, unit_reports
from data_access.status import status_for
from exports.tables import csv_bytes, xlsx_bytes
from geo.maps import reporting_points, status_choropleth
from geo.offline import PLOTLY_CONFIG
from ui import resources
from ui.i18n import t
from ui.view import breadcrumb, current, demo_banner

view = current()
st.title(f"{t('completeness')} · {view.year}年")
demo_banner(view)
breadcrumb(view)

kind = st.radio("上报类型", list(REPORT_KINDS), horizontal=True, key="completeness_kind",
                format_func=lambda key: REPORT_KINDS[key].name_zh)
units = resources.cached(unit_reports, view.url, view.region, view.year, kind, view.allowed)
if units.empty:
    st.info("所选范围内没有该类上报单位。")
    st.stop()
counties = county_completeness(units)
reported, expected = int(units["reported"].sum()), len(units)
st.metric("已上报 / 应上报", f"{reported} / {expected}", f"上报率 {100 * reported / expected:.1f}%", delta_color="off",
          delta_arrow="off")

if not view.county:
    frame = counties.rename(columns={"county_adcode": "unit_id", "county_name": "name", "share": "value"})
    frame = frame.assign(
        value_unit="%", numerator=frame["reported"], denominator=frame["expected"], target_label="100%",
        deadline=f"{view.year}年", gap=100 - frame["value"], clause="各单位应按期上报",
        status=[status_for(v, 100, ">=").value for v in frame["value"]],
    )
    geojson = resources.boundary(view.city or view.scope, "county")
    st.plotly_chart(status_choropleth(geojson, frame, title=f"{REPORT_KINDS[kind].name_zh} 上报率 ({view.year}年)",
                                      subtitle="达标 = 全部上报; 接近 = 上报率 ≥90%", lang=view.lang),
                    config=PLOTLY_CONFIG, key="completeness_map")
elif units["longitude"].notna().any():
    county_name = units["county_name"].iloc[0]
    st.plotly_chart(reporting_points(resources.outline(view.county), units,
                                     title=f"{county_name} {REPORT_KINDS[kind].name_zh} 上报情况 ({view.year}年)",
                                     subtitle=f"已上报 {reported} / 应上报 {expected}", lang=view.lang),
                    config=PLOTLY_CONFIG, key="completeness_points")

st.markdown("#### 各县(区)上报情况")
st.dataframe(counties.rename(columns={"county_adcode": "代码", "county_name": "县(区)", "reported": "已上报",
                                      "expected": "应上报", "share": "上报率(%)"}).round(1),
             hide_index=True, width="stretch")

missing = units[~units["reported"]]
st.markdown(f"#### 未上报单位 ({len(missing)})")
if missing.empty:
    st.success("全部单位均已上报。")
else:
    laggards = pd.DataFrame({"县(区)": missing["county_name"], "单位代码": missing["unit_id"],
                             "单位名称": missing["name"], "上报类型": REPORT_KINDS[kind].name_zh,
                             "年度": view.year})
    st.dataframe(laggards, hide_index=True, width="stretch")
    stem = f"未上报名单_{REPORT_KINDS[kind].name_zh}_{view.year}"
    left, right = st.columns(2)
    left.download_button("下载 CSV", csv_bytes(laggards), f"{stem}.csv", "text/csv", key="laggards_csv")
    right.download_button("下载 Excel", xlsx_bytes(laggards, "未上报"), f"{stem}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="laggards_xlsx")
