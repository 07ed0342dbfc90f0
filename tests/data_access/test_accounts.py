"""Accounts on both engines: argon2id hashes, password rules, sign-in checks, throttling, disabling, single
sign-on matching and the sign-in log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from data_access import accounts
from data_access.accounts import AccountError, add_user, verify_login
from data_access.schema import auth_events, users
from tests.data_access import fixture_warehouse

PASSWORD = "Kongtong-2025"
T0 = datetime(2026, 11, 27, 8, 0, 0)


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def events(engine, login: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            sa.select(auth_events.c.event, auth_events.c.method).where(auth_events.c.login == login)
            .order_by(auth_events.c.occurred_at))]


def test_password_is_stored_as_argon2id_and_verifies(warehouse):
    user = add_user(warehouse, "ktq", role="reporter", region="620802", password=PASSWORD, display_name="崆峒区填报员")
    assert (user.role, user.region, user.display_name, user.active) == ("reporter", "620802", "崆峒区填报员", True)
    with warehouse.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    result = verify_login(warehouse, "ktq", PASSWORD, now=T0)
    assert result.status == "ok" and result.user.login == "ktq"
    assert accounts.get_user(warehouse, "ktq").last_login_at == T0
    assert events(warehouse, "ktq") == [("login_ok", "password")]


@pytest.mark.parametrize(("password", "message"), [
    ("", "密码不能为空"),
    ("Ab1-short", "密码太短"),  # 9 characters
    ("abcdefghijkl", "混合至少两类字符"),  # lower case only
    ("123456789012", "混合至少两类字符"),
    ("KTQ.reporter", "不能与账号名相同"),
])
def test_weak_passwords_are_refused_in_chinese(warehouse, password, message):
    with pytest.raises(AccountError, match=message):
        add_user(warehouse, "ktq.reporter", role="reporter", region="620802", password=password)
    assert accounts.list_users(warehouse) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "boss", "region": "620802"}, "未知的角色「boss」"),
    ({"role": "viewer", "region": "999999"}, "行政区划代码「999999」不在数据仓库中"),
    ({"role": "viewer", "region": "620802", "display_name": "名" * 65}, "显示名太长"),
])
def test_bad_account_requests_are_refused(warehouse, kwargs, message):
    with pytest.raises(AccountError, match=message):
        add_user(warehouse, "someone", password=PASSWORD, **kwargs)


def test_existing_login_and_bad_login_names_are_refused(warehouse):
    add_user(warehouse, "ktq", role="viewer", region="620802", password=PASSWORD)
    with pytest.raises(AccountError, match="账号「ktq」已存在"):
        add_user(warehouse, "ktq", role="admin", region="610000", password=PASSWORD)
    with pytest.raises(AccountError, match="账号名「<b>x</b>」无效"):
        add_user(warehouse, "<b>x</b>", role="viewer", region="620802", password=PASSWORD)
    with pytest.raises(AccountError, match="账号名"):
        add_user(warehouse, "a" * 65, role="viewer", region="620802", password=PASSWORD)


def test_wrong_unknown_and_disabled_sign_ins_fail_alike_and_are_logged(warehouse):
    add_user(warehouse, "ktq", role="viewer", region="620802", password=PASSWORD)
    wrong = verify_login(warehouse, "ktq", "Wrong-password-1", now=T0)
    unknown = verify_login(warehouse, "nobody", PASSWORD, now=T0)
    assert wrong.status == unknown.status == "failed" and wrong.message == unknown.message
    accounts.disable_user(warehouse, "ktq")
    disabled = verify_login(warehouse, "ktq", PASSWORD, now=T0 + timedelta(seconds=1))
    assert disabled.status == "failed" and disabled.user is None
    assert sorted(events(warehouse, "ktq")) == [("disabled", "cli"), ("login_failed", "password"),
                                                ("login_failed", "password")]
    assert events(warehouse, "nobody") == [("login_failed", "password")]
    with pytest.raises(AccountError, match="没有账号「nobody」"):
        accounts.disable_user(warehouse, "nobody")


def test_five_failures_in_fifteen_minutes_lock_the_login(warehouse):
    add_user(warehouse, "ktq", role="viewer", region="620802", password=PASSWORD)
    for minute in range(5):  # failures at 0..4 minutes
        assert verify_login(warehouse, "ktq", "Wrong-password-1", now=T0 + timedelta(minutes=minute)).status \
            == "failed"
    # The right password at minute 10 is refused: 5 failures inside the last 15 minutes.
    locked = verify_login(warehouse, "ktq", PASSWORD, now=T0 + timedelta(minutes=10))
    assert locked.status == "throttled" and "已暂时锁定" in locked.message
    # At minute 16 the failures at 0 and 1 have aged out (3 left): the right password works again.
    assert verify_login(warehouse, "ktq", PASSWORD, now=T0 + timedelta(minutes=16)).status == "ok"
    logged = [event for event, _ in events(warehouse, "ktq")]
    # The fifth failure and the lock it starts share a timestamp: their order is not defined.
    assert sorted(logged[:6]) == ["locked"] + ["login_failed"] * 5 and logged[6:] == ["throttled", "login_ok"]
    # Another login is not affected by ktq's failures.
    add_user(warehouse, "other", role="viewer", region="620802", password=PASSWORD)
    assert verify_login(warehouse, "other", PASSWORD, now=T0 + timedelta(minutes=10)).status == "ok"


def test_a_successful_sign_in_resets_the_count(warehouse):
    add_user(warehouse, "ktq", role="viewer", region="620802", password=PASSWORD)
    for minute in range(4):
        verify_login(warehouse, "ktq", "Wrong-password-1", now=T0 + timedelta(minutes=minute))
    assert verify_login(warehouse, "ktq", PASSWORD, now=T0 + timedelta(minutes=5)).status == "ok"
    # 4 earlier failures no longer count after the success: one more failure does not lock.
    verify_login(warehouse, "ktq", "Wrong-password-1", now=T0 + timedelta(minutes=6))
    assert verify_login(warehouse, "ktq", PASSWORD, now=T0 + timedelta(minutes=7)).status == "ok"


def test_set_password_replaces_the_old_one(warehouse):
    add_user(warehouse, "ktq", role="viewer", region="620802", password=PASSWORD)
    with pytest.raises(AccountError, match="密码太短"):
        accounts.set_password(warehouse, "ktq", "short1A")
    accounts.set_password(warehouse, "ktq", "New-secret-42")
    assert verify_login(warehouse, "ktq", PASSWORD, now=T0).status == "failed"
    assert verify_login(warehouse, "ktq", "New-secret-42", now=T0).status == "ok"


def test_oidc_identity_matches_subject_then_email_only_for_active_unbound_rows(warehouse):
    add_user(warehouse, "bound", role="viewer", region="620802", password=None, oidc_subject="sub-1",
             email="shared@example.org")
    add_user(warehouse, "by.mail", role="reporter", region="620802", password=None, email="Clerk@Example.org")
    assert accounts.match_oidc_identity(warehouse, "sub-1", None).login == "bound"
    assert accounts.match_oidc_identity(warehouse, "sub-9", "clerk@example.org").login == "by.mail"
    # A row bound to a subject is never taken over by an e-mail address.
    assert accounts.match_oidc_identity(warehouse, "sub-9", "shared@example.org") is None
    assert accounts.match_oidc_identity(warehouse, "sub-9", "stranger@example.org") is None
    accounts.disable_user(warehouse, "bound")
    assert accounts.match_oidc_identity(warehouse, "sub-1", None) is None
    with pytest.raises(AccountError, match="没有密码的账号须给出"):
        add_user(warehouse, "nothing", role="viewer", region="620802", password=None)


def test_national_scope_is_accepted_as_all_regions(warehouse):
    user = add_user(warehouse, "root", role="admin", region="000000", password=PASSWORD)
    assert user.region == "000000" and accounts.region_name(warehouse, "000000") == "全部地区"
    assert accounts.region_name(warehouse, "620802") == "崆峒区"
