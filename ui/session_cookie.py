"""The browser's half of a session that survives a reload: the `mhm_session` cookie with a random token.

The server keeps the rules (data_access/web_sessions.py); the cookie only carries the token. Streamlit has no
Python call that sets a cookie, so a one-line script in st.html writes it (the page's own document: st.html
is not iframed). The cookie is SameSite=Strict, Secure on https, and holds nothing but the token; it is not
HttpOnly (a script sets it), which is acceptable because the dashboard never renders user text as HTML.
"""

from __future__ import annotations

import re

import streamlit as st

COOKIE = "mhm_session"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")  # secrets.token_urlsafe: safe inside a JS string literal


def token_from_browser() -> str | None:
    """The token the browser sent when this session's websocket opened (None when absent or malformed)."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (AppTest, bare script runs)
        return None
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def write_script(token: str | None, max_age_seconds: int) -> str:
    """The script that stores `token` in the cookie, or removes the cookie when token is None."""
    if token is not None and not _TOKEN.match(token):
        raise ValueError("not a session token")
    value, max_age = (token, int(max_age_seconds)) if token else ("", 0)
    return ("<script>document.cookie = '" + COOKIE + "=" + value + "; Path=/; Max-Age=" + str(max_age)
            + "; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>")


def send_to_browser(token: str | None, max_age_seconds: int) -> None:
    """Render the cookie script (no visible content)."""
    st.html(write_script(token, max_age_seconds), unsafe_allow_javascript=True)
