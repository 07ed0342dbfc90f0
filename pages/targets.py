"""目标: every plan by jurisdiction and period, each target with its deadline and clause, the current value beside
the targets of the plan in force in the chosen year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from data_access.regions import ALL_REGIONS, path_of, within
from ui import resources
from ui.evaluation_widgets import final_evaluation_downloads
from ui.i18n import t
from ui.view import current, demo_banner, format_value, status_chip

view = current()
st.title(t("targets"))
demo_banner(view)
st.caption("已录入规划中的全部量化目标, 按辖区和规划期排列。当前值按所选年度计算, 只列在该年度据以考核的规划下; "
           "期限已过的目标继续有效, 直到后续规划生效。")

regions = resources.regions(view.url).set_index("adcode", drop=False)


def _measured_region(adcode: str) -> tuple[str, str] | None:
    """Where the current values come from: the plan's whole area, or the user's own region inside it (a county
    reporter sees their county's values, never the province's); None when the user has no region in it."""
    if adcode not in regions.index:
        return None
    if view.allowed == ALL_REGIONS or within(regions.loc[adcode], view.allowed):
        return adcode, str(regions.loc[adcode, "level"])
    if view.allowed in regions.index and adcode in path_of(regions.loc[view.allowed]):
        return view.allowed, str(regions.loc[view.allowed, "level"])
    return None


for adcode, short_name in catalog.jurisdictions().items():
    measured = _measured_region(adcode)
    if measured is None:  # a plan of somewhere the user has no region in (or the warehouse lacks)
        continue
    st.header(f"{short_name} ({adcode})")
    in_force = catalog.plan_in_force(adcode, view.year)
    values = pd.DataFrame()
    if view.year in view.years:
        values = resources.evaluation(view.url, *measured, (view.year,), view.allowed, None, "")
    for plan in catalog.plans_of(adcode):
        judged = plan == in_force
        st.subheader(f"{plan.period_label()}: 《{plan.name_zh}》")
        st.caption(f"规划期 {plan.period_label()} · 印发 {plan.issued} · 规划代码 {plan.key} · "
                   + (f"{view.year}年据此规划考核" if judged else f"{view.year}年不据此规划考核"))
        final_evaluation_downloads(view, plan, key=f"final_{plan.key}")
        for target in catalog.targets_of(plan):
            indicator = catalog.indicators()[target.indicator]
            with st.container(border=True):
                left, right = st.columns([3, 1])
                left.markdown(f"**{indicator.name(view.lang)}** · {target.threshold_label()} · "
                              f"{target.deadline_label(view.lang)}  \n`{target.id}`")
                left.markdown(f"> {target.clause}\n\n{target.clause_ref}")
                left.caption(f"口径: {indicator.description_zh}")
                current_row = values[values["indicator"] == target.indicator] if judged and not values.empty \
                    else pd.DataFrame()
                if current_row.empty:
                    right.metric(f"{view.year}年", "—")
                    continue
                row = current_row.iloc[0]
                if row["target_id"] != target.id:
                    right.caption(f"{view.year}年按 {row['target_id']} 考核")
                right.metric(f"{view.year}年", format_value(row["value"], row["value_unit"]))
                right.markdown(f"{status_chip(row['status'])} {row['reported']}/{row['expected']} {t('reported')}")
