"""目标: the catalog, grouped by plan, each clause quoted with the current value beside it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from ui import resources
from ui.i18n import t
from ui.view import current, demo_banner, format_value, status_chip

view = current()
st.title(t("targets"))
demo_banner(view)
st.caption("两项规划中的全部量化目标。当前值按所选年度计算; 期限已过的目标继续有效。")

for adcode, plan in catalog.PLANS.items():
    st.header(f"{plan.short_zh}: 《{plan.name_zh}》")
    st.caption(f"印发 {plan.issued} · 辖区代码 {adcode}")
    values = pd.DataFrame()
    if view.year in view.years:
        level = "province" if adcode == "610000" else "city"
        values = resources.evaluation(view.url, adcode, level, (view.year,), view.allowed, None, "")
    for target in catalog.targets_for(adcode):
        indicator = catalog.indicators()[target.indicator]
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{indicator.name(view.lang)}** · {target.threshold_label()} · "
                          f"{target.deadline_label(view.lang)}  \n`{target.id}`")
            left.markdown(f"> {target.clause}\n\n{target.clause_ref}")
            left.caption(f"口径: {indicator.description_zh}")
            current_row = values[values["indicator"] == target.indicator] if not values.empty else values
            if current_row.empty:
                right.metric(f"{view.year}年", "—")
                continue
            row = current_row.iloc[0]
            if row["target_id"] != target.id:
                right.caption(f"{view.year}年按 {row['target_id']} 考核")
            right.metric(f"{view.year}年", format_value(row["value"], row["value_unit"]))
            right.markdown(f"{status_chip(row['status'])} {row['reported']}/{row['expected']} {t('reported')}")
