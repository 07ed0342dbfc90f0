"""Browser sessions across reloads, both engines: only a hash stored, idle timeout, lifetime, logout,
password change and disabled accounts end them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from data_access import accounts, web_sessions
from data_access.schema import web_sessions as table
from tests.data_access import fixture_warehouse

T0 = datetime(2026, 11, 27, 8, 0, 0)
IDLE = timedelta(minutes=30)


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    accounts.add_user(engine, "ktq", role="reporter", region="620802", password="Kongtong-2025")
    return engine


def test_a_token_finds_its_user_and_only_its_hash_is_stored(warehouse):
    token = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    assert len(token) >= 40
    with warehouse.connect() as conn:
        stored = conn.execute(sa.select(table.c.token_hash, table.c.login)).one()
    assert stored.login == "ktq" and token not in stored.token_hash and len(stored.token_hash) == 64
    user, method = web_sessions.resume_session(warehouse, token, IDLE, now=T0 + timedelta(minutes=29))
    assert (user.login, user.role, user.region, method) == ("ktq", "reporter", "620802", "password")
    assert web_sessions.open_session(warehouse, "ktq", "password", now=T0) != token  # random, not derived


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 5000])
def test_unknown_or_oversized_tokens_find_nobody(warehouse, token):
    web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    assert web_sessions.resume_session(warehouse, token, IDLE, now=T0) is None


def test_idle_time_counts_from_the_last_activity_and_ends_the_session(warehouse):
    token = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    web_sessions.touch_session(warehouse, token, now=T0 + timedelta(minutes=25))
    assert web_sessions.resume_session(warehouse, token, IDLE, now=T0 + timedelta(minutes=50)) is not None
    assert web_sessions.resume_session(warehouse, token, IDLE, now=T0 + timedelta(minutes=81)) is None
    # Ended: coming back within the idle time of the last activity does not revive it.
    assert web_sessions.resume_session(warehouse, token, IDLE, now=T0 + timedelta(minutes=51)) is None


def test_touch_writes_at_most_once_a_minute(warehouse):
    token = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    web_sessions.touch_session(warehouse, token, now=T0 + timedelta(seconds=30))
    with warehouse.connect() as conn:
        assert conn.execute(sa.select(table.c.last_seen_at)).scalar_one() == T0
    web_sessions.touch_session(warehouse, token, now=T0 + timedelta(seconds=90))
    with warehouse.connect() as conn:
        assert conn.execute(sa.select(table.c.last_seen_at)).scalar_one() == T0 + timedelta(seconds=90)


def test_a_session_never_outlives_its_maximum_lifetime(warehouse):
    token = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    moment = T0
    while moment < T0 + web_sessions.MAX_LIFETIME - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert web_sessions.resume_session(warehouse, token, IDLE, now=moment) is not None
    assert web_sessions.resume_session(warehouse, token, IDLE, now=T0 + web_sessions.MAX_LIFETIME
                                       + timedelta(minutes=1)) is None


def test_logout_password_change_and_disabling_end_sessions(warehouse):
    first = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    web_sessions.end_session(warehouse, first, now=T0)
    assert web_sessions.resume_session(warehouse, first, IDLE, now=T0) is None

    second = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    accounts.set_password(warehouse, "ktq", "Another-Pass-2026")
    assert web_sessions.resume_session(warehouse, second, IDLE, now=T0) is None

    third = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    accounts.disable_user(warehouse, "ktq")
    assert web_sessions.resume_session(warehouse, third, IDLE, now=T0) is None
    assert web_sessions.end_sessions_of(warehouse, "ktq") == 0  # nothing left open


def test_accounts_work_on_a_warehouse_from_before_browser_sessions(warehouse):
    """Migration 0004 not yet applied: a new password and disabling still work (there is nothing to end)."""
    with warehouse.begin() as conn:
        conn.execute(sa.text("DROP TABLE web_sessions"))
    accounts.set_password(warehouse, "ktq", "Another-Pass-2026")
    accounts.disable_user(warehouse, "ktq")
    assert accounts.active_user(warehouse, "ktq") is None


def test_every_run_sees_a_session_ended_anywhere(warehouse):
    """current_user is each run's check: the live sessions of another tab, browser or process holding a token
    end at their next click when that token, or every token of the login, is ended elsewhere."""
    accounts.add_user(warehouse, "other", role="viewer", region="620802", password="Kongtong-2025")
    mine, tab, bystander = (web_sessions.open_session(warehouse, login, "password", now=T0)
                            for login in ("ktq", "ktq", "other"))
    assert web_sessions.current_user(warehouse, "ktq", mine, now=T0).login == "ktq"
    assert web_sessions.current_user(warehouse, "ktq", tab, now=T0).login == "ktq"

    web_sessions.end_session(warehouse, mine)  # logout in one browser: a second one that resumed it
    assert web_sessions.current_user(warehouse, "ktq", mine, now=T0) is None
    assert web_sessions.current_user(warehouse, "ktq", tab, now=T0) is not None  # its own sign-in goes on

    accounts.change_own_password(warehouse, "ktq", "Kongtong-2025", "Changed-pass-26", "Changed-pass-26")
    assert web_sessions.current_user(warehouse, "ktq", tab, now=T0) is None  # the other tab is signed out

    again = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    assert accounts.sign_out_everywhere(warehouse, "ktq", by="boss") == 1
    assert web_sessions.current_user(warehouse, "ktq", again, now=T0) is None
    assert web_sessions.current_user(warehouse, "other", bystander, now=T0).login == "other"  # untouched

    # A token is only good for its own login, and a session row does not outlive MAX_LIFETIME.
    assert web_sessions.current_user(warehouse, "ktq", bystander, now=T0) is None
    late = T0 + web_sessions.MAX_LIFETIME + timedelta(minutes=1)
    assert web_sessions.current_user(warehouse, "other", bystander, now=late) is None
    assert web_sessions.current_user(warehouse, "other", bystander, now=T0) is None  # ended for good


def test_a_disabled_account_or_a_run_without_token_is_judged_by_the_user_row(warehouse):
    token = web_sessions.open_session(warehouse, "ktq", "password", now=T0)
    assert web_sessions.current_user(warehouse, "ktq", None, now=T0).login == "ktq"
    accounts.disable_user(warehouse, "ktq")
    assert web_sessions.current_user(warehouse, "ktq", token, now=T0) is None
    assert web_sessions.current_user(warehouse, "ktq", None, now=T0) is None
