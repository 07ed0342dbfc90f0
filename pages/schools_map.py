"""全部学校: every school of the chosen city or province at once on a WebGL (deck.gl) map; a click opens it."""

from __future__ import annotations

import streamlit as st

from data_access import catalog
from ui import resources
from ui import state as keys
from ui.view import breadcrumb, current, demo_banner, no_data_guard

DECK_KEY = "schools_deck"

view = current()
indicator = catalog.indicators()[view.indicator]
names = dict(zip(resources.regions(view.url)["adcode"], resources.regions(view.url)["name"], strict=True))
area = names.get(view.region, view.region)
st.title(f"{area} · 全部学校 · {indicator.name(view.lang)} · {view.year}年")
demo_banner(view)
breadcrumb(view)
no_data_guard(view)

if indicator.unit_kind not in ("school", "survey"):
    st.info(f"「{indicator.name(view.lang)}」按医院、社区或人口统计, 没有学校点位。请在左侧选择学校类指标。")
    st.stop()


def _open_school() -> None:
    school_id = deck.selected_school(st.session_state.get(DECK_KEY))
    if school_id:
        keys.drill_to(st.session_state, keys.SCHOOL, school_id)
        st.session_state["_open_school"] = True


deck = resources.schools_deck(view.url, view.region, view.year, view.indicator, view.stage, view.allowed, view.lang,
                              view.data_as_of, **resources.basis_keys(view.basis))
st.pydeck_chart(deck, on_select=_open_school, selection_mode="single-object", key=DECK_KEY, height=640)
st.caption("每个点是一所学校, 颜色为该指标的达成情况(灰色 = 无上报, 不按 0 计); 悬停查看数值, 点击打开学校页面。"
           "缺少坐标的学校不在图上。")
if st.session_state.pop("_open_school", False):
    st.switch_page("pages/school.py", query_params=keys.url_params(st.session_state))
