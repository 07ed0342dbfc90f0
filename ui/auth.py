"""Who is signed in: the session principal, local and single sign-on (OIDC) login, logout, idle timeout.

app.py calls establish() at the top of every run; it decides the principal once (re-reading the user row,
so a disabled account loses its session at its next click) and keeps it in session state for this run.
Pages and ui.resources read it through principal() / allowed_region(); a run without one stops there:
fail closed.

A local sign-in also opens a browser session (data_access/web_sessions.py, cookie by ui/session_cookie.py),
so a reload finds the user again under the same idle timeout; single sign-on has its own identity cookie and
a session row without a cookie. Every run checks its session row (web_sessions.current_user), so a logout in
another browser, a new password or an administrator's "sign out everywhere", on any process, ends this
session at its next click.

Sign-ins are throttled per login and per client address (client_address: the websocket's peer, or what a
proxy listed in MHMONITOR_TRUSTED_PROXIES says in X-Real-IP / X-Forwarded-For).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from datetime import timedelta

import sqlalchemy as sa
import streamlit as st

from data_access import accounts, settings, web_sessions
from data_access.access import ANONYMOUS_DEMO, Principal, can, narrower
from data_access.regions import ALL_REGIONS, region_frame
from ui import session_cookie
from ui.i18n import t

LOGIN = "_auth_login"  # the signed-in login (server-side session state; a browser cannot set it)
METHOD = "_auth_method"  # password / oidc
LAST_SEEN = "_auth_last_seen"  # time.time() of the last run of this session
NOTICE = "_auth_notice"  # a message for the login page: ("info" | "warning" | "error", text)
PRINCIPAL = "_auth_principal"  # the principal decided for this run
REFUSED = "_auth_refused"  # single sign-on identity already refused in this session (logged once)
TOKEN = "_auth_token"  # the browser session's token (its cookie value)
CHECKED = "_auth_cookie_checked"  # the cookie token already looked up in this session (not again per run)
TOUCHED = "_auth_touched"  # time.time() when the browser session's last_seen_at was last written
COOKIE_OUT = "_auth_cookie_out"  # ("set", token) / ("forget", None[, only if it holds this token]): sent with
# every run until one completes
MUST_CHANGE = "_auth_must_change"  # the signed-in user has an initial or reset password: only the account page

IDLE_MINUTES = 30  # default idle timeout; MHMONITOR_IDLE_MINUTES overrides it
NARROW_ENV = "MHMONITOR_ALLOWED_REGION"  # an optional deployment-wide scope: narrows every user further
# Addresses of reverse proxies (comma-separated) whose X-Real-IP / X-Forwarded-For names the client; "127.0.0.1"
# also stands for "::1" (Streamlit reports a loopback peer as no address). Unset: headers are ignored.
TRUSTED_PROXIES_ENV = "MHMONITOR_TRUSTED_PROXIES"

log = logging.getLogger(__name__)


def idle_seconds() -> float:
    try:
        return max(1.0, float(settings.value("MHMONITOR_IDLE_MINUTES"))) * 60
    except ValueError:
        return IDLE_MINUTES * 60


def _trusted_proxies() -> frozenset[str]:
    return frozenset(part.strip() for part in settings.value(TRUSTED_PROXIES_ENV).split(",") if part.strip())


def _address(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address() -> str | None:
    """The signing-in client's address for throttling: the websocket's peer, or, when that peer is a trusted
    proxy, the address it forwards (X-Real-IP, else the nearest untrusted X-Forwarded-For entry)."""
    try:
        raw = st.context.ip_address
        headers = st.context.headers
    except Exception:  # noqa: BLE001 - no browser context (AppTest, bare script runs)
        return None
    peer = "127.0.0.1" if raw is None else _address(raw)  # Streamlit says None for a loopback peer
    if peer is None:
        return None
    trusted = _trusted_proxies()
    if peer not in trusted:
        return peer
    real = _address(headers.get("X-Real-IP"))
    if real:
        return real
    forwarded = [part for value in headers.get_all("X-Forwarded-For") if isinstance(value, str)
                 for part in value.split(",")]
    for hop in reversed(forwarded):
        hop = _address(hop)
        if hop and hop not in trusted:
            return hop
    return peer


def sso_configured() -> bool:
    """True when .streamlit/secrets.toml (or the configured secrets file) has an [auth] section."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _notice(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


def _end_session(event: str | None, engine, *, ended_elsewhere: bool = False) -> None:
    login = st.session_state.pop(LOGIN, None)
    method = st.session_state.pop(METHOD, None)
    st.session_state.pop(LAST_SEEN, None)
    st.session_state.pop(MUST_CHANGE, None)
    token = st.session_state.pop(TOKEN, None)
    if token:
        _browser_sessions(web_sessions.end_session, engine, token)
        if method != "oidc":  # a single sign-on session has no cookie of ours
            # Ended elsewhere: another tab of this browser may already hold a newer token in the cookie.
            st.session_state[COOKIE_OUT] = ("forget", None, token) if ended_elsewhere else ("forget", None)
    if login and event:
        accounts.record_event(engine, login, event, method, source=client_address())


def _browser_sessions(call, *args):
    """A web_sessions call; a warehouse not yet upgraded to the table (or a failing one) only costs the
    reload convenience, never the sign-in itself."""
    try:
        return call(*args)
    except sa.exc.SQLAlchemyError as error:
        log.warning("browser sessions unavailable (%s): upgrade the warehouse schema", type(error).__name__)
        return None


def _resume_browser_session(engine) -> None:
    """A reload: find the user again from the cookie's token, under the same rules as a running session."""
    token = session_cookie.token_from_browser()
    # The cookie seen when the websocket opened stays the same for the whole session: check it once.
    if not token or st.session_state.get(CHECKED) == token:
        return
    st.session_state[CHECKED] = token
    found = _browser_sessions(web_sessions.resume_session, engine, token, timedelta(seconds=idle_seconds()))
    if found is None:
        st.session_state[COOKIE_OUT] = ("forget", None)  # unknown, ended or idle: drop the stale cookie
        return
    user, method = found
    st.session_state[LOGIN], st.session_state[METHOD], st.session_state[TOKEN] = user.login, method, token
    st.session_state[LAST_SEEN] = st.session_state[TOUCHED] = time.time()
    accounts.record_event(engine, user.login, "session_resumed", method)


def _note_activity(engine) -> None:
    """Keep the browser session's idle clock in step with this one, writing at most once a minute."""
    token = st.session_state.get(TOKEN)
    now = time.time()
    if token and now - st.session_state.get(TOUCHED, 0) >= web_sessions.TOUCH_EVERY.total_seconds():
        st.session_state[TOUCHED] = now
        _browser_sessions(web_sessions.touch_session, engine, token)


def deliver_cookie() -> None:
    """Send the pending cookie change; app.py calls it at the start of a run and clears it (cookie_delivered)
    once a run completes, so a run cut short by a page switch does not lose it."""
    pending = st.session_state.get(COOKIE_OUT)
    if pending:
        only_if = pending[2] if len(pending) > 2 else None
        session_cookie.send_to_browser(pending[1], int(web_sessions.MAX_LIFETIME.total_seconds()), only_if=only_if)


def cookie_delivered() -> None:
    st.session_state.pop(COOKIE_OUT, None)


def _principal_of(engine, user: accounts.User) -> Principal | None:
    """The user's principal, their region narrowed by the deployment's scope (None when they do not overlap)."""
    region = user.region
    narrowed = settings.value(NARROW_ENV)
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
        _notice("error", t("sso_no_account"))
        return
    accounts.signed_in_with_sso(engine, user)
    st.session_state[LOGIN], st.session_state[METHOD] = user.login, "oidc"
    st.session_state[LAST_SEEN] = time.time()
    # A session row without a cookie (the provider keeps the identity): "sign out everywhere" can end it.
    token = _browser_sessions(web_sessions.open_session, engine, user.login, "oidc")
    if token:
        st.session_state[TOKEN] = token


def establish(engine, is_demo: bool) -> Principal | None:
    """Decide this run's principal: the signed-in user, the anonymous demo visitor, or None (login only)."""
    st.session_state.pop(PRINCIPAL, None)
    if LOGIN not in st.session_state:
        _adopt_sso_identity(engine)
    if LOGIN not in st.session_state:
        _resume_browser_session(engine)
    login = st.session_state.get(LOGIN)
    principal = None
    if login:
        now = time.time()
        if now - st.session_state.get(LAST_SEEN, now) > idle_seconds():
            _end_session("timeout", engine)
            _notice("warning", t("idle_signed_out").format(minutes=int(idle_seconds() // 60)))
        else:
            token = st.session_state.get(TOKEN)
            user = _browser_sessions(web_sessions.current_user, engine, login, token) if token else \
                accounts.active_user(engine, login)
            if user is None and token and accounts.active_user(engine, login) is not None:
                _end_elsewhere(engine)
            else:
                principal = _principal_of(engine, user) if user else None
                if principal is None:
                    _end_session("refused", engine)
                    _notice("error", t("account_disabled"))
                else:
                    st.session_state[LAST_SEEN] = now
                    st.session_state[MUST_CHANGE] = user.must_change_password
                    _note_activity(engine)
    if principal is None and is_demo:
        principal = ANONYMOUS_DEMO
    if principal is not None:
        st.session_state[PRINCIPAL] = principal
    return principal


def _end_elsewhere(engine) -> None:
    """This session's row was ended by another browser or process (logout, new password, sign out
    everywhere): stop here too. A single sign-on identity is dropped as well, or it would sign in again."""
    method = st.session_state.get(METHOD)
    _end_session(None, engine, ended_elsewhere=True)
    _notice("warning", t("session_ended"))
    if method == "oidc" and sso_configured() and st.user.get("is_logged_in"):
        st.session_state[REFUSED] = True  # not adopted again before the provider's logout completes
        st.logout()


def must_change_password() -> bool:
    """The signed-in user still has an initial or administrator-set password (only the account page)."""
    return bool(st.session_state.get(MUST_CHANGE))


def change_password(engine, old_password: str, new_password: str, confirmation: str) -> None:
    """Replace the signed-in user's password (AccountError when refused). Every other session of the login
    ends; this browser gets a new session (and cookie) and keeps working."""
    current = principal()
    accounts.change_own_password(engine, current.login, old_password, new_password, confirmation,
                                 source=client_address())
    st.session_state[MUST_CHANGE] = False
    st.session_state.pop(TOKEN, None)
    token = _browser_sessions(web_sessions.open_session, engine, current.login,
                              st.session_state.get(METHOD) or "password")
    if token:
        st.session_state[TOKEN] = token
        st.session_state[CHECKED] = token  # the cookie this browser will send from now on is ours
        st.session_state[COOKIE_OUT] = ("set", token)
    st.session_state[TOUCHED] = time.time()


def principal() -> Principal:
    """This run's principal; stops the page when there is none (fail closed)."""
    found = st.session_state.get(PRINCIPAL)
    if not isinstance(found, Principal):
        st.error(t("please_sign_in"))
        st.stop()
    return found


def allowed_region() -> str:
    return principal().region


def may(action: str) -> bool:
    """May this run's principal do `action` somewhere in their own region?"""
    found = st.session_state.get(PRINCIPAL)
    return isinstance(found, Principal) and can(found, action, found.region)


def _refusal(result: accounts.LoginResult) -> str:
    """Why a sign-in was refused, in the interface language (accounts.LoginResult.message is the CLI's Chinese)."""
    if result.status != "throttled":
        return t("login_failed")  # never says which of login and password was wrong
    minutes = result.lock.minutes_left(result.now) if result.lock and result.now else \
        int(accounts.FAILURE_WINDOW.total_seconds() // 60)
    key = "login_locked_address" if result.lock and result.lock.scope == "address" else "login_locked"
    return t(key).format(minutes=minutes)


def sign_in(engine, login: str, password: str) -> bool:
    """Check a local login (recorded, throttled); on success the session belongs to the user."""
    result = accounts.verify_login(engine, login, password, source=client_address())
    if result.status != "ok":
        _notice("error", _refusal(result))
        return False
    st.session_state[LOGIN], st.session_state[METHOD] = result.user.login, "password"
    st.session_state[MUST_CHANGE] = result.user.must_change_password
    st.session_state[LAST_SEEN] = st.session_state[TOUCHED] = time.time()
    st.session_state.pop(NOTICE, None)
    token = _browser_sessions(web_sessions.open_session, engine, result.user.login, "password")
    if token:
        st.session_state[TOKEN] = token
        st.session_state[COOKIE_OUT] = ("set", token)
    return True


def sign_out(engine) -> None:
    """End the session; a single sign-on identity cookie is removed too (st.logout starts a new session)."""
    _end_session("logout", engine)
    st.session_state.pop(REFUSED, None)
    _notice("info", t("signed_out"))
    if sso_configured() and st.user.get("is_logged_in"):
        st.logout()


def sidebar_status(engine, region_names: dict[str, str]) -> None:
    """Who is signed in and their region, with a logout button; or the anonymous demo note."""
    found = st.session_state.get(PRINCIPAL)
    if not isinstance(found, Principal):
        return
    with st.sidebar:
        if found.anonymous:
            st.caption(t("demo_anonymous"))
            return
        region = t("all_regions") if found.region == ALL_REGIONS else region_names.get(found.region,
                                                                                                found.region)
        # st.text, not markdown: the display name is typed by a person.
        role = t(f"role_{found.role}") if found.role in accounts.ROLES else found.role
        st.text(t("signed_in_as").format(name=found.display_name, login=found.login, role=role, region=region))
        st.button(t("logout"), key="auth_logout", on_click=sign_out, args=(engine,))
