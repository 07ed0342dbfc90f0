"""Sessions end everywhere at once: two dashboard processes on one (non-demo) DuckDB warehouse and two browsers
(two playwright contexts: separate cookie jars) signed in as the same user.

- a password change in one browser signs the other browser's tab (another process) out at its next click;
- a logout in one browser signs out the other browser that resumed the same session (same cookie token).

Same real-browser setup as test_smoke.py (Debian's Chromium, requests off localhost aborted and recorded).
"""

from __future__ import annotations

import pytest

from tests.browser.servers import dashboard, fixture_warehouse_url, offline_tab
from tests.browser.test_login import _body, _open_login, _sign_in
from tests.browser.test_smoke import CHROMIUM, ROOT, _free_port, _title, _wait_idle  # noqa: F401
from tests.browser.test_two_processes import second_dashboard

pytestmark = pytest.mark.browser

PASSWORD = "Kongtong-2025"
NEW_PASSWORD = "Changed-in-A-2026"
ENDED = "您的登录已在别处结束"


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> str:
    reporter = {"role": "reporter", "region": "620802", "password": PASSWORD}
    return fixture_warehouse_url(
        tmp_path_factory.mktemp("sessions"), {"login": "ktq", "display_name": "崆峒区填报员", **reporter},
        {"login": "ktq2", "display_name": "崆峒区二号", **reporter},
        {"login": "kt.new", "display_name": "崆峒区新学校", "must_change_password": True, **reporter})


@pytest.fixture(scope="module")
def server(real_url):
    with dashboard(real_url) as base:
        yield base


@pytest.fixture
def second_browser(page):  # noqa: F811
    """Another browser (its own cookie jar) on the same Chromium, with the same network guard."""
    yield from _other_context(page, {"width": 1600, "height": 900})


@pytest.fixture
def phone(page):  # noqa: F811
    """A phone-sized browser (375 x 812) on the same Chromium."""
    yield from _other_context(page, {"width": 375, "height": 812})


def _other_context(page, viewport):  # noqa: F811
    with offline_tab(page.context.browser, viewport) as tab:
        yield tab


def _signed_in(tab, name: str) -> None:
    tab.get_by_text(f"已登录: {name}").wait_for(timeout=60_000)


def _click_targets(tab) -> None:
    """The next click: open another page from the navigation."""
    tab.get_by_role("link", name="目标").click()
    _wait_idle(tab)


def _session_cookie(tab) -> dict:
    tab.wait_for_function("() => document.cookie.includes('mhm_session_')", timeout=60_000)
    return next(c for c in tab.context.cookies() if c["name"].startswith("mhm_session_"))


def test_a_password_change_signs_the_other_browser_out_at_its_next_click(page, second_browser, server,  # noqa: F811
                                                                        real_url):
    with second_dashboard(real_url) as other_server:
        _open_login(page, f"{server}/login")
        _sign_in(page, "ktq", PASSWORD)
        _signed_in(page, "崆峒区填报员 (ktq)")
        _session_cookie(page)
        # Another tab of the same browser, on the other process, resumed the session from the cookie.
        same_browser = page.context.new_page()
        same_browser.goto(f"{other_server}/targets")
        _wait_idle(same_browser)
        _signed_in(same_browser, "崆峒区填报员 (ktq)")
        _open_login(second_browser, f"{other_server}/login")
        _sign_in(second_browser, "ktq", PASSWORD)
        _signed_in(second_browser, "崆峒区填报员 (ktq)")
        _click_targets(second_browser)
        assert _title(second_browser) != "登录"

        page.get_by_role("link", name="账号").click()
        _wait_idle(page)
        page.get_by_label("原密码").fill(PASSWORD)
        page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
        page.get_by_role("button", name="保存新密码").click()
        page.get_by_text("密码已修改").wait_for(timeout=60_000)

        _click_targets(second_browser)  # the other browser, on the other process: its very next click
        second_browser.get_by_text(ENDED).wait_for(timeout=60_000)
        assert _title(second_browser) == "登录" and "崆峒区" not in _body(second_browser)

        _click_targets(same_browser)  # the other tab of the changing browser too
        same_browser.get_by_text(ENDED).wait_for(timeout=60_000)
        assert _title(same_browser) == "登录"

        _click_targets(page)  # the tab that changed it keeps working, and still after a reload (its new
        _signed_in(page, "崆峒区填报员 (ktq)")  # cookie was not removed by the other tab's sign-out)
        page.reload()
        _wait_idle(page)
        _signed_in(page, "崆峒区填报员 (ktq)")
        assert _title(page) != "登录"
        same_browser.close()
    assert page.outside_requests == [] and second_browser.outside_requests == []


def test_a_logout_signs_out_the_browser_that_resumed_the_same_session(page, second_browser, server,  # noqa: F811
                                                                     real_url):
    with second_dashboard(real_url) as other_server:
        _open_login(page, f"{server}/login")
        _sign_in(page, "ktq2", PASSWORD)
        _signed_in(page, "崆峒区二号 (ktq2)")
        cookie = _session_cookie(page)
        # The second browser carries the same session token (a copied profile) and resumes it on process 2.
        second_browser.context.add_cookies([cookie])  # cookies ignore the port: valid for process 2 too
        second_browser.goto(f"{other_server}/targets")
        _wait_idle(second_browser)
        _signed_in(second_browser, "崆峒区二号 (ktq2)")

        page.get_by_role("button", name="退出登录").click()
        page.get_by_text("已退出登录").wait_for(timeout=60_000)

        _click_targets(second_browser)
        second_browser.get_by_text(ENDED).wait_for(timeout=60_000)
        assert _title(second_browser) == "登录" and "崆峒区" not in _body(second_browser)
        # A reload finds no session either: the token is ended for good.
        second_browser.reload()
        _wait_idle(second_browser)
        second_browser.get_by_role("heading", name="登录").wait_for(timeout=60_000)
        assert "崆峒区" not in _body(second_browser)
    assert page.outside_requests == [] and second_browser.outside_requests == []


def _fits(tab) -> bool:
    """Nothing wider than the window (no sideways scrolling at 375 px)."""
    return tab.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_initial_password_is_changed_first_on_a_phone(phone, server):
    _open_login(phone, f"{server}/map")
    _sign_in(phone, "kt.new", PASSWORD)
    phone.get_by_text("请先设置自己的新密码").wait_for(timeout=60_000)
    assert _title(phone) == "账号" and _fits(phone)
    phone.goto(f"{server}/import")  # any address: still only the account page
    _wait_idle(phone)
    phone.get_by_text("请先设置自己的新密码").wait_for(timeout=60_000)
    phone.get_by_label("原密码").fill(PASSWORD)
    phone.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("再次输入新密码").fill("Not-the-same-2026")
    phone.get_by_role("button", name="保存新密码").click()
    phone.get_by_text("两次输入的新密码不一致").wait_for(timeout=60_000)
    assert _fits(phone)
    phone.get_by_label("原密码").fill(PASSWORD)
    phone.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="保存新密码").click()
    phone.get_by_text("密码已修改").wait_for(timeout=60_000)
    _wait_idle(phone)
    assert _title(phone) != "账号" and "请先设置自己的新密码" not in _body(phone)  # the page asked for: 上报导入
    phone.goto(f"{server}/")  # a reload keeps the sign-in (the new cookie): the county's overview
    _wait_idle(phone)
    phone.locator("h1", has_text="崆峒区").wait_for(timeout=60_000)
    assert _fits(phone)
    assert phone.outside_requests == []
