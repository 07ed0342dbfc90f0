"""The browser's half of a session that survives a reload: the `mhm_session_<deployment>` cookie with a token.

The server keeps the rules (data_access/web_sessions.py); the cookie only carries the token. Streamlit has no
Python call that sets a cookie, so a one-line script in st.html writes it (the page's own document: st.html
is not iframed). The cookie is SameSite=Strict, Secure on https, and holds nothing but the token; it is not
HttpOnly (a script sets it), which is acceptable because the dashboard never renders user text as HTML.

Browsers ignore the port for cookies, so two dashboards on one host shared one cookie and signed each other
out. The name therefore carries a short hash of the deployment's warehouse (its URL without the password):
dashboards on different warehouses keep apart, and processes of one deployment (same warehouse, same
accounts) share it.
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
import streamlit as st

from data_access.engine import warehouse_url

COOKIE_PREFIX = "mhm_session_"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")  # secrets.token_urlsafe: safe inside a JS string literal


def cookie_name(url: str | None = None) -> str:
    """`mhm_session_` and 8 hex digits naming the deployment's warehouse (default: the configured one)."""
    shown = sa.make_url(url or warehouse_url()).render_as_string(hide_password=True)
    return COOKIE_PREFIX + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:8]


def token_from_browser() -> str | None:
    """The token the browser sent when this session's websocket opened (None when absent or malformed)."""
    try:
        value = st.context.cookies.get(cookie_name())
    except Exception:  # noqa: BLE001 - no browser context (AppTest, bare script runs)
        return None
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def write_script(token: str | None, max_age_seconds: int, *, only_if: str | None = None) -> str:
    """The script that stores `token` in the cookie, or removes the cookie when token is None.

    `only_if`: remove it only while it still holds that token (a session ended elsewhere must not remove
    the new token another tab of the same browser has just stored, e.g. after a password change there).
    """
    for checked in (token, only_if):
        if checked is not None and not _TOKEN.match(checked):
            raise ValueError("not a session token")
    value, max_age = (token, int(max_age_seconds)) if token else ("", 0)
    write = ("document.cookie = '" + cookie_name() + "=" + value + "; Path=/; Max-Age=" + str(max_age)
             + "; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');")
    if only_if is not None and token is None:
        write = ("if (document.cookie.split('; ').indexOf('" + cookie_name() + "=" + only_if + "') >= 0) { "
                 + write + " }")
    return "<script>" + write + "</script>"


def send_to_browser(token: str | None, max_age_seconds: int, *, only_if: str | None = None) -> None:
    """Render the cookie script (no visible content)."""
    st.html(write_script(token, max_age_seconds, only_if=only_if), unsafe_allow_javascript=True)
