"""学校: one school's reports by year against every target that applies to its stage and size."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import vocab
from data_access.regions import RegionError
from exports.tables import indicator_table
from ui import resources
from ui import state as keys
from ui.export_widgets import table_downloads
from ui.i18n import t
from ui.view import breadcrumb, current, demo_banner, format_value

view = current()
st.title(t("school"))
demo_banner(view)
breadcrumb(view)

candidates = resources.schools(view.url, view.region, view.allowed)
if view.stage:
    candidates = candidates[candidates["stage"] == view.stage]
if candidates.empty:
    st.info("所选范围内没有学校。请在左侧选择其他市、县或学段。")
    st.stop()
ids = list(candidates["school_id"])
labels = dict(zip(candidates["school_id"], candidates["name"] + " · " + candidates["county_name"], strict=True))
current_school = st.session_state.get(keys.SCHOOL) or ""
if current_school not in ids:
    current_school = ids[0] if len(ids) == 1 else ""
widget = keys.widget_key(keys.SCHOOL)
if st.session_state.get(widget) not in ["", *ids]:
    st.session_state[widget] = current_school
chosen = st.selectbox("选择学校", ["", *ids], key=widget,
                      format_func=lambda sid: labels.get(sid, "请选择…") if sid else "请选择…")
st.session_state[keys.SCHOOL] = chosen
st.query_params.from_dict(keys.url_params(st.session_state))
if not chosen:
    st.info(f"共 {len(ids)} 所学校。请选择一所学校, 或在地图页点击学校。")
    st.stop()

try:
    record, reports = resources.school(view.url, chosen, view.allowed)
except RegionError as error:
    st.error(str(error))
    st.stop()

st.subheader(record["name"])
st.caption(f"{vocab.STAGES.get(record['stage'], record['stage'])} · {record['county_name']} · "
           f"{'寄宿制' if record['boarding'] else '非寄宿'} · {vocab.URBAN_RURAL.get(record['urban_rural'], '')} · "
           f"编号 {record['school_id']}")

evaluation = resources.evaluation(view.url, record["county_adcode"], "school", view.years or (view.year,),
                                  view.allowed, None, "")
mine = evaluation[evaluation["unit_id"] == chosen]
if mine.empty:
    st.info("该校没有适用的目标或尚无上报。")
else:
    table = mine.assign(
        value_text=[format_value(v, u) for v, u in zip(mine["value"], mine["value_unit"], strict=True)],
    ).pivot_table(index=["indicator_name", "target_label", "deadline"], columns="year", values="value_text",
                  aggfunc="first")
    st.markdown("#### 各年度对照目标")
    st.dataframe(table, width="stretch")
    table_downloads(indicator_table(mine), file_stem=f"{record['name']}_各年度指标", key="school_table")
    now = mine[mine["year"] == view.year]
    behind = now[now["status"].isin(["behind", "close"])]
    if not behind.empty:
        st.markdown(f"#### {view.year}年未达标项")
        for row in behind.to_dict("records"):
            st.markdown(f"- **{row['indicator_name']}**: {format_value(row['value'], row['value_unit'])}, "
                        f"目标 {row['target_label']} ({row['deadline']})  \n  > {row['clause']}")

st.markdown("#### 历年上报原始数据")
if reports.empty:
    st.info("该校没有任何年度上报。")
else:
    labels_zh = {"year": "年度", "enrollment": "在校生", "boarding_students": "寄宿生", "fulltime_teachers": "专职教师",
                 "parttime_teachers": "兼职教师", "counseling_room": "心理辅导室达标", "mh_in_school_plan": "纳入规划",
                 "mh_course": "必修课", "screening_done": "已测评", "students_screened": "测评人数",
                 "fulltime_training_hours": "专职培训总学时", "parttime_training_hours": "兼职培训总学时",
                 "surveyed": "知晓率调查人数", "passed": "合格人数"}
    shown = reports.drop(columns=["school_id"]).rename(columns=labels_zh)
    missing = sorted(set(view.years) - set(reports["year"]))
    st.dataframe(shown.astype(object).where(pd.notna(shown), "未上报"), hide_index=True, width="stretch")
    if missing:
        st.caption("未上报年度: " + "、".join(f"{y}年" for y in missing))
