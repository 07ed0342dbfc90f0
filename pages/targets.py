"""目标: every plan by jurisdiction and period, each target with its deadline and clause, the current value beside
the targets of the plan in force in the chosen year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from data_access.formatting import deadline_label, reported_text, threshold_label, value_text
from data_access.regions import ALL_REGIONS, path_of, within
from ui import resources
from ui.evaluation_widgets import final_evaluation_downloads
from ui.i18n import t, year_label
from ui.view import current, demo_banner, status_chip

view = current()
st.title(t("targets"))
demo_banner(view)
st.caption(t("targets_note"))

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
    st.header(f"{short_name if view.lang == 'zh' else catalog.PLANS[adcode].short_en} ({adcode})")
    in_force = catalog.plan_in_force(adcode, view.year)
    values = pd.DataFrame()
    if view.year in view.years:
        values = resources.evaluation(view.url, *measured, (view.year,), view.allowed, None, "",
                                      **resources.basis_keys(view.basis))
    for plan in catalog.plans_of(adcode):
        judged = plan == in_force
        period = plan.period_label() if view.lang == "zh" else f"{plan.period_start}–{plan.period_end}"
        st.subheader(f"{period}: 《{plan.name_zh}》")
        st.caption(t("plan_period_caption").format(start=plan.period_start, end=plan.period_end,
                                                    issued=plan.issued, key=plan.key)
                   + " · " + t("plan_judged" if judged else "plan_not_judged").format(year=year_label(view.year)))
        final_evaluation_downloads(view, plan, key=f"final_{plan.key}")
        for target in catalog.targets_of(plan):
            indicator = catalog.indicators()[target.indicator]
            with st.container(border=True):
                left, right = st.columns([3, 1])
                left.markdown(f"**{indicator.name(view.lang)}** · "
                              f"{threshold_label(target.threshold, target.comparison, target.unit, view.lang)} · "
                              f"{deadline_label(target.deadline_year, view.lang)}  \n`{target.id}`")
                left.markdown(f"> {target.clause}\n\n{target.clause_ref}")
                if view.lang == "zh":  # the definitions are written in Chinese only
                    left.caption(f"口径: {indicator.description_zh}")
                current_row = values[values["indicator"] == target.indicator] if judged and not values.empty \
                    else pd.DataFrame()
                if current_row.empty:
                    right.metric(year_label(view.year), "—")
                    continue
                row = current_row.iloc[0]
                if row["target_id"] != target.id:
                    right.caption(t("judged_by").format(year=year_label(view.year), target=row["target_id"]))
                right.metric(year_label(view.year), value_text(row.to_dict(), view.lang))
                reported = reported_text(row["reported"], row["expected"], view.lang)
                right.markdown(f"{status_chip(row['status'])} {reported}")
