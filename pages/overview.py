"""总览: one card per headline indicator for the chosen area and year."""

from __future__ import annotations

import streamlit as st

from charts.figures import sparkline
from data_access import catalog
from data_access.formatting import missing_text, target_text, value_text
from data_access.read_model import indicator_view, scope_for
from data_access.regions import RegionError
from exports.tables import indicator_table
from ui import resources
from ui.export_widgets import meeting_pack_button, table_downloads
from ui.i18n import stage_name, t, year_label
from ui.view import breadcrumb, current, demo_banner, no_data_guard, status_chip

SLIPPED_FIRST = "overview_slipped_first"

view = current()
regions = resources.regions(view.url)
names = dict(zip(regions["adcode"], regions["name"], strict=True))
st.title(f"{names.get(view.region, view.region)} · {year_label(view.year)} {t('overview')}")
demo_banner(view)
breadcrumb(view)
no_data_guard(view)

try:
    scope = scope_for(regions, view.region, view.year, allowed=view.allowed, stage=view.stage)
except RegionError as error:
    st.error(str(error))
    st.stop()
headline = sorted((ind for ind in catalog.indicators_for(view.scope, view.year) if ind.headline),
                  key=lambda ind: (ind.headline, ind.id))
frame = resources.evaluation(view.url, view.region, view.region_level, view.years, view.allowed,
                             tuple(ind.id for ind in headline), view.stage, **resources.basis_keys(view.basis))
if frame.empty:
    st.info(t("no_indicators"))
    st.stop()
if view.stage:
    st.caption(t("stage_only").format(stage=stage_name(view.stage)))

info = resources.warehouse_info(view.url)
# The region's own row for each indicator is its "units" here: the overview shows the area itself.
views = [indicator_view(scope, ind.id, frame, info, basis=view.basis) for ind in headline
         if ind.id in set(frame["indicator"])]
views = [shown for shown in views if not shown.units.empty]
if st.toggle(t("slipped_first"), key=SLIPPED_FIRST):
    views.sort(key=lambda shown: shown.units.iloc[0]["status"] != "slipped")

columns = st.columns(3)
for index, shown in enumerate(views):
    row = shown.units.iloc[0].to_dict()
    series = frame[frame["indicator"] == shown.indicator_id]
    with columns[index % 3].container(border=True):
        st.markdown(f"**{shown.indicator_name(view.lang)}**")
        st.markdown(f"### {value_text(row, view.lang)} {status_chip(row['status'])}")
        st.caption(f"{t('target')} {target_text(row, view.lang)} · {t('deadline')} {shown.deadline(view.lang)} · "
                   f"{missing_text(row, view.lang)} · {shown.completeness(view.lang)}"
                   + (f" · {shown.basis_text(view.lang)}" if shown.basis_text(view.lang) else ""))
        st.plotly_chart(sparkline(series[["year", "value", "status", "value_unit", "threshold", "comparison"]],
                                  row["threshold"], lang=view.lang),
                        config={"displayModeBar": False, "staticPlot": True}, key=f"spark_{shown.indicator_id}")
        with st.popover(t("clause"), width="stretch"):
            st.markdown(f"> {shown.clause}\n\n— {shown.source()}")

st.divider()
st.markdown(f"#### {t('exports_title')}")
left, right = st.columns(2)
with left:
    meeting_pack_button(view, key="pack")
with right:
    table_downloads(indicator_table(frame[frame["year"] == view.year], view.lang),
                    file_stem=f"{names.get(view.region, view.region)}_{view.year}", key="overview_table")
