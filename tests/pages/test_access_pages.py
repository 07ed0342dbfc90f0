"""Access in the dashboard under AppTest on the (non-demo) fixture warehouse: fail closed without a session,
the login form, role x region x page, URL tampering and cache crossing. The demo warehouse stays open to
anonymous read-only visitors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access.accounts import add_user
from data_access.engine import make_engine
from data_access.schema import auth_events, warehouse_meta
from tests.pages.test_pages import PAGES, app, open_page
from ui.view import OUTSIDE_SCOPE

PASSWORD = "Xincheng-2025"
# Region names of the fixture, by who may see them.
XINCHENG, BEILIN, XIAN, SHAANXI = "新城区", "碑林区", "西安市", "陕西省"
KONGTONG, PINGLIANG = "崆峒区", "平凉市"


def all_text(at: AppTest) -> str:
    """Every label, option, value, table and chart spec on the page (main area and sidebar)."""
    parts: list[str] = []

    def walk(node) -> None:
        for attr in ("value", "label", "options", "body", "placeholder"):
            try:
                value = getattr(node, attr)
            except Exception:  # noqa: BLE001 - elements lack some attributes, or compute them lazily
                continue
            if isinstance(value, pd.DataFrame):
                parts.append(value.to_string())
            elif value is not None and not callable(value):
                parts.append(str(value))
        spec = getattr(getattr(node, "proto", None), "spec", None)
        if isinstance(spec, str) and spec.startswith("{"):
            parts.append(json.dumps(json.loads(spec), ensure_ascii=False))  # plotly figures
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


@pytest.fixture
def people(app_env):
    engine = make_engine(app_env)
    for login, role, region in (("xc", "reporter", "610102"), ("bl", "reporter", "610103"),
                                ("xa", "viewer", "610100"), ("pl", "viewer", "620800")):
        add_user(engine, login, role=role, region=region, password=PASSWORD)
    engine.dispose()
    return app_env


def events(url: str) -> list[tuple[str, str | None]]:
    engine = make_engine(url, create=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(auth_events.c.event, auth_events.c.login)
                            .order_by(auth_events.c.occurred_at)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_on_a_real_warehouse_sees_only_the_login_page(app_env, page):
    at = open_page(page, login=None, scope="620800", county="620802")
    assert not at.exception, at.exception
    assert at.title[0].value == "登录"
    text = all_text(at)
    for name in (XINCHENG, BEILIN, XIAN, SHAANXI, KONGTONG, PINGLIANG, "一小", "2025年"):
        assert name not in text, (page, name)
    # No scope selector and no filters: the language switch alone (it reveals nothing of the warehouse).
    assert [radio.key for radio in at.sidebar.radio] == ["w_lang"]


def test_local_login_opens_the_dashboard_and_logout_ends_it(people):
    at = app(login=None).run()
    at.text_input(key="login_name").input("xc")
    at.text_input(key="login_password").input("wrong-password-1")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    assert at.title[0].value == "登录" and "账号或密码不正确" in at.error[0].value
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert XINCHENG in at.title[0].value  # the overview of the reporter's county
    assert "已登录: xc (xc)" in all_text(at)
    at.sidebar.button(key="auth_logout").click().run()
    assert at.title[0].value == "登录" and "已退出登录" in all_text(at)
    assert XINCHENG not in all_text(at)
    assert events(people) == [("login_failed", "xc"), ("login_ok", "xc"), ("logout", "xc")]


def test_local_login_opens_and_ends_a_browser_session(people):
    """The sign-in opens a browser session (only the token's hash stored) and the logout ends it."""
    from data_access.schema import web_sessions
    from ui.session_cookie import cookie_name

    name = cookie_name(people)  # named per deployment (its warehouse)
    at = app(login=None).run()
    at.text_input(key="login_name").input("xc")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert XINCHENG in at.title[0].value
    token = at.session_state["_auth_token"]
    scripts = [element.proto.body for element in at.get("html")]
    assert any(f"{name}={token}" in body for body in scripts)  # the cookie goes to the browser
    engine = make_engine(people, create=True)
    with engine.connect() as conn:
        row = conn.execute(sa.select(web_sessions)).mappings().one()
    assert row["login"] == "xc" and row["ended_at"] is None and token not in row["token_hash"]
    at.run()
    assert not any(f"{name}=" in element.proto.body for element in at.get("html"))  # sent until delivered
    at.sidebar.button(key="auth_logout").click().run()
    with engine.connect() as conn:
        assert conn.execute(sa.select(web_sessions.c.ended_at)).scalar_one() is not None
    engine.dispose()
    assert any(f"{name}=;" in element.proto.body for element in at.get("html"))  # and is removed


def test_login_works_on_a_warehouse_without_browser_sessions(people):
    engine = make_engine(people, create=True)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE web_sessions"))
    engine.dispose()
    at = app(login=None).run()
    at.text_input(key="login_name").input("xc")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert XINCHENG in at.title[0].value and "_auth_token" not in at.session_state


def test_repeated_failures_are_throttled(people):
    at = app(login=None).run()
    for _ in range(5):
        at.text_input(key="login_name").input("xc")
        at.text_input(key="login_password").input("wrong-password-1")
        at.button[0].click().run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.title[0].value == "登录" and "已暂时锁定" in at.error[0].value


def test_idle_session_times_out(people, monkeypatch):
    from ui import auth

    at = app("xc")
    at.session_state[auth.LAST_SEEN] = 0.0  # last seen in 1970
    at.run()
    assert at.title[0].value == "登录" and "未操作, 已自动退出登录" in all_text(at)
    assert events(people)[-1] == ("timeout", "xc")


def test_disabled_account_loses_its_session(people):
    from data_access.accounts import disable_user

    at = app("xc").run()
    assert XINCHENG in at.title[0].value
    engine = make_engine(people, create=True)
    disable_user(engine, "xc")
    engine.dispose()
    at.run()
    assert at.title[0].value == "登录" and "已停用" in all_text(at)


# role x region x page: what each user may and may not see anywhere on each page.
SEES = {
    "xc": ({XINCHENG}, {BEILIN, KONGTONG, PINGLIANG, "五高", "崆峒一小"}),
    "xa": ({XIAN}, {KONGTONG, PINGLIANG, "崆峒一小"}),
    "pl": ({PINGLIANG}, {XIAN, XINCHENG, BEILIN, SHAANXI, "二小", "五高"}),
}


@pytest.mark.parametrize("login", SEES)
@pytest.mark.parametrize("page", PAGES)
def test_role_region_page_matrix(people, login, page):
    at = open_page(page, login=login)
    assert not at.exception, at.exception
    text = all_text(at)
    shown, hidden = SEES[login]
    if page == "pages/import.py" and login != "xc":  # viewers: not in their navigation; a typed URL says why
        assert "上报导入须以填报员或管理员账号登录" in text and not at.get("file_uploader")
    for name in hidden:
        assert name not in text, (login, page, name)
    if page in ("pages/overview.py", "pages/map.py"):
        assert all(name in text for name in shown), (login, page)


def test_county_reporter_is_pinned_to_their_county(people):
    at = open_page("pages/map.py", login="xc")
    assert at.sidebar.radio(key="w_scope").options == [SHAANXI]
    assert at.sidebar.selectbox(key="w_city").options == [XIAN]
    assert at.sidebar.selectbox(key="w_county").options == [XINCHENG]


def test_city_viewer_sees_their_city_and_its_counties(people):
    at = open_page("pages/map.py", login="xa")
    assert at.sidebar.selectbox(key="w_city").options == [XIAN]
    assert at.sidebar.selectbox(key="w_county").options == ["全部", XINCHENG, BEILIN]


@pytest.mark.parametrize(("login", "params", "hidden", "message", "lands_on"), [
    ("xc", {"scope": "620800", "county": "620802"}, {KONGTONG, PINGLIANG, "崆峒一小"}, True,
     ("610000", "610100", "610102")),
    ("xc", {"scope": "610000", "city": "610100", "county": "610103"}, {BEILIN, "五高"}, True,
     ("610000", "610100", "610102")),
    ("pl", {"scope": "610000", "city": "610100"}, {XIAN, XINCHENG, SHAANXI}, True, ("620800", "", "")),
    # An empty city means "the whole province", which a city viewer is simply not offered: no message needed.
    ("xa", {"scope": "610000", "city": ""}, {KONGTONG}, False, ("610000", "610100", "")),
])
def test_url_naming_another_region_shows_a_message_and_the_own_region(people, login, params, hidden, message,
                                                                      lands_on):
    at = open_page("pages/map.py", login=login, **params)
    assert not at.exception, at.exception
    text = all_text(at)
    assert (OUTSIDE_SCOPE in text) is message
    for name in hidden:
        assert name not in text, (login, params, name)
    assert (at.session_state["scope"], at.session_state["city"], at.session_state["county"]) == lands_on


def test_cache_crossing_another_scope_gets_none_of_the_first_users_data(people):
    """A 碑林区 reporter views their county's map; a 新城区 reporter then asks for the same URL in a fresh
    session: the cached entries of the first are keyed by their scope and never served."""
    url = {"scope": "610000", "city": "610100", "county": "610103"}
    first = open_page("pages/map.py", login="bl", **url)
    assert "五高" in all_text(first) and not first.exception
    second = open_page("pages/map.py", login="xc", **url)
    text = all_text(second)
    assert "五高" not in text and BEILIN not in text and OUTSIDE_SCOPE in text
    assert "二小" in text  # their own county's schools instead


def test_demo_warehouse_stays_open_read_only_without_login(app_env):
    engine = make_engine(app_env)
    with engine.begin() as conn:
        conn.execute(sa.update(warehouse_meta).where(warehouse_meta.c.key == "is_demo").values(value="1"))
    engine.dispose()
    at = open_page("pages/map.py", login=None)
    assert not at.exception, at.exception
    assert "演示数据, 未登录只读浏览" in all_text(at) and XIAN in all_text(at)
    at = open_page("pages/import.py", login=None)
    assert "上报导入须以填报员或管理员账号登录" in all_text(at) and not at.get("file_uploader")  # always a login
