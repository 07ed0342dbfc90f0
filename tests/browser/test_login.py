"""Real browser, network off, on a warehouse that is NOT the demo: only the login page without a session; a
local account and single sign-on (OIDC against a local oidc-provider-mock) open the reporter's county.

The Streamlit server gets its [auth] section from a temporary secrets file (--secrets.files), never from the
project's .streamlit/secrets.toml. The provider's authorize page links a CSS file on a CDN: the network
guard aborts it (and only it).
"""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from tests.browser.servers import dashboard, fixture_warehouse_url, free_port, sign_in, stop, wait_for
from tests.browser.test_smoke import CHROMIUM, ROOT, _free_port, _title, _wait_idle  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "Kongtong-2025"


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> str:
    """The hand-computable fixture warehouse (not a demo) with a 崆峒区 reporter for each way of signing in."""
    return fixture_warehouse_url(
        tmp_path_factory.mktemp("login"),
        {"login": "ktq", "role": "reporter", "region": "620802", "password": PASSWORD, "display_name": "崆峒区填报员"},
        {"login": "ktq.sso", "role": "reporter", "region": "620802", "password": None, "oidc_subject": "ktq-subject",
         "display_name": "崆峒区统一认证"})


@pytest.fixture(scope="module")
def provider():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/.well-known/openid-configuration", process, "oidc-provider-mock")
    yield base
    stop(process)


@pytest.fixture(scope="module")
def server(real_url, provider, tmp_path_factory):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "mhmonitor-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with dashboard(real_url, "--secrets.files", str(secrets_file), port=port) as served:
        yield served


def _body(page) -> str:  # noqa: F811
    return page.locator("body").inner_text()


def _open_login(page, url: str) -> None:  # noqa: F811
    """Open a URL and wait for the login form to be usable (a fresh server's first run takes a while)."""
    page.goto(url)
    _wait_idle(page)
    page.get_by_role("heading", name="登录").wait_for(timeout=60_000)
    page.get_by_label("账号").wait_for(state="visible", timeout=60_000)
    _wait_idle(page)


_sign_in = sign_in  # the name test_sessions_everywhere imports


def test_anonymous_sees_only_the_login_page(page, server):  # noqa: F811
    _open_login(page, f"{server}/map?scope=620800&county=620802&year=2024")
    assert _title(page) == "登录"
    body = _body(page)
    for word in ("崆峒区", "平凉市", "陕西省", "西安市", "地图", "总览"):
        assert word not in body, word
    assert page.outside_requests == []


def test_local_account_login_and_logout(page, server):  # noqa: F811
    _open_login(page, f"{server}/login?scope=620800&county=620802&year=2024")
    _sign_in(page, "ktq", "wrong-password-1")
    page.get_by_text("账号或密码不正确").wait_for(timeout=60_000)
    _sign_in(page, "ktq", PASSWORD)
    page.get_by_text("已登录: 崆峒区填报员 (ktq)").wait_for(timeout=60_000)
    page.locator("h1", has_text="崆峒区").wait_for(timeout=60_000)  # the overview of the reporter's county
    body = _body(page)
    assert "西安市" not in body and "新城区" not in body
    page.get_by_role("link", name="上报导入").click()
    page.get_by_text("导入人: 崆峒区填报员 (ktq)").wait_for(timeout=60_000)

    # A reload opens a new Streamlit session: the browser session's cookie signs the same user in again.
    page.wait_for_function("() => document.cookie.includes('mhm_session_')", timeout=60_000)
    cookie = next(c for c in page.context.cookies() if c["name"].startswith("mhm_session_"))
    assert cookie["sameSite"] == "Strict" and len(cookie["value"]) >= 40
    page.reload()
    _wait_idle(page)
    page.get_by_text("已登录: 崆峒区填报员 (ktq)").wait_for(timeout=60_000)
    page.get_by_text("导入人: 崆峒区填报员 (ktq)").wait_for(timeout=60_000)

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录").wait_for(timeout=60_000)
    _wait_idle(page)  # the previous page's elements fade out only when the rerun has finished
    assert _title(page) == "登录" and "崆峒区" not in _body(page)
    page.wait_for_function("() => !document.cookie.includes('mhm_session_')", timeout=60_000)
    page.context.add_cookies([{**cookie, "expires": -1}])  # even the old token, sent again, signs nobody in
    _open_login(page, f"{server}/import")
    assert _title(page) == "登录" and "崆峒区" not in _body(page)
    page.context.clear_cookies(name=cookie["name"])
    assert page.outside_requests == []


def _sso(page, server, subject: str) -> None:  # noqa: F811
    _open_login(page, f"{server}/login")
    page.get_by_role("button", name="统一身份认证").click()
    page.locator('input[name="sub"]').wait_for(timeout=60_000)  # the provider's authorize page
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server}/**", timeout=60_000)
    _wait_idle(page)


def test_single_sign_on_matches_the_subject_to_an_active_user(page, server):  # noqa: F811
    _sso(page, server, "ktq-subject")
    page.get_by_text("已登录: 崆峒区统一认证 (ktq.sso)").wait_for(timeout=60_000)
    page.locator("h1", has_text="崆峒区").wait_for(timeout=60_000)
    assert "西安市" not in _body(page)
    # Only the provider's CDN stylesheet tried to leave localhost, and it was aborted.
    assert page.outside_requests and all(url.split("?")[0].endswith(".css") for url in page.outside_requests), \
        page.outside_requests
    # Logout also ends the identity at the provider (st.logout), then the dashboard is closed again.
    page.get_by_role("button", name="退出登录").click()
    end_session = page.get_by_role("button", name="End session")
    end_session.wait_for(timeout=60_000)
    end_session.click()
    page.wait_for_url(f"{server}/**", timeout=60_000)
    _wait_idle(page)
    page.get_by_role("heading", name="登录").wait_for(timeout=60_000)
    assert "崆峒区" not in _body(page)


def test_single_sign_on_identity_without_a_user_is_refused(page, server):  # noqa: F811
    _sso(page, server, "stranger")
    page.get_by_text("该身份没有对应的启用账号").wait_for(timeout=60_000)
    assert _title(page) == "登录" and "崆峒区" not in _body(page)
