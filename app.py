"""Entry point: page navigation, shared sidebar filters and the URL round trip."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import t


def run() -> None:
    st.set_page_config(page_title="学生心理健康专项行动监测", layout="wide")
    state.seed_from_url(st.query_params.to_dict(), st.session_state)
    pages = [
        st.Page("pages/overview.py", title=t("overview"), url_path="overview", default=True),
        st.Page("pages/map.py", title=t("map"), url_path="map"),
        st.Page("pages/schools_map.py", title=t("schools_map"), url_path="schools_map"),
        st.Page("pages/school.py", title=t("school"), url_path="school"),
        st.Page("pages/targets.py", title=t("targets"), url_path="targets"),
        st.Page("pages/completeness.py", title=t("completeness"), url_path="completeness"),
        st.Page("pages/import.py", title=t("import"), url_path="import"),
    ]
    page = st.navigation(pages)
    page.run()  # each page renders the shared sidebar filters through ui.view.current()
    st.query_params.from_dict(state.url_params(st.session_state))


# Streamlit executes this file on every rerun (not always as __main__), so run() is called unconditionally.
run()
