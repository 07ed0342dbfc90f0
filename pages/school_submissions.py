"""学校填报 (the county's view): the county's schools with the state of their own reports, last change, open
warnings and completeness; return a school's submission with a reason; download who has not submitted."""

from __future__ import annotations

import streamlit as st

from data_access.access import AccessDenied
from data_access.school_reports import STATE_SUBMITTED, STATES
from data_access.school_review import (
    EntryLocked,
    county_schools,
    not_submitted,
    reported_table,
    return_submission,
    school_list_table,
)
from ui import auth, resources
from ui.export_widgets import table_downloads
from ui.i18n import ENTRY_FIELDS_EN, headers, report_type_name, t, year_label
from ui.safe_text import escape
from ui.view import current, demo_banner

RESULT = "_school_subs_result"

view = current()
st.title(t("school_submissions"))
demo_banner(view)
principal = auth.principal()
if not auth.may("review_schools"):
    st.info(t("subs_needs_county"))
    st.stop()
if view.region_level != "county":
    st.info(t("subs_choose_county"))
    st.stop()
engine = resources.cached_engine()
try:
    frame = county_schools(engine, principal, view.county, view.year)
except AccessDenied as denied:
    st.error(escape(str(denied)))
    st.stop()

counts = frame["school_state"].value_counts()
st.caption(t("subs_summary").format(year=year_label(view.year), n=len(frame),
                                    **{state: int(counts.get(state, 0)) for state in STATES}))
result = st.session_state.pop(RESULT, None)
if result:
    getattr(st, result[0])(escape(result[1]))
table = school_list_table(frame, view.lang)
st.dataframe(headers(table), hide_index=True, width="stretch")

st.markdown(f"#### {t('subs_missing')}")
missing = headers(school_list_table(not_submitted(frame), view.lang))
if missing.empty:
    st.success(t("subs_all_submitted"))
else:
    table_downloads(missing, file_stem=f"{t('subs_file')}_{view.county}_{view.year}", key="subs_missing")

st.markdown(f"#### {t('subs_figures')}")
all_names = dict(zip(frame["school_id"], frame["name"], strict=True))
shown = st.selectbox(t("school"), list(all_names), format_func=lambda sid: f"{all_names[sid]} ({sid})",
                     key="subs_show_school")
shown_type = st.radio(t("entry_report_type"), ["school", "survey"], format_func=report_type_name,
                      key="subs_show_type", horizontal=True)
if shown:
    # A small HTML table (st.table), readable on a phone and by a screen reader; the values are the school's.
    figures = reported_table(engine, principal, shown, int(view.year), shown_type, view.lang)
    if view.lang == "en":
        figures["项目"] = [ENTRY_FIELDS_EN.get(f, (f, ""))[0] for f in figures["field"]]
    st.table(headers(figures.drop(columns="field")).set_index("Item" if view.lang == "en" else "项目"))

submitted = frame[(frame["school_state"] == STATE_SUBMITTED) | (frame["survey_state"] == STATE_SUBMITTED)]
if not submitted.empty:
    st.markdown(f"#### {t('subs_return')}")
    names = dict(zip(submitted["school_id"], submitted["name"], strict=True))

    def _return() -> None:
        school_id = st.session_state.get("subs_return_school")
        type_key = st.session_state.get("subs_return_type")
        reason = st.session_state.get("subs_return_reason") or ""
        acting = auth.establish(engine, view.is_demo)
        try:
            return_submission(engine, acting, school_id, int(view.year), type_key, reason)
        except (EntryLocked, AccessDenied, ValueError) as refused:
            st.session_state[RESULT] = ("error", str(refused))
            return
        st.session_state["subs_return_reason"] = ""
        st.session_state[RESULT] = ("success", t("subs_returned").format(school=names.get(school_id, school_id)))
        resources.clear_data_caches()

    with st.form("subs_return_form", border=False):
        st.selectbox(t("school"), list(names), format_func=lambda sid: f"{names[sid]} ({sid})",
                     key="subs_return_school")
        st.radio(t("entry_report_type"), ["school", "survey"], format_func=report_type_name,
                 key="subs_return_type", horizontal=True)
        st.text_area(t("subs_reason"), max_chars=500, key="subs_return_reason")
        st.form_submit_button(t("subs_return_button"), on_click=_return)
