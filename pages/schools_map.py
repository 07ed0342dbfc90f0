"""全部学校: every school of the chosen city or province at once on a WebGL (deck.gl) map; a click opens it."""

from __future__ import annotations

import streamlit as st

from charts.deck import DENSE_ZOOM_IN
from data_access import catalog
from data_access.formatting import format_count
from data_access.regions import RegionError
from ui import resources
from ui import state as keys
from ui.i18n import t, year_label
from ui.view import breadcrumb, current, demo_banner, no_data_guard

DECK_KEY = "schools_deck"

view = current()
indicator = catalog.indicators()[view.indicator]
names = dict(zip(resources.regions(view.url)["adcode"], resources.regions(view.url)["name"], strict=True))
area = names.get(view.region, view.region)
st.title(t("schools_map_title").format(area=area, indicator=indicator.name(view.lang), year=year_label(view.year)))
demo_banner(view)
breadcrumb(view)
no_data_guard(view)

if indicator.unit_kind not in ("school", "survey"):
    st.info(t("schools_map_not_schools").format(name=indicator.name(view.lang)))
    st.stop()


def _open_school() -> None:
    school_id = deck.selected_school(st.session_state.get(DECK_KEY))
    if school_id:
        keys.drill_to(st.session_state, keys.SCHOOL, school_id)
        st.session_state["_open_school"] = True


try:
    deck = resources.schools_deck(view.url, view.region, view.year, view.indicator, view.stage, view.allowed,
                                  view.lang, view.data_as_of, **resources.basis_keys(view.basis))
except RegionError as error:  # the read model's scope check (a region outside the user's, unknown)
    st.error(str(error))
    st.stop()
st.pydeck_chart(deck, on_select=_open_school, selection_mode="single-object", key=DECK_KEY, height=640)
st.caption(t("schools_map_caption"))
if deck.dense:
    st.caption(t("schools_map_dense").format(count=format_count(len(deck.school_ids)),
                                             levels=format_count(DENSE_ZOOM_IN)))
if st.session_state.pop("_open_school", False):
    st.switch_page("pages/school.py", query_params=keys.url_params(st.session_state))
