"""Entry point: who is signed in, page navigation, shared sidebar filters and the URL round trip."""

from __future__ import annotations

import streamlit as st

from data_access.access import is_school_principal
from data_access.engine import warehouse_url
from ui import auth, resources, state
from ui.i18n import t
from ui.streamlit_compat import entry_script
from ui.warehouse_guard import checked_run, guarded

PAGE_PATHS = ("overview", "login", "map", "school", "targets", "completeness", "import", "schools_map", "account",
              "review", "entry", "school_submissions")
# Whoever may act in the review chain (submit, approve/return/withdraw, set deadlines) sees the review page.
REVIEW_ACTIONS = ("submit", "approve", "set_deadline")


def run() -> None:
    st.set_page_config(page_title=t("app_title"), layout="wide")
    state.seed_from_url(st.query_params.to_dict(), st.session_state)
    # Unreachable, damaged, deleted or replaced: a Chinese page, before anything queries it. The warehouse's
    # revision is read here once for the run and keys every cache.
    with checked_run(warehouse_url()):
        _run_checked()


def _run_checked() -> None:
    engine = resources.cached_engine()
    principal = auth.establish(engine, resources.warehouse_info(warehouse_url()).is_demo)
    auth.deliver_cookie()  # a sign-in or sign-out tells the browser (kept until a run completes)
    if principal is None:
        # Fail closed: without a session on a real warehouse nothing but the login page exists. It answers at
        # every page's address, so a shared link opens the login form and, once signed in, that page.
        # The default is served at "/" (its url_path is ignored), so every page path is registered besides it.
        pages = [st.Page("pages/login.py", title=t("login"), url_path="home", default=True),
                 *(st.Page("pages/login.py", title=t("login"), url_path=path) for path in PAGE_PATHS)]
        st.navigation(pages, position="hidden").run()
        state.sync_url(st.query_params, st.session_state)
        auth.cookie_delivered()
        return
    if auth.must_change_password():
        # An initial or administrator-set password: nothing but choosing one's own (and signing out), at every
        # address, until it is done.
        pages = [st.Page("pages/account.py", title=t("account"), url_path="home", default=True),
                 *(st.Page("pages/account.py", title=t("account"), url_path=path) for path in PAGE_PATHS)]
        page = st.navigation(pages, position="hidden")
        with guarded(warehouse_url()):
            auth.sidebar_status(engine, resources.region_names(warehouse_url()))
            page.run()
        state.sync_url(st.query_params, st.session_state)
        auth.cookie_delivered()
        return
    if is_school_principal(principal):
        # A school's own reporter has the entry form and nothing else; every other address says so.
        pages = [st.Page("pages/entry.py", title=t("entry"), url_path="home", default=True),
                 st.Page("pages/entry.py", title=t("entry"), url_path="entry", visibility="hidden"),
                 *(st.Page("pages/school_only.py", title=t("entry"), url_path=path, visibility="hidden")
                   for path in PAGE_PATHS if path not in ("entry", "login", "account")),
                 st.Page("pages/account.py", title=t("account"), url_path="account"),
                 st.Page("pages/login.py", title=t("login"), url_path="login")]
        page = st.navigation(pages)
        with guarded(warehouse_url()):
            auth.sidebar_status(engine, {})
            page.run()
        state.sync_url(st.query_params, st.session_state)
        auth.cookie_delivered()
        return
    pages = [
        # The default page is served at "/" and Streamlit then ignores its url_path, so a pasted
        # /overview link found no page: the same file is registered again, hidden, under /overview.
        st.Page("pages/overview.py", title=t("overview"), url_path="home", default=True),
        st.Page("pages/overview.py", title=t("overview"), url_path="overview", visibility="hidden"),
        st.Page("pages/map.py", title=t("map"), url_path="map"),
        st.Page("pages/schools_map.py", title=t("schools_map"), url_path="schools_map"),
        st.Page("pages/school.py", title=t("school"), url_path="school"),
        st.Page("pages/targets.py", title=t("targets"), url_path="targets"),
        st.Page("pages/completeness.py", title=t("completeness"), url_path="completeness"),
    ]
    # Listed only for those who may import; still registered for everyone, so a typed /import says what
    # account it needs (the page checks) instead of "page not found".
    pages.append(st.Page("pages/import.py", title=t("import"), url_path="import",
                         visibility="visible" if auth.may("import") else "hidden"))
    pages.append(st.Page("pages/account.py", title=t("account"), url_path="account",
                         visibility="hidden" if principal.anonymous else "visible"))
    pages.append(st.Page("pages/review.py", title=t("review"), url_path="review",
                         visibility="visible" if any(auth.may(action) for action in REVIEW_ACTIONS) else "hidden"))
    # The county's list of its schools' own reports (学校填报), for those who review them.
    pages.append(st.Page("pages/school_submissions.py", title=t("school_submissions"), url_path="school_submissions",
                         visibility="visible" if auth.may("review_schools") else "hidden"))
    # The school's entry form: registered so a typed /entry explains it is for school accounts.
    pages.append(st.Page("pages/entry.py", title=t("entry"), url_path="entry", visibility="hidden"))
    pages.append(st.Page("pages/login.py", title=t("login"), url_path="login"))
    page = st.navigation(pages)
    with guarded(warehouse_url()):  # a warehouse lost mid-page: a Chinese message, never a traceback
        auth.sidebar_status(engine, resources.region_names(warehouse_url()))
        page.run()  # each page renders the shared sidebar filters through ui.view.current()
    state.sync_url(st.query_params, st.session_state)
    auth.cookie_delivered()


# Streamlit executes this file on every rerun (not always as __main__), so run() is called unconditionally.
# entry_script(): pages know they run inside this navigation (ui/streamlit_compat.py).
with entry_script():
    run()
