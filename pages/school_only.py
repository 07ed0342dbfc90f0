"""Every page but the entry form, for a school account: refused with a link to 填报 (no map, no table).

A school's own reporter may see nothing but their school (data_access/access.py); the other pages' addresses
are registered to this page for them, so a typed or pasted link says so instead of "page not found".
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode
from ui.view import language_switch

# Run through app.py, which decides who is signed in, even on a first /entry request.
run_entry_script_if_legacy_pages_mode()
language_switch()
st.warning(t("entry_refused_page"))
st.page_link("pages/entry.py", label=t("entry_go"))
