"""Who is signed in: the session principal, local and single sign-on (OIDC) login, logout, idle timeout.

app.py calls establish() at the top of every run; it decides the principal once (re-reading the user row,
so a disabled account loses its session at its next click) and keeps it in session state for this run.
Pages and ui.resources read it through principal() / allowed_region(); a run without one stops there:
fail closed.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from data_access import accounts
from data_access.access import ANONYMOUS_DEMO, Principal, can, narrower
from data_access.regions import ALL_REGIONS, region_frame

LOGIN = "_auth_login"  # the signed-in login (server-side session state; a browser cannot set it)
METHOD = "_auth_method"  # password / oidc
LAST_SEEN = "_auth_last_seen"  # time.time() of the last run of this session
NOTICE = "_auth_notice"  # a message for the login page: ("info" | "warning" | "error", text)
PRINCIPAL = "_auth_principal"  # the principal decided for this run
REFUSED = "_auth_refused"  # single sign-on identity already refused in this session (logged once)

IDLE_MINUTES = 30  # default idle timeout; MHMONITOR_IDLE_MINUTES overrides it
NARROW_ENV = "MHMONITOR_ALLOWED_REGION"  # an optional deployment-wide scope: narrows every user further


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("MHMONITOR_IDLE_MINUTES", IDLE_MINUTES))) * 60
    except ValueError:
        return IDLE_MINUTES * 60


def sso_configured() -> bool:
    """True when .streamlit/secrets.toml (or the configured secrets file) has an [auth] section."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _notice(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


def _end_session(event: str | None, engine) -> None:
    login = st.session_state.pop(LOGIN, None)
    method = st.session_state.pop(METHOD, None)
    st.session_state.pop(LAST_SEEN, None)
    if login and event:
        accounts.record_event(engine, login, event, method)


def _principal_of(engine, user: accounts.User) -> Principal | None:
    """The user's principal, their region narrowed by the deployment's scope (None when they do not overlap)."""
    region = user.region
    narrowed = os.environ.get(NARROW_ENV, "").strip()
    if narrowed and narrowed != ALL_REGIONS:
        region = narrower(region, narrowed, region_frame(engine))
        if region is None:
            return None
    return Principal(user.login, user.display_name, user.role, region)


def _adopt_sso_identity(engine) -> None:
    """After st.login(): bind the identity to an active user row, or refuse it."""
    if not sso_configured() or not st.user.get("is_logged_in") or st.session_state.get(REFUSED):
        return
    subject = str(st.user.get("sub") or "")
    # An e-mail address is only trusted when the provider does not say it is unverified.
    email = str(st.user.get("email") or "") if st.user.get("email_verified") is not False else ""
    user = accounts.match_oidc_identity(engine, subject, email)
    if user is None:
        st.session_state[REFUSED] = True
        accounts.record_event(engine, None, "refused", "oidc", f"sub={subject[:100]} email={email[:100]}")
        _notice("error", "统一身份认证通过, 但该身份没有对应的启用账号: 请联系管理员开通, 或退出后换一个账号。")
        return
    accounts.signed_in_with_sso(engine, user)
    st.session_state[LOGIN], st.session_state[METHOD] = user.login, "oidc"
    st.session_state[LAST_SEEN] = time.time()


def establish(engine, is_demo: bool) -> Principal | None:
    """Decide this run's principal: the signed-in user, the anonymous demo visitor, or None (login only)."""
    st.session_state.pop(PRINCIPAL, None)
    if LOGIN not in st.session_state:
        _adopt_sso_identity(engine)
    login = st.session_state.get(LOGIN)
    principal = None
    if login:
        now = time.time()
        if now - st.session_state.get(LAST_SEEN, now) > idle_seconds():
            _end_session("timeout", engine)
            _notice("warning", f"超过 {int(idle_seconds() // 60)} 分钟未操作, 已自动退出登录。请重新登录。")
        else:
            user = accounts.active_user(engine, login)
            principal = _principal_of(engine, user) if user else None
            if principal is None:
                _end_session("refused", engine)
                _notice("error", "该账号已停用或没有可查看的地区, 已退出登录。")
            else:
                st.session_state[LAST_SEEN] = now
    if principal is None and is_demo:
        principal = ANONYMOUS_DEMO
    if principal is not None:
        st.session_state[PRINCIPAL] = principal
    return principal


def principal() -> Principal:
    """This run's principal; stops the page when there is none (fail closed)."""
    found = st.session_state.get(PRINCIPAL)
    if not isinstance(found, Principal):
        st.error("请先登录。")
        st.stop()
    return found


def allowed_region() -> str:
    return principal().region


def may(action: str) -> bool:
    """May this run's principal do `action` somewhere in their own region?"""
    found = st.session_state.get(PRINCIPAL)
    return isinstance(found, Principal) and can(found, action, found.region)


def sign_in(engine, login: str, password: str) -> bool:
    """Check a local login (recorded, throttled); on success the session belongs to the user."""
    result = accounts.verify_login(engine, login, password)
    if result.status != "ok":
        _notice("error", result.message)
        return False
    st.session_state[LOGIN], st.session_state[METHOD] = result.user.login, "password"
    st.session_state[LAST_SEEN] = time.time()
    st.session_state.pop(NOTICE, None)
    return True


def sign_out(engine) -> None:
    """End the session; a single sign-on identity cookie is removed too (st.logout starts a new session)."""
    _end_session("logout", engine)
    st.session_state.pop(REFUSED, None)
    _notice("info", "已退出登录。")
    if sso_configured() and st.user.get("is_logged_in"):
        st.logout()


def sidebar_status(engine, region_names: dict[str, str]) -> None:
    """Who is signed in and their region, with a logout button; or the anonymous demo note."""
    found = st.session_state.get(PRINCIPAL)
    if not isinstance(found, Principal):
        return
    with st.sidebar:
        if found.anonymous:
            st.caption("演示数据, 未登录只读浏览")
            return
        region = accounts.ALL_REGIONS_NAME if found.region == ALL_REGIONS else region_names.get(found.region,
                                                                                                found.region)
        # st.text, not markdown: the display name is typed by a person.
        st.text(f"已登录: {found.display_name} ({found.login})\n{accounts.ROLES.get(found.role, found.role)}"
                f" · {region}")
        st.button("退出登录", key="auth_logout", on_click=sign_out, args=(engine,))
