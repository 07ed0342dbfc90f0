"""地图: choropleth of the chosen area against its plan's targets, drill-down to schools, ranking and trajectory."""

from __future__ import annotations

import streamlit as st

from data_access import catalog
from data_access.read_model import indicator_view, scope_for
from data_access.regions import RegionError
from exports.tables import indicator_table
from geo.offline import PLOTLY_CONFIG
from ui import resources
from ui import state as keys
from ui.export_widgets import gis_downloads, map_download, table_downloads
from ui.i18n import t, year_label
from ui.view import breadcrumb, current, demo_banner, no_data_guard

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
# Built once per view for every session (keyed by the allowed region and the revision too), as the figure is.
shown = resources.indicator_shown(view.url, scope, view.indicator, **basis)
if shown is None:
    st.info(t("no_units"))
    st.stop()
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
# Built once per view, language and order for every session (ui/ranking_table.py).
ranking = resources.ranking_table(view.url, scope, view.indicator, view.lang, slipped_first=slipped_first, **basis)
st.dataframe(ranking.arrow, hide_index=True, width="stretch", height=ranking.height,
             column_config=ranking.column_config)
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
        table_downloads(indicator_table(ranking.ranking, view.lang),
                        file_stem=f"{area}_{view.indicator}_{view.year}", key="ranking")
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
