"""The Streamlit internals ui/streamlit_compat.py relies on are still there; fails loudly on an upgrade."""

from __future__ import annotations

import inspect

import pytest
import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from ui.streamlit_compat import CHECKED_STREAMLIT

UPGRADE = (f"Streamlit {streamlit.__version__} is not the checked {CHECKED_STREAMLIT}: re-check "
           "ui/streamlit_compat.py (legacy pages mode guess) against its source, then update CHECKED_STREAMLIT")


def test_streamlit_is_the_checked_version():
    assert streamlit.__version__.startswith(CHECKED_STREAMLIT + "."), UPGRADE


@pytest.fixture
def fresh_guess():
    saved = PagesManager.uses_pages_directory
    PagesManager.uses_pages_directory = None
    yield
    PagesManager.uses_pages_directory = saved


def test_a_pages_folder_beside_the_entry_still_means_legacy_mode(tmp_path, fresh_guess):
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    PagesManager(str(tmp_path / "app.py"))
    assert PagesManager.uses_pages_directory is True, UPGRADE


def test_without_a_pages_folder_there_is_nothing_to_correct(tmp_path, fresh_guess):
    (tmp_path / "app.py").write_text("")
    PagesManager(str(tmp_path / "app.py"))
    assert PagesManager.uses_pages_directory is False, UPGRADE


def test_the_script_runner_still_decides_by_that_class_attribute():
    source = inspect.getsource(script_runner.ScriptRunner)
    assert "PagesManager.uses_pages_directory" in source and "_mpa_v1(" in source, UPGRADE
    assert callable(getattr(PagesManager, "get_page_script_byte_code", None)), UPGRADE
    assert isinstance(inspect.getattr_static(PagesManager, "main_script_path"), property), UPGRADE


def test_the_guess_can_be_turned_off_before_the_first_session(tmp_path, fresh_guess):
    from ui.streamlit_compat import disable_legacy_pages_guess

    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    disable_legacy_pages_guess()
    PagesManager(str(tmp_path / "app.py"))  # the first session's manager keeps the answer it finds
    assert PagesManager.uses_pages_directory is False, UPGRADE


def test_a_page_knows_it_runs_inside_the_entry_script_per_thread():
    import threading

    from ui import streamlit_compat

    seen = {}

    def other_thread():
        seen["other"] = getattr(streamlit_compat._running, "entry", False)

    with streamlit_compat.entry_script():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        seen["inside"] = streamlit_compat._running.entry
    assert seen == {"inside": True, "other": False}  # another session's run is not marked by this one
    assert getattr(streamlit_compat._running, "entry", False) is False
