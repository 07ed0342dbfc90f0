"""Sign-in throttling that protects without locking out, both engines: per login and address, per address, per
login from anywhere; every lock ends within its window (an administrator's too); unlock and an administrator's
new password clear it; locks are in the audit log and listed for the administrators of the account's region."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from data_access import accounts
from data_access.accounts import (
    FAILURE_WINDOW,
    MAX_ADDRESS_FAILURES,
    MAX_FAILURES,
    MAX_LOGIN_FAILURES,
    AccountError,
    add_user,
    verify_login,
)
from data_access.regions import ALL_REGIONS
from data_access.schema import auth_events, users
from tests.data_access import fixture_warehouse

PASSWORD = "Kongtong-2025"
WRONG = "Wrong-password-1"
T0 = datetime(2026, 12, 3, 8, 0, 0)
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def utc_now() -> datetime:
    """The clock the account functions stamp events with (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def warehouse(engine, monkeypatch):
    # Cheap argon2 parameters: these tests verify hundreds of passwords; the rules, not the hash, are tested.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("unknown login"))
    fixture_warehouse.populate(engine)
    add_user(engine, "ktq", role="reporter", region="620802", password=PASSWORD)
    add_user(engine, "boss", role="admin", region="620800", password=PASSWORD)
    add_user(engine, "xc", role="reporter", region="610102", password=PASSWORD)
    return engine


def fail(engine, login: str, source: str | None, times: int, start: datetime, step=timedelta(seconds=1)) -> None:
    for index in range(times):
        assert verify_login(engine, login, WRONG, source=source, now=start + index * step).status == "failed"


def logged(engine, event: str) -> list[tuple[str | None, str | None, str | None]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            sa.select(auth_events.c.login, auth_events.c.source, auth_events.c.detail)
            .where(auth_events.c.event == event).order_by(auth_events.c.occurred_at))]


def test_failures_from_one_address_lock_that_login_there_only(warehouse):
    fail(warehouse, "ktq", ATTACKER, MAX_FAILURES, T0)
    at = T0 + timedelta(minutes=1)
    refused = verify_login(warehouse, "ktq", PASSWORD, source=ATTACKER, now=at)
    assert refused.status == "throttled" and "该账号连续登录失败次数过多" in refused.message
    assert "约 14 分钟" in refused.message  # locked until the first failure ages out: 08:15:00
    # The owner at the office signs in; another account from the attacker's address is not locked either.
    assert verify_login(warehouse, "ktq", PASSWORD, source=OFFICE, now=at).status == "ok"
    assert verify_login(warehouse, "xc", PASSWORD, source=ATTACKER, now=at).status == "ok"
    assert logged(warehouse, "locked") == [("ktq", ATTACKER, "login+address until 2026-12-03 08:15:00 UTC")]
    assert logged(warehouse, "throttled") == [("ktq", ATTACKER, "login+address")]


def test_one_address_spraying_many_logins_is_locked_as_an_address(warehouse):
    for index in range(MAX_ADDRESS_FAILURES):  # one failure each for 20 different (mostly unknown) logins
        fail(warehouse, f"guess{index}", ATTACKER, 1, T0 + timedelta(seconds=index))
    at = T0 + timedelta(minutes=2)
    refused = verify_login(warehouse, "ktq", PASSWORD, source=ATTACKER, now=at)
    assert refused.status == "throttled" and "从此网络地址登录失败的次数过多" in refused.message
    assert verify_login(warehouse, "ktq", PASSWORD, source=OFFICE, now=at).status == "ok"
    assert [(login, detail.split()[0]) for login, _, detail in logged(warehouse, "locked")] == [
        ("guess19", "address")]
    # An explicit unlock lets this login through the address lock; others stay locked there.
    accounts.unlock(warehouse, "ktq")
    now = utc_now()  # unlock stamps the real clock; the window is judged from it
    assert verify_login(warehouse, "ktq", PASSWORD, source=ATTACKER, now=now).status == "ok"


def test_guessing_one_login_from_many_addresses_locks_the_login(warehouse):
    for index in range(MAX_LOGIN_FAILURES):
        fail(warehouse, "ktq", f"192.0.2.{index + 1}", 1, T0 + timedelta(seconds=index))
    refused = verify_login(warehouse, "ktq", PASSWORD, source=OFFICE, now=T0 + timedelta(minutes=3))
    assert refused.status == "throttled" and refused.lock.scope == "login"
    assert verify_login(warehouse, "ktq", PASSWORD, source=OFFICE, now=T0 + FAILURE_WINDOW + timedelta(minutes=1)) \
        .status == "ok"


def test_an_administrator_is_never_locked_longer_than_the_window(warehouse):
    fail(warehouse, "boss", ATTACKER, MAX_FAILURES, T0)
    # The attacker keeps trying every minute: refused attempts are not checked and do not extend the lock.
    for minute in range(1, 15):
        result = verify_login(warehouse, "boss", WRONG, source=ATTACKER, now=T0 + timedelta(minutes=minute))
        assert result.status == "throttled" and result.lock.until == T0 + FAILURE_WINDOW
    assert verify_login(warehouse, "boss", PASSWORD, source=ATTACKER, now=T0 + FAILURE_WINDOW).status == "ok"
    assert len(logged(warehouse, "locked")) == 1
    # Guessing from many addresses at once locks a reporter for everyone, never an administrator.
    for index in range(MAX_LOGIN_FAILURES):
        fail(warehouse, "boss", f"192.0.2.{index + 1}", 1, T0 + timedelta(minutes=20, seconds=index))
    assert verify_login(warehouse, "boss", PASSWORD, source=OFFICE, now=T0 + timedelta(minutes=22)).status == "ok"


def test_unlock_clears_a_lock_and_is_logged(warehouse):
    fail(warehouse, "ktq", None, MAX_FAILURES, utc_now() - timedelta(minutes=1))
    assert verify_login(warehouse, "ktq", PASSWORD).status == "throttled"
    assert accounts.unlock(warehouse, "ktq", by="boss") is True
    assert verify_login(warehouse, "ktq", PASSWORD).status == "ok"
    assert accounts.unlock(warehouse, "ktq") is False  # nothing left to clear
    assert logged(warehouse, "unlocked")[0] == ("ktq", None, "by boss")
    with pytest.raises(AccountError, match="没有账号「nobody」"):
        accounts.unlock(warehouse, "nobody")


def test_an_administrators_new_password_clears_the_lock_and_must_be_changed(warehouse):
    fail(warehouse, "ktq", None, MAX_FAILURES, utc_now() - timedelta(minutes=1))
    accounts.set_password(warehouse, "ktq", "Reset-by-admin-7")
    result = verify_login(warehouse, "ktq", "Reset-by-admin-7")
    assert result.status == "ok" and result.user.must_change_password is True
    # The user's own change clears the flag; the old password must be right and the new one twice the same.
    with pytest.raises(AccountError, match="原密码不正确"):
        accounts.change_own_password(warehouse, "ktq", "not-it-123", "Mine-now-2026", "Mine-now-2026")
    with pytest.raises(AccountError, match="两次输入的新密码不一致"):
        accounts.change_own_password(warehouse, "ktq", "Reset-by-admin-7", "Mine-now-2026", "Mine-now-2027")
    with pytest.raises(AccountError, match="密码太短"):
        accounts.change_own_password(warehouse, "ktq", "Reset-by-admin-7", "short1A", "short1A")
    with pytest.raises(AccountError, match="不能与原密码相同"):
        accounts.change_own_password(warehouse, "ktq", "Reset-by-admin-7", "Reset-by-admin-7", "Reset-by-admin-7")
    accounts.change_own_password(warehouse, "ktq", "Reset-by-admin-7", "Mine-now-2026", "Mine-now-2026")
    assert accounts.get_user(warehouse, "ktq").must_change_password is False
    assert verify_login(warehouse, "ktq", "Mine-now-2026").status == "ok"
    # The wrong old password above counted as a failed sign-in (a stolen session cannot guess freely).
    assert [row[2] for row in logged(warehouse, "login_failed")][-1] == "wrong old password"


def test_a_user_without_a_password_cannot_change_one(warehouse):
    add_user(warehouse, "sso", role="viewer", region="620802", password=None, email="sso@example.org")
    with pytest.raises(AccountError, match="统一身份认证"):
        accounts.change_own_password(warehouse, "sso", "", "Mine-now-2026", "Mine-now-2026")


def test_lockouts_are_listed_for_the_administrators_of_the_accounts_region(warehouse):
    now = utc_now()  # the listing looks back from now
    fail(warehouse, "ktq", ATTACKER, MAX_FAILURES, now - timedelta(minutes=5))
    fail(warehouse, "xc", ATTACKER, 1, now - timedelta(minutes=4))
    fail(warehouse, "nobody", ATTACKER, 1, now - timedelta(minutes=3))
    pingliang = accounts.recent_lock_events(warehouse, "620800")
    assert {row["login"] for row in pingliang} == {"ktq"}
    assert sorted({row["event"] for row in pingliang}) == ["locked", "login_failed"]
    assert {row["source"] for row in pingliang} == {ATTACKER}
    assert {row["login"] for row in accounts.recent_lock_events(warehouse, "610100")} == {"xc"}
    # Only an administrator of every region sees attempts on logins that do not exist.
    assert {row["login"] for row in accounts.recent_lock_events(warehouse, ALL_REGIONS)} == {"ktq", "xc", "nobody"}
    assert [user.login for user in accounts.users_in_region(warehouse, "620800")] == ["boss", "ktq"]


def test_initial_passwords_are_random_and_pass_the_policy():
    seen = {accounts.initial_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        accounts.check_password(password, "someone")
        assert not set(password) & set("0O1lI")


def test_add_user_marks_an_initial_password(warehouse):
    user = add_user(warehouse, "new", role="viewer", region="620802", password=PASSWORD, must_change_password=True)
    assert user.must_change_password is True
    with warehouse.connect() as conn:
        assert conn.execute(sa.select(users.c.must_change_password).where(users.c.login == "ktq")).scalar() \
            in (None, False)
