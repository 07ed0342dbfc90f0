"""The one place that relies on a Streamlit internal: leaving "legacy pages mode" on a cold first visit.

Streamlit 1.67 guesses multipage "v1" mode from the mere existence of a pages/ folder beside the entry
script (`PagesManager.uses_pages_directory`, a class attribute set when the first session starts) and keeps
guessing so until `st.navigation` has run once in the process. In that mode a first request for /map runs
pages/map.py alone, without app.py's navigation, page config and sidebar. The client keeps its pages/
folder, and Streamlit offers no option to turn the guess off, so the guess is corrected here.

Instead of `st.rerun()` (which made the first visit run the script twice), the entry script is executed in
the same script run and the legacy page run stops: a cold first visit is one script run.
tests/ui/test_streamlit_compat.py pins the Streamlit version and the internals used; on an upgrade it fails
and names this module.
"""

from __future__ import annotations

import types

import streamlit as st

CHECKED_STREAMLIT = "1.67"


def run_entry_script_if_legacy_pages_mode() -> None:
    """In legacy pages mode, turn it off, run the entry script (app.py) now, then end this page run.

    Call it first in every page. Outside legacy mode (every run after the first st.navigation of the
    process) it only reads one attribute.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if not PagesManager.uses_pages_directory:
        return
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    PagesManager.uses_pages_directory = False
    entry = ctx.pages_manager.main_script_path
    module = types.ModuleType("__main__")
    module.__dict__["__file__"] = entry
    # The entry script calls st.navigation, which picks the requested page (the same URL) and runs it.
    exec(ctx.pages_manager.get_page_script_byte_code(entry), module.__dict__)  # noqa: S102 - Streamlit's own way
    st.stop()
