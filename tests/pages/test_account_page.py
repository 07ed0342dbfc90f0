"""账号 page under AppTest: own password change, the forced change after an initial or reset password, an
administrator's lockout list, unlock and sign out everywhere, and a session ended elsewhere."""

from __future__ import annotations

import pytest

from data_access import accounts, web_sessions
from data_access.accounts import add_user
from data_access.engine import make_engine
from tests.pages.test_pages import app

INITIAL = "Initial-pass-2026"
MINE = "My-own-pass-2026"


@pytest.fixture
def engine(app_env):
    engine = make_engine(app_env)
    add_user(engine, "ktq", role="reporter", region="620802", password=INITIAL, display_name="崆峒区填报员",
             must_change_password=True)
    add_user(engine, "pl.admin", role="admin", region="620800", password=INITIAL, display_name="平凉管理员")
    yield engine
    engine.dispose()


def change(at, old: str, new: str, again: str | None = None):
    at.text_input(key="old_password").input(old)
    at.text_input(key="new_password").input(new)
    at.text_input(key="new_password_again").input(new if again is None else again)
    return at.button(key="FormSubmitter:password_form-" + "保存新密码").click().run()


def test_an_initial_password_allows_nothing_but_choosing_ones_own(engine):
    at = app("ktq").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "账号" and "请先设置自己的新密码" in at.warning[0].value
    # Every address answers with the account page until the password is changed.
    assert {page["script_path"].rsplit("/", 1)[-1] for page in at._registered_pages.values()} == {"account.py"}
    at = change(at, INITIAL, MINE, "Different-2026")
    assert "两次输入的新密码不一致" in at.error[0].value and at.warning  # still forced
    at = change(at, "Wrong-old-2026", MINE)
    assert "原密码不正确" in at.error[0].value
    at = change(at, INITIAL, "short1A")
    assert "密码太短" in at.error[0].value
    at = change(at, INITIAL, MINE)
    assert not at.exception, at.exception
    assert "密码已修改" in at.toast[0].value and not at.warning
    scripts = {page["script_path"].rsplit("/", 1)[-1] for page in at._registered_pages.values()}
    assert {"overview.py", "map.py", "account.py"} <= scripts
    assert accounts.verify_login(engine, "ktq", MINE).status == "ok"
    assert accounts.get_user(engine, "ktq").must_change_password is False


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(engine):
    accounts.change_own_password(engine, "ktq", INITIAL, MINE, MINE)
    other_tab = web_sessions.open_session(engine, "ktq", "password")
    at = app("ktq")
    at.session_state["_auth_token"] = web_sessions.open_session(engine, "ktq", "password")
    at = at.switch_page("pages/account.py").run()
    at = change(at, MINE, "Newer-pass-2027")
    assert "密码已修改" in at.success[0].value
    new_token = at.session_state["_auth_token"]
    assert web_sessions.current_user(engine, "ktq", new_token).login == "ktq"
    assert web_sessions.current_user(engine, "ktq", other_tab) is None
    assert any(f"={new_token};" in element.proto.body for element in at.get("html"))
    at.run()
    assert at.title[0].value == "账号" and not at.error


def test_a_session_ended_elsewhere_ends_at_the_next_run(engine):
    accounts.change_own_password(engine, "ktq", INITIAL, MINE, MINE)
    token = web_sessions.open_session(engine, "ktq", "password")
    at = app("ktq")
    at.session_state["_auth_token"] = token
    at.run()
    assert at.title[0].value != "登录"
    web_sessions.end_session(engine, token)  # a logout in the other browser that resumed this session
    at.run()
    assert at.title[0].value == "登录" and "您的登录已在别处结束" in at.warning[0].value


def test_an_administrator_sees_lockouts_unlocks_and_signs_out_everywhere(engine):
    for _ in range(accounts.MAX_FAILURES):
        accounts.verify_login(engine, "ktq", "Wrong-pass-2026", source="203.0.113.7")
    accounts.verify_login(engine, "nobody", "Wrong-pass-2026", source="203.0.113.7")
    token = web_sessions.open_session(engine, "ktq", "password")
    at = app("pl.admin").switch_page("pages/account.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["账号"]) == {"ktq"}  # an unknown login is not an account of 平凉市
    assert "锁定" in set(table["事件"]) and set(table["来源地址"]) == {"203.0.113.7"}
    at.selectbox(key="admin_user").select("ktq").run()
    at.button(key="admin_unlock").click().run()
    assert "已解除 ktq 的登录锁定" in at.success[0].value
    assert accounts.verify_login(engine, "ktq", INITIAL, source="203.0.113.7").status == "ok"
    at.button(key="admin_sign_out").click().run()
    assert "ktq 的 1 个登录已结束" in at.success[0].value
    assert web_sessions.current_user(engine, "ktq", token) is None


def test_a_reporter_sees_no_administration(engine):
    accounts.change_own_password(engine, "ktq", INITIAL, MINE, MINE)
    at = app("ktq").switch_page("pages/account.py").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["修改密码"] and not at.dataframe and not at.selectbox
