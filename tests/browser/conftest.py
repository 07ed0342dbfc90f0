"""The browser every browser test module shares with itself: one Chromium per module, a fresh context per test.

`page` needs the module's own `server` fixture (its dashboard), so it is only started where a test asks for it.
"""

from __future__ import annotations

import pytest

from tests.browser.servers import launch, offline_tab


@pytest.fixture(scope="module")
def browser(server):
    """One Chromium for the module (started once its dashboard answers); closed after its last test."""
    with launch() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    """A new context (own cookies) and tab of the module's Chromium, network cut to localhost."""
    with offline_tab(browser) as tab:
        yield tab
