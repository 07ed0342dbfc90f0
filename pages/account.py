"""账号: every signed-in user changes their own password here (forced after an initial or reset password);
an administrator also sees the lockouts and failed sign-ins of their region's accounts, unlocks an account
and signs it out everywhere.

Plain widgets in one column: usable at a phone's width (375 px). Nothing a person typed is rendered as
markdown (st.text, dataframe cells).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import accounts
from data_access.access import can
from data_access.accounts import MAX_PASSWORD_LENGTH, AccountError
from ui import auth, resources
from ui.i18n import t
from ui.streamlit_compat import run_entry_script_if_legacy_pages_mode

run_entry_script_if_legacy_pages_mode()
engine = resources.cached_engine()
current = auth.principal()
RESULT = "account_result"  # ("success" | "error", text) of the last action, shown once

st.title(t("account"))
if current.anonymous:
    st.info(t("account_anonymous"))
    st.stop()

user = accounts.get_user(engine, current.login)
region = t("all_regions") if current.region == accounts.ALL_REGIONS else accounts.region_name(engine, current.region)
role = t(f"role_{current.role}") if current.role in accounts.ROLES else current.role
st.text(t("account_login").format(login=current.login))
st.text(t("account_name").format(name=current.display_name))
st.text(t("account_role").format(role=role, region=region))
if auth.must_change_password():
    st.warning(t("must_change_password"))

result = st.session_state.pop(RESULT, None)
if result:
    getattr(st, result[0])(result[1])


def _change() -> None:
    # A callback: it runs before the script, so the navigation of this very run already knows the outcome.
    values = [st.session_state.get(key) or "" for key in ("old_password", "new_password", "new_password_again")]
    for key in ("old_password", "new_password", "new_password_again"):
        st.session_state[key] = ""  # passwords are not kept in the session
    forced = auth.must_change_password()
    try:
        auth.change_password(engine, *values)
    except AccountError as error:
        st.session_state[RESULT] = ("error", str(error))
    else:
        if forced:  # the full navigation returns and this run opens the overview: say it there
            st.toast(t("password_changed"))
        else:
            st.session_state[RESULT] = ("success", t("password_changed"))


st.subheader(t("change_password"))
if user is not None and not user.has_password:
    st.info(t("sso_no_password"))
else:
    with st.form("password_form"):
        st.text_input(t("old_password"), type="password", max_chars=MAX_PASSWORD_LENGTH, key="old_password")
        st.text_input(t("new_password"), type="password", max_chars=MAX_PASSWORD_LENGTH, key="new_password")
        st.text_input(t("new_password_again"), type="password", max_chars=MAX_PASSWORD_LENGTH,
                      key="new_password_again")
        st.caption(t("password_rules"))
        st.form_submit_button(t("save_password"), type="primary", on_click=_change)

if auth.must_change_password() or not can(current, "manage_users", current.region):
    st.stop()


def _admin(action: str, login: str) -> None:
    if action == "unlock":
        was_locked = accounts.unlock(engine, login, method="web", by=current.login)
        st.session_state[RESULT] = ("success", t("admin_unlocked" if was_locked else "admin_not_locked")
                                    .format(login=login))
    else:
        ended = accounts.sign_out_everywhere(engine, login, method="web", by=current.login)
        st.session_state[RESULT] = ("success", t("admin_signed_out").format(login=login, n=ended))


st.subheader(t("admin_accounts"))
managed = [found.login for found in accounts.users_in_region(engine, current.region)]
if not managed:
    st.info(t("admin_no_users"))
else:
    picked = st.selectbox(t("admin_pick_user"), managed, key="admin_user")
    st.button(t("admin_unlock"), key="admin_unlock", on_click=_admin, args=("unlock", picked))
    st.button(t("admin_sign_out_everywhere"), key="admin_sign_out", on_click=_admin, args=("sign_out", picked))

st.subheader(t("lock_events"))
events = accounts.recent_lock_events(engine, current.region)
if not events:
    st.info(t("lock_events_none"))
else:
    table = pd.DataFrame({
        t("event_time"): [f"{event['occurred_at']:%Y-%m-%d %H:%M:%S}" for event in events],
        t("event_login"): [event["login"] or "" for event in events],
        t("event_kind"): [t(f"event_{event['event']}") for event in events],
        t("event_source"): [event["source"] or "" for event in events],
        t("event_detail"): [event["detail"] or "" for event in events],
    })
    st.dataframe(table, hide_index=True)
