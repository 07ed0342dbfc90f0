"""Browser sessions that outlive a page reload: a random token in a cookie, its SHA-256 in the warehouse.

A Streamlit session lives as long as one websocket; a reload opens a new one. The dashboard therefore gives a
signed-in browser a random token (ui/session_cookie.py) and finds the user again from it. The rules of a
session stay the server's: idle timeout, a fixed maximum lifetime, an active account, and an end on logout,
on a password change or when the account is disabled. Nothing here knows about Streamlit.

Every signed-in Streamlit session holds a session row (a single sign-on one too, without a cookie), and each
run checks it with `current_user`: one primary-key query that also re-reads the user row, so a logout in
another browser, a password change or "sign out everywhere" on any process ends this session at its next
click (scripts/benchmark_connections.py measures it against reading the user row alone).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from data_access.accounts import User, active_user, user_from_row
from data_access.schema import users, web_sessions

MAX_LIFETIME = timedelta(hours=12)  # a working day: then sign in again, however active
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often (not on every click)
MAX_TOKEN = 128  # a cookie value longer than this is not one of ours


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(engine: sa.Engine, login: str, method: str, *, now: datetime | None = None) -> str:
    """A new session for `login`; returns the token for the cookie (only its hash is stored)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(sa.insert(web_sessions).values(token_hash=_hash(token), login=login, method=method,
                                                    created_at=now, last_seen_at=now, ended_at=None))
    return token


def resume_session(engine: sa.Engine, token: str | None, idle: timedelta, *,
                   now: datetime | None = None) -> tuple[User, str] | None:
    """The active user and sign-in method behind a cookie's token, or None (and the session ended) when the
    token is unknown, ended, idle for longer than `idle`, older than MAX_LIFETIME or its account disabled."""
    if not token or len(token) > MAX_TOKEN:
        return None
    now = now or _now()
    key = _hash(token)
    with engine.connect() as conn:
        row = conn.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == key,
                                                         web_sessions.c.ended_at.is_(None))).mappings().first()
    if row is None:
        return None
    user = active_user(engine, row["login"])
    if user is None or now - row["last_seen_at"] > idle or now - row["created_at"] > MAX_LIFETIME:
        end_session(engine, token, now=now)
        return None
    touch_session(engine, token, now=now)
    return user, row["method"]


def current_user(engine: sa.Engine, login: str, token: str | None, *,
                 now: datetime | None = None) -> User | None:
    """This run's check: the active user `login`, or None when the account is gone or disabled, or when the
    session `token` was ended anywhere (logout, new password, sign out everywhere) or outlived MAX_LIFETIME.

    One query: the user row joined to its session row by primary key. Without a token (a warehouse before
    migration 0004) only the user row is checked.
    """
    now = now or _now()
    if token is None:
        return active_user(engine, login)
    query = (sa.select(users, web_sessions.c.ended_at.label("session_ended_at"),
                       web_sessions.c.created_at.label("session_created_at"))
             .select_from(users.outerjoin(web_sessions, sa.and_(web_sessions.c.token_hash == _hash(token),
                                                                web_sessions.c.login == users.c.login)))
             .where(users.c.login == login))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or not row["active"] or row["session_created_at"] is None or row["session_ended_at"] is not None:
        return None
    if now - row["session_created_at"] > MAX_LIFETIME:
        end_session(engine, token, now=now)
        return None
    return user_from_row(row)


def touch_session(engine: sa.Engine, token: str, *, now: datetime | None = None) -> None:
    """Note activity (for the idle timeout across reloads), at most once per TOUCH_EVERY."""
    now = now or _now()
    with engine.begin() as conn:
        conn.execute(sa.update(web_sessions).where(
            web_sessions.c.token_hash == _hash(token), web_sessions.c.ended_at.is_(None),
            web_sessions.c.last_seen_at < now - TOUCH_EVERY).values(last_seen_at=now))


def end_session(engine: sa.Engine, token: str, *, now: datetime | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(web_sessions).where(web_sessions.c.token_hash == _hash(token),
                                                   web_sessions.c.ended_at.is_(None)).values(ended_at=now or _now()))


def end_sessions_of(engine: sa.Engine, login: str, *, now: datetime | None = None) -> int:
    """End every open session of a login (password changed, account disabled); how many were open."""
    with engine.begin() as conn:
        return conn.execute(sa.update(web_sessions).where(
            web_sessions.c.login == login, web_sessions.c.ended_at.is_(None)).values(ended_at=now or _now())).rowcount
