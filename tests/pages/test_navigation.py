"""Every page's URL opens that page (issue 11.7: /overview showed "Page not found")."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager

from tests.pages.conftest import ROOT
from tests.pages.test_pages import app


def _resolve(registry: dict, url_pathname: str) -> dict | None:
    """What Streamlit runs for a browser request to /<url_pathname> (no page hash, only the name)."""
    manager = PagesManager(str(ROOT / "app.py"))
    manager.set_script_intent("", url_pathname)
    default = next(page_hash for page_hash, info in registry.items() if info["url_pathname"] == "")
    return manager.set_pages_and_resolve(registry, fallback_page_hash=default)


@pytest.mark.parametrize(("url_pathname", "script"), [
    ("overview", "pages/overview.py"), ("map", "pages/map.py"), ("school", "pages/school.py"),
    ("targets", "pages/targets.py"), ("completeness", "pages/completeness.py"), ("import", "pages/import.py"),
    ("account", "pages/account.py"),
])
def test_every_page_url_resolves_to_its_script(app_env, url_pathname, script):
    at = app().run()
    assert not at.exception, at.exception
    # AppTest keeps the registry st.navigation sent; reading it fails loudly if Streamlit renames it.
    found = _resolve(at._registered_pages, url_pathname)
    assert found is not None, f"/{url_pathname} is 'Page not found'"
    assert found["script_path"].endswith(script)


def test_root_still_opens_the_overview(app_env):
    at = app().run()
    found = _resolve(at._registered_pages, "")
    assert found is not None and found["script_path"].endswith("pages/overview.py")


def test_overview_url_renders_the_overview(app_env):
    at = app().run().switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    assert "总览" in at.title[0].value
