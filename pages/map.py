"""地图: choropleth of the chosen area against its plan's targets, drill-down to schools, ranking and trajectory."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import catalog
from data_access.formatting import (
    format_share,
    fraction_text,
    missing_text,
    status_label,
    trajectory_text,
    value_text,
)
from data_access.read_model import indicator_view, scope_for
from data_access.regions import RegionError
from data_access.review_basis import row_basis_text
from exports.tables import indicator_table
from geo.offline import PLOTLY_CONFIG
from ui import resources
from ui import state as keys
from ui.export_widgets import gis_downloads, map_download, table_downloads
from ui.i18n import t, year_label
from ui.view import breadcrumb, current, demo_banner, no_data_guard
from ui.wire import fitted_columns, text_table

MAP_KEY = "map_selection"
SLIPPED_FIRST = "map_slipped_first"

view = current()
indicator = catalog.indicators()[view.indicator]
regions = resources.regions(view.url)
names = dict(zip(regions["adcode"], regions["name"], strict=True))
area = names.get(view.region, view.region)
st.title(f"{area} · {indicator.name(view.lang)} · {year_label(view.year)}")
demo_banner(view)
breadcrumb(view)
no_data_guard(view)


def _on_click() -> None:
    drilled = keys.drill_from_click(st.session_state, st.session_state.get(MAP_KEY), view.child_level)
    if drilled == keys.SCHOOL:
        st.session_state["_open_school"] = True


if view.child_level == "school" and indicator.unit_kind not in ("school", "survey"):
    st.info(t("no_school_points").format(name=indicator.name(view.lang)))
    st.stop()

try:
    scope = scope_for(regions, view.region, view.year, allowed=view.allowed, child_level=view.child_level,
                      stage=view.stage)
except RegionError as error:
    st.error(str(error))
    st.stop()
basis = resources.basis_keys(view.basis)  # 仅显示已审核数据: part of every cache key below
frame = resources.evaluation(view.url, view.region, view.child_level, (view.year,), view.allowed,
                             (view.indicator,), view.stage, **basis)
if frame.empty:
    st.info(t("no_units"))
    st.stop()
shown = indicator_view(scope, view.indicator, frame, resources.warehouse_info(view.url), basis=view.basis)
reported, expected = shown.reported, shown.expected
subtitle = shown.subtitle(view.lang)
title = f"{shown.title(view.lang)} ({year_label(view.year)})"
if view.child_level == "school":
    figure = resources.school_map(view.url, view.county, view.year, view.allowed, view.indicator, view.stage,
                                  view.lang, mode=view.mode, title=title, subtitle=subtitle,
                                  data_as_of=view.data_as_of, **basis)
else:
    figure = resources.region_map(view.url, view.region, view.child_level, view.year, view.allowed, view.indicator,
                                  view.stage, view.lang, mode=view.mode, title=title, subtitle=subtitle,
                                  data_as_of=view.data_as_of, **basis)

# The map, then its ranking at the page's full width: the ranking's nine columns (each as wide as its
# text, ui.wire.fitted_columns) fit a 1280 px window there; beside the map they were cut off at 1500 px.
st.plotly_chart(figure, key=MAP_KEY, on_select=_on_click, selection_mode="points", config=PLOTLY_CONFIG)
hint = t("click_school") if view.child_level == "school" else t("click_region")
st.caption(f"{hint}; {t('grey_note')}")
if reported == 0:
    st.warning(t("none_reported"))
if st.session_state.pop("_open_school", False):
    st.switch_page("pages/school.py", query_params=keys.url_params(st.session_state))

st.markdown(f"#### {t('ranking')}")
slipped_first = st.toggle(t("slipped_first"), key=SLIPPED_FIRST)
ranking = shown.ranking(slipped_first=slipped_first)
rows = ranking.to_dict("records")
table = pd.DataFrame({
    t("rank"): [("" if pd.isna(r) else str(r)) for r in ranking["rank"]],
    t("unit"): ranking["name"],
    t("value"): [value_text(row, view.lang) for row in rows],
    # The status right after the value: what a meeting reads first stays in view in a narrow window.
    t("status"): [status_label(s, view.lang) for s in ranking["status"]],
    t("missing"): [missing_text(row, view.lang) for row in rows],  # "还需 3 名专职教师" / "差 5.1 个百分点"
    t("trajectory"): [trajectory_text(row, view.lang) for row in rows],
    t("reported_col"): [format_share(row["reported"], row["expected"]) for row in rows],
    t("basis"): [row_basis_text(row, approved_only=view.approved_only, lang=view.lang) or "—" for row in rows],
})
if view.child_level == "school":
    # A school is met or not, and lacks something: its "1/1" and "+95.0 a year" say nothing more.
    table = table.drop(columns=[t("trajectory")])
else:
    table.insert(4, t("fraction"), [fraction_text(row) for row in rows])
if (table[t("basis")] == "—").all():
    table = table.drop(columns=[t("basis")])  # 数据口径 says nothing for any unit: its room goes to the others
# Rank and unit stay in view when a narrow window scrolls the table sideways.
st.dataframe(text_table(table), hide_index=True, width="stretch", height=min(560, 38 * (len(table) + 1)),
             column_config=fitted_columns(table, pinned=2))
st.caption(t("ranking_note"))
# Lazy expanders (on_change="rerun"): their contents are computed and sent only while open, so a filter
# change does not resend the clause and the export controls.
clause_box = st.expander(t("clause"), key="map_clause_open", on_change="rerun")
if clause_box.open and shown.clause:
    clause_box.markdown(f"> {shown.clause}\n\n{shown.source()}")
exports_box = st.expander(t("export_map_table"), key="map_exports_open", on_change="rerun")
if exports_box.open:
    with exports_box:
        map_download(shown, mode=view.mode, filters=view.stage, key="map_export")
        table_downloads(indicator_table(ranking, view.lang), file_stem=f"{area}_{view.indicator}_{view.year}",
                        key="ranking")
        gis_downloads(shown, lang=view.lang, key="map_gis")

urban_rural = ("parent_school_urban", "parent_school_rural")
shown_ids = {x.id for x in catalog.indicators_for(view.scope, view.year)}
if view.child_level != "school" and all(i in shown_ids for i in urban_rural) and not view.stage \
        and st.toggle(t("urban_rural_title"), key="show_urban_rural"):
    # Drawn on demand: two more maps are only computed and sent when asked for.
    st.caption(t("urban_rural_note"))
    pair = resources.evaluation(view.url, view.region, view.child_level, (view.year,), view.allowed,
                                urban_rural, "", **basis)
    info = resources.warehouse_info(view.url)
    for column, indicator_id in zip(st.columns(2), urban_rural, strict=True):
        part = pair[pair["indicator"] == indicator_id]
        half = indicator_view(scope, indicator_id, pair, info, basis=view.basis)
        with column:
            st.plotly_chart(
                resources.region_map(view.url, view.region, view.child_level, view.year, view.allowed, indicator_id,
                                     "", view.lang, mode=view.mode, data_as_of=view.data_as_of, **basis,
                                     title=half.title(view.lang), subtitle=half.subtitle(view.lang)),
                key=f"pair_{indicator_id}", config=PLOTLY_CONFIG)
