"""目标: the catalog, grouped by plan, each clause quoted with the current value beside it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from data_access.formatting import row_value, threshold_label
from ui import resources
from ui.i18n import t, year_label
from ui.view import current, demo_banner, status_chip

view = current()
st.title(t("targets"))
demo_banner(view)
st.caption(t("targets_note"))

for adcode, plan in catalog.PLANS.items():
    st.header(f"{plan.short_zh}: 《{plan.name_zh}》")
    st.caption(t("plan_issued").format(issued=plan.issued, adcode=adcode))
    values = pd.DataFrame()
    if view.year in view.years:
        level = "province" if adcode == "610000" else "city"
        values = resources.evaluation(view.url, adcode, level, (view.year,), view.allowed, None, "", view.lang)
    for target in catalog.targets_for(adcode):
        indicator = catalog.indicators()[target.indicator]
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{indicator.name(view.lang)}** · "
                          f"{threshold_label(target.threshold, target.comparison, target.unit, view.lang)} · "
                          f"{target.deadline_label(view.lang)}  \n`{target.id}`")
            left.markdown(f"> {target.clause}\n\n{target.clause_ref}")
            if view.lang == "zh":  # the definitions are written in Chinese only
                left.caption(f"口径: {indicator.description_zh}")
            current_row = values[values["indicator"] == target.indicator] if not values.empty else values
            if current_row.empty:
                right.metric(year_label(view.year), "—")
                continue
            row = current_row.iloc[0]
            if row["target_id"] != target.id:
                right.caption(t("judged_by").format(year=year_label(view.year), target=row["target_id"]))
            right.metric(year_label(view.year), row_value(row.to_dict(), view.lang))
            right.markdown(f"{status_chip(row['status'])} {row['reported']}/{row['expected']} {t('reported')}")
