"""登录: local account (login + password) and, when [auth] is configured, 统一身份认证 (OIDC via st.login).

Shown alone on a warehouse that is not the demo until someone signs in; nothing here reads the warehouse's
data, names or regions.
"""

from __future__ import annotations

import streamlit as st

from data_access.accounts import MAX_NAME, MAX_PASSWORD_LENGTH
from ui import auth, resources
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode

# Run through app.py, which decides who is signed in, even on a first /login request.
run_entry_script_if_legacy_pages_mode()
engine = resources.cached_engine()
current = st.session_state.get(auth.PRINCIPAL)
if current is not None and not current.anonymous:
    st.switch_page("pages/entry.py" if current.role == "school" else "pages/overview.py")

st.title("登录")
st.caption("学生心理健康专项行动监测看板")
notice = st.session_state.pop(auth.NOTICE, None)
if notice:
    getattr(st, notice[0])(notice[1])
if current is not None and current.anonymous:
    st.info("当前为演示数据, 未登录只读浏览。上报导入和撤销须登录。")


def _submit() -> None:
    # A callback: it runs before the script, so a page that reruns itself early cannot lose the click.
    password = st.session_state.get("login_password") or ""
    st.session_state["login_password"] = ""  # not kept in the session
    auth.sign_in(engine, st.session_state.get("login_name") or "", password)


with st.form("login_form"):
    st.text_input("账号", max_chars=MAX_NAME, key="login_name")
    st.text_input("密码", type="password", max_chars=MAX_PASSWORD_LENGTH, key="login_password")
    st.form_submit_button("登录", type="primary", on_click=_submit)

if auth.sso_configured():
    st.divider()
    if st.session_state.get(auth.REFUSED):
        if st.button("退出统一身份认证账号", key="sso_logout"):
            st.session_state.pop(auth.REFUSED, None)
            st.logout()
    elif st.button("统一身份认证", key="sso_login"):
        st.login()
