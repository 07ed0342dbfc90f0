"""登录: local account (login + password) and, when [auth] is configured, 统一身份认证 (OIDC via st.login).

Shown alone on a warehouse that is not the demo until someone signs in; nothing here reads the warehouse's
data, names or regions.
"""

from __future__ import annotations

import streamlit as st

from data_access.accounts import MAX_NAME, MAX_PASSWORD_LENGTH
from ui import auth, resources
from ui.i18n import t
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode
from ui.view import language_switch

# Run through app.py, which decides who is signed in, even on a first /login request.
run_entry_script_if_legacy_pages_mode()
engine = resources.cached_engine()
current = st.session_state.get(auth.PRINCIPAL)
if current is not None and not current.anonymous:
    st.switch_page("pages/entry.py" if current.role == "school" else "pages/overview.py")

language_switch()
st.title(t("login"))
st.caption(t("login_caption"))
notice = st.session_state.pop(auth.NOTICE, None)
if notice:
    getattr(st, notice[0])(notice[1])
if current is not None and current.anonymous:
    st.info(t("login_demo"))


def _submit() -> None:
    # A callback: it runs before the script, so a page that reruns itself early cannot lose the click.
    password = st.session_state.get("login_password") or ""
    st.session_state["login_password"] = ""  # not kept in the session
    auth.sign_in(engine, st.session_state.get("login_name") or "", password)


with st.form("login_form"):
    st.text_input(t("login_name"), max_chars=MAX_NAME, key="login_name")
    st.text_input(t("login_password"), type="password", max_chars=MAX_PASSWORD_LENGTH, key="login_password")
    st.form_submit_button(t("login"), type="primary", on_click=_submit)

if auth.sso_configured():
    st.divider()
    if st.session_state.get(auth.REFUSED):
        if st.button(t("login_sso_logout"), key="sso_logout"):
            st.session_state.pop(auth.REFUSED, None)
            st.logout()
    elif st.button(t("login_sso"), key="sso_login"):
        st.login()
