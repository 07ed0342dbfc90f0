"""The one place that relies on Streamlit internals: keeping "legacy pages mode" away from the dashboard.

Streamlit 1.67 guesses multipage "v1" mode from the mere existence of a pages/ folder beside the entry
script (`PagesManager.uses_pages_directory`, a class attribute set when the first session starts). It keeps
that guess until `st.navigation` has run once in the process. In that mode a request runs a page file
alone through Streamlit's own navigation of the raw file names (`_mpa_v1`): the sidebar listed `app`,
`completeness`, `import`, `login`, ... and pages/map.py ran without app.py's sign-in ("请先登录。").
Streamlit offers no option to turn the guess off, and the folder keeps its name, so:

1. `disable_legacy_pages_guess()` sets the guess to "no" before the first session exists. ui/server.py
   calls it while the server starts (st.App lifespan), so no session of `./scripts/run` or
   deploy/start.sh ever runs in legacy mode and the raw page list is never sent.
2. Where the app is started some other way (`streamlit run app.py`, AppTest), a page that finds itself run
   outside app.py's navigation runs the entry script in the same script run, then stops the legacy run.
   It decides by a per-thread marker that app.py sets (`entry_script()`), not by the class attribute:
   the attribute is shared by all sessions, and 25 sessions arriving together at a cold process saw it
   change under them.

tests/ui/test_streamlit_compat.py pins the Streamlit version and the internals used; on an upgrade it fails
and names this module.
"""

from __future__ import annotations

import contextlib
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

CHECKED_STREAMLIT = "1.67"

_running = threading.local()  # Streamlit runs each session's script on its own thread


def disable_legacy_pages_guess() -> None:
    """Tell Streamlit that the pages/ folder is not a v1 multipage app (before any session starts)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


@contextlib.contextmanager
def entry_script() -> Iterator[None]:
    """Mark this thread's script run as started by the entry script (app.py wraps its run in it)."""
    outer = getattr(_running, "entry", False)
    _running.entry = True
    try:
        yield
    finally:
        _running.entry = outer


def run_entry_script_if_legacy_pages_mode() -> None:
    """A page run outside app.py's navigation: run the entry script (app.py) now, then end this run.

    Call it first in every page. Inside app.py's run it reads one thread-local flag and returns.
    """
    if getattr(_running, "entry", False):
        return
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    entry = ctx.pages_manager.main_script_path
    if not (Path(entry).parent / "pages").is_dir():
        return  # the page itself is the main script (AppTest of one page file): nothing to correct
    PagesManager.uses_pages_directory = False
    module = types.ModuleType("__main__")
    module.__dict__["__file__"] = entry
    # The entry script calls st.navigation, which picks the requested page (the same URL) and runs it.
    exec(ctx.pages_manager.get_page_script_byte_code(entry), module.__dict__)  # noqa: S102 - Streamlit's own way
    st.stop()
