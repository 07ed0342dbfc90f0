"""地图: choropleth of the chosen area against its plan's targets, drill-down to schools, ranking and trajectory."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from exports.tables import indicator_table
from geo.offline import PLOTLY_CONFIG
from ui import resources
from ui import state as keys
from ui.export_widgets import map_download, table_downloads
from ui.i18n import t
from ui.view import breadcrumb, current, demo_banner, format_value, no_data_guard

MAP_KEY = "map_selection"

view = current()
indicator = catalog.indicators()[view.indicator]
names = dict(zip(resources.regions(view.url)["adcode"], resources.regions(view.url)["name"], strict=True))
area = names.get(view.region, view.region)
st.title(f"{area} · {indicator.name(view.lang)} · {view.year}年")
demo_banner(view)
breadcrumb(view)
no_data_guard(view)


def _trajectory(gap: float, needed: float, years_left: float) -> str:
    """Yearly progress still needed by the deadline, in words a meeting understands."""
    if pd.isna(gap):
        return "无数据"
    if gap <= 0:
        return "已达标"
    if pd.isna(years_left):
        return "本学年须达标"
    if years_left <= 0:
        return f"已到期, 尚差 {gap:.1f}"
    return f"每年 +{needed:.1f} ({int(years_left)} 年)"


def _on_click() -> None:
    drilled = keys.drill_from_click(st.session_state, st.session_state.get(MAP_KEY), view.child_level)
    if drilled == keys.SCHOOL:
        st.session_state["_open_school"] = True


if view.child_level == "school" and indicator.unit_kind not in ("school", "survey"):
    st.info(f"「{indicator.name(view.lang)}」按医院、社区或人口统计, 没有学校点位。"
            "请在左侧选择学校类指标, 或返回上一级查看该县所在地区的分布。")
    st.stop()

frame = resources.evaluation(view.url, view.region, view.child_level, (view.year,), view.allowed,
                             (view.indicator,), view.stage, view.lang)
if frame.empty:
    st.info("所选范围内没有适用该指标的单位(例如该县没有学校, 或所选学段不适用)。")
    st.stop()

reported = int(frame["reported"].sum())
expected = int(frame["expected"].sum())
subtitle = (f"{catalog.PLANS[view.scope].short_zh}规划 · 目标 {frame['target_label'].dropna().iloc[0]} "
            f"({frame['deadline'].dropna().iloc[0]}) · {reported}/{expected} 单位已上报"
            + (" · 演示数据" if view.is_demo else ""))
title = f"{area} {indicator.name(view.lang)} ({view.year}年)"
if view.child_level == "school":
    figure = resources.school_map(view.url, view.county, view.year, view.allowed, view.indicator, view.stage,
                                  view.lang, mode=view.mode, title=title, subtitle=subtitle,
                                  data_as_of=view.data_as_of)
else:
    figure = resources.region_map(view.url, view.region, view.child_level, view.year, view.allowed, view.indicator,
                                  view.stage, view.lang, mode=view.mode, title=title, subtitle=subtitle,
                                  data_as_of=view.data_as_of)

map_column, table_column = st.columns([3, 2])
with map_column:
    st.plotly_chart(figure, key=MAP_KEY, on_select=_on_click, selection_mode="points", config=PLOTLY_CONFIG)
    hint = "点击学校打开学校页面" if view.child_level == "school" else "点击地图上的地区进入下一级"
    st.caption(f"{hint}; 灰色 = 无上报(不按 0 计)。")
    if reported == 0:
        st.warning("所选范围内的单位在该年度均未上报此指标。")
if st.session_state.pop("_open_school", False):
    st.switch_page("pages/school.py", query_params=keys.url_params(st.session_state))

with table_column:
    st.markdown(f"#### {t('ranking')}")
    ranking = frame.sort_values(["gap", "name"], ascending=[False, True], na_position="last")
    table = pd.DataFrame({
        "单位": ranking["name"],
        "数值": [format_value(v, u) for v, u in zip(ranking["value"], ranking["value_unit"], strict=True)],
        "分子/分母": [("—" if pd.isna(d) else f"{n:g}/{d:g}") for n, d in
                    zip(ranking["numerator"], ranking["denominator"], strict=True)],
        "差距": ranking["gap"].round(1),
        t("trajectory"): [_trajectory(g, n, y) for g, n, y in
                          zip(ranking["gap"], ranking["needed_per_year"], ranking["years_left"], strict=True)],
        "上报": ranking["reported"].astype(str) + "/" + ranking["expected"].astype(str),
        "状态": ranking["status"].map({"met": "达标", "close": "接近", "behind": "落后", "no_data": "无数据"}),
    })
    st.dataframe(table, hide_index=True, width="stretch", height=min(560, 38 * (len(table) + 1)))
    st.caption("差距 = 目标 − 当前值(正数为尚差); 年均进度 = 差距 ÷ 距期限年数; 无数据单位排在最后。")
    with st.expander(t("clause")):
        first = frame.dropna(subset=["clause"]).iloc[0]
        st.markdown(f"> {first['clause']}\n\n{catalog.PLANS[view.scope].name_zh} {first['clause_ref']}")
    with st.expander("导出 (幻灯片图片 / 表格)"):
        map_download(view, key="map_export")
        table_downloads(indicator_table(ranking), file_stem=f"{area}_{view.indicator}_{view.year}", key="ranking")

urban_rural = ("parent_school_urban", "parent_school_rural")
if view.child_level != "school" and all(i in {x.id for x in catalog.indicators_for(view.scope)} for i in urban_rural) \
        and not view.stage and st.toggle("城市与农村社区家长学校建校率对比", key="show_urban_rural"):
    # Drawn on demand: two more maps are only computed and sent when asked for.
    st.caption("省级规划对城市、农村社区分别设定了 90% 和 80% 的目标, 因此分开着色。")
    pair = resources.evaluation(view.url, view.region, view.child_level, (view.year,), view.allowed,
                                urban_rural, "", view.lang)
    for column, indicator_id in zip(st.columns(2), urban_rural, strict=True):
        part = pair[pair["indicator"] == indicator_id]
        name = catalog.indicators()[indicator_id].name(view.lang)
        counts = f"{int(part['reported'].sum())}/{int(part['expected'].sum())} 社区已上报"
        with column:
            st.plotly_chart(
                resources.region_map(view.url, view.region, view.child_level, view.year, view.allowed, indicator_id,
                                     "", view.lang, mode=view.mode, data_as_of=view.data_as_of, title=f"{area} {name}",
                                     subtitle=f"目标 {part['target_label'].dropna().iloc[0]} · {counts}"),
                key=f"pair_{indicator_id}", config=PLOTLY_CONFIG)
