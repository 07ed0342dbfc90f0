"""User accounts stored in the warehouse: argon2id password hashes, sign-in checks, throttling, the sign-in log.

Throttling counts failed sign-ins in a sliding window three ways, so that nobody can lock someone else out
from their own address: one login from one address (MAX_FAILURES), one address over any logins
(MAX_ADDRESS_FAILURES, password spraying) and one login from any address (MAX_LOGIN_FAILURES, guessing spread
over many addresses; not for administrators, whose locks stay per address). A refused attempt is not
checked and not counted, so every lock ends at most FAILURE_WINDOW after it began. `unlock`, an
administrator's new password and a successful sign-in clear a login's locks.

Every message meant for a person is Chinese. Nothing here knows about Streamlit; the dashboard (ui/auth.py)
and the command line (mhmonitor/user_commands.py) both come through these functions.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from data_access.access import SCHOOL_ROLE
from data_access.meta import bump_revision
from data_access.regions import ALL_REGIONS
from data_access.schema import auth_events, regions, schools, users, web_sessions

ROLES: dict[str, str] = {"viewer": "查看", "reporter": "填报", "reviewer": "审核", "admin": "管理",
                         "school": "学校填报"}
# ALL_REGIONS is not a row of `regions`: it is the national scope, for an administrator of both plans.
ALL_REGIONS_NAME = "全部地区"

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # hashing cost grows with length; nobody types more
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MAX_NAME = 64
MAX_IDENTITY = 255  # OIDC subject, e-mail, event detail

# Throttling: this many failed sign-ins inside the window lock until they age out of it (see the docstring).
MAX_FAILURES = 5  # one login from one address
MAX_ADDRESS_FAILURES = 20  # one address, whichever logins it tries
MAX_LOGIN_FAILURES = 50  # one login, from however many addresses
FAILURE_WINDOW = timedelta(minutes=15)
MAX_SOURCE = 64  # an IPv6 address with zone fits
# Events after which a login's earlier failures no longer count.
_CLEARS_LOGIN = ("login_ok", "unlocked", "password_set", "password_changed")
# Events after which the address lock no longer stands in this login's way (an explicit decision).
_CLEARS_ADDRESS = ("unlocked", "password_set")
LOCK_EVENTS = ("locked", "throttled", "login_failed", "unlocked")  # what an administrator's account page lists

_HASHER = PasswordHasher()  # argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile)
# Verified against when the login is unknown, so an unknown login costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("unknown login, never matches")


class AccountError(ValueError):
    """A bad account request (weak password, unknown region, existing login...); message in Chinese."""


@dataclass(frozen=True)
class User:
    login: str
    display_name: str
    role: str
    region: str
    active: bool
    email: str | None
    oidc_subject: str | None
    created_at: datetime
    last_login_at: datetime | None
    has_password: bool
    must_change_password: bool = False


@dataclass(frozen=True)
class Lock:
    scope: str  # login+address / address / login
    until: datetime  # UTC: when the oldest failure that keeps it locked ages out of the window

    def minutes_left(self, now: datetime) -> int:
        return max(1, -int(-(self.until - now).total_seconds() // 60))


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok / failed / throttled
    user: User | None = None
    lock: Lock | None = None
    now: datetime | None = None

    @property
    def message(self) -> str:
        if self.status == "ok":
            return ""
        if self.status == "throttled":
            minutes = self.lock.minutes_left(self.now) if self.lock and self.now else \
                int(FAILURE_WINDOW.total_seconds() // 60)
            if self.lock and self.lock.scope == "address":
                return (f"从此网络地址登录失败的次数过多, 已暂时锁定: 请约 {minutes} 分钟后再试, "
                        "或联系管理员。")
            return f"该账号连续登录失败次数过多, 已暂时锁定: 请约 {minutes} 分钟后再试, 或联系管理员解除锁定。"
        return "账号或密码不正确, 或账号已停用。"  # never says which


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def user_from_row(row: sa.RowMapping) -> User:
    return User(login=row["login"], display_name=row["display_name"], role=row["role"],
                region=row["region_adcode"], active=bool(row["active"]), email=row["email"],
                oidc_subject=row["oidc_subject"], created_at=row["created_at"], last_login_at=row["last_login_at"],
                has_password=row["password_hash"] is not None,
                must_change_password=bool(row["must_change_password"]))


def check_login_name(login: str) -> str:
    login = (login or "").strip()
    if not LOGIN_PATTERN.match(login):
        raise AccountError(f"账号名「{login[:MAX_NAME]}」无效: 只能用字母、数字和 . _ @ -, 以字母或数字开头, "
                           f"最长 {MAX_NAME} 个字符")
    return login


def check_password(password: str, login: str) -> None:
    """Refuse empty, short, one-class or login-equal passwords (AccountError, Chinese)."""
    if not password:
        raise AccountError("密码不能为空")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码太短: 至少 {MIN_PASSWORD_LENGTH} 个字符")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密码太长: 最多 {MAX_PASSWORD_LENGTH} 个字符")
    classes = {("lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit() else "other")
               for c in password}
    if len(classes) < 2:
        raise AccountError("密码太弱: 须混合至少两类字符 (小写字母、大写字母、数字、符号)")
    if password.strip().lower() == login.strip().lower():
        raise AccountError("密码不能与账号名相同")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"未知的角色「{str(role)[:MAX_NAME]}」: 可选 {', '.join(ROLES)}")
    return role


def check_region(conn: sa.Connection, region: str, role: str | None = None) -> str:
    """A region the role can hold: an adcode in the warehouse or ALL_REGIONS; for a school's own reporter
    (role school) exactly one school's 学校标识码, and never a region."""
    region = (region or "").strip()
    if role == SCHOOL_ROLE:
        found = conn.execute(sa.select(schools.c.school_id).where(schools.c.school_id == region[:32])).scalar()
        if found is None:
            raise AccountError(f"学校账号的范围须是名录中的学校标识码: 「{region[:32]}」不在学校名录中")
        return region
    if region == ALL_REGIONS:
        return region
    found = conn.execute(sa.select(regions.c.adcode).where(regions.c.adcode == region[:12])).scalar()
    if found is None:
        raise AccountError(f"行政区划代码「{region[:12]}」不在数据仓库中 (全部地区用 {ALL_REGIONS})")
    return region


def _bounded(value: str | None, limit: int, what: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise AccountError(f"{what}太长: 最多 {limit} 个字符")
    return value or None


def check_email(email: str | None) -> str | None:
    email = _bounded(email, MAX_IDENTITY, "电子邮箱")
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise AccountError(f"电子邮箱「{email[:MAX_NAME]}」无效")
    return email


def add_user(engine: sa.Engine, login: str, *, role: str, region: str, password: str | None,
             display_name: str | None = None, email: str | None = None, oidc_subject: str | None = None,
             must_change_password: bool = False) -> User:
    """Create an active user. A user without a password can only sign in through single sign-on.

    `must_change_password`: the password is an initial one (given by an administrator): the user has to
    choose their own at the first sign-in before doing anything else.
    """
    login = check_login_name(login)
    _check_role(role)
    name = _bounded(display_name, MAX_NAME, "显示名") or login
    email = check_email(email)
    oidc_subject = _bounded(oidc_subject, MAX_IDENTITY, "统一身份认证标识")
    if password is None and not (email or oidc_subject):
        raise AccountError("没有密码的账号须给出统一身份认证标识或电子邮箱, 否则无法登录")
    if password is not None:
        check_password(password, login)
    with engine.begin() as conn:
        region = check_region(conn, region, role)
        if conn.execute(sa.select(users.c.login).where(users.c.login == login)).first():
            raise AccountError(f"账号「{login}」已存在")
        insert_user(conn, login=login, display_name=name, role=role, region=region,
                     password_hash=_HASHER.hash(password) if password is not None else None,
                     oidc_subject=oidc_subject, email=email,
                     must_change_password=bool(must_change_password and password is not None))
        bump_revision(conn)
        return user_from_row(conn.execute(sa.select(users).where(users.c.login == login)).mappings().one())


def insert_user(conn: sa.Connection, *, login: str, display_name: str, role: str, region: str,
                 password_hash: str | None, oidc_subject: str | None, email: str | None,
                 must_change_password: bool) -> None:
    conn.execute(sa.insert(users).values(
        login=login, display_name=display_name, role=role, region_adcode=region, active=True,
        password_hash=password_hash, oidc_subject=oidc_subject, email=email, created_at=_now(),
        last_login_at=None, must_change_password=must_change_password))


def hash_password(password: str) -> str:
    """The argon2id hash stored for `password` (bulk account creation hashes before its transaction)."""
    return _HASHER.hash(password)


# No 0/O, 1/l/I: an initial password is read off a printed list and typed by hand.
_INITIAL_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def initial_password(length: int = 14) -> str:
    """A random initial password (about 80 bits) that passes check_password for any login."""
    while True:
        password = "".join(secrets.choice(_INITIAL_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [user_from_row(row) for row in conn.execute(sa.select(users).order_by(users.c.login)).mappings()]


def get_user(engine: sa.Engine, login: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.login == (login or "")[:MAX_NAME])).mappings().first()
    return user_from_row(row) if row else None


def active_user(engine: sa.Engine, login: str) -> User | None:
    """The user row of an active account, else None (unknown or disabled)."""
    user = get_user(engine, login)
    return user if user and user.active else None


def _require_user(conn: sa.Connection, login: str) -> None:
    if not conn.execute(sa.select(users.c.login).where(users.c.login == (login or "")[:MAX_NAME])).first():
        raise AccountError(f"没有账号「{(login or '')[:MAX_NAME]}」")


def disable_user(engine: sa.Engine, login: str) -> None:
    """Deactivate an account: it can no longer sign in, and open sessions end at their next page view."""
    with engine.begin() as conn:
        _require_user(conn, login)
        conn.execute(sa.update(users).where(users.c.login == login).values(active=False))
        _end_web_sessions(conn, login)
        _insert_event(conn, login, "disabled", "cli", None)
        bump_revision(conn)


def set_password(engine: sa.Engine, login: str, password: str, *, must_change: bool = True,
                 method: str = "cli", by: str | None = None) -> None:
    """An administrator sets a password: every session of the login ends, its sign-in locks are cleared,
    and (unless `must_change` is off) the user must choose their own password at the next sign-in."""
    check_password(password, login)
    with engine.begin() as conn:
        _require_user(conn, login)
        conn.execute(sa.update(users).where(users.c.login == login).values(
            password_hash=_HASHER.hash(password), must_change_password=bool(must_change)))
        _end_web_sessions(conn, login)  # a new password signs out every browser that knew the old one
        _insert_event(conn, login, "password_set", method, f"by {by}"[:MAX_IDENTITY] if by else None)
        bump_revision(conn)


def change_own_password(engine: sa.Engine, login: str, old_password: str, new_password: str,
                        confirmation: str, *, source: str | None = None, now: datetime | None = None) -> None:
    """The signed-in user replaces their own password (AccountError, Chinese, when refused).

    The old password is checked like a sign-in (a wrong one counts towards the lock); every session of the
    login ends, the caller opens a new one for the browser that made the change.
    """
    now = now or _now()
    old_password = (old_password or "")[:MAX_PASSWORD_LENGTH]
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.login == login)).mappings().first()
        lock = lock_of(conn, login, source, now)
    if row is None or not row["active"]:
        raise AccountError("账号不存在或已停用")
    if row["password_hash"] is None:
        raise AccountError("该账号通过统一身份认证登录, 没有本地密码: 请在统一身份认证系统中修改密码")
    if lock is not None:
        record_event(engine, login, "throttled", "account", lock.scope, when=now, source=source)
        raise AccountError(LoginResult("throttled", lock=lock, now=now).message)
    if not _matches(row["password_hash"], old_password):
        _record_failure(engine, login, "account", "wrong old password", source, now)
        raise AccountError("原密码不正确")
    if (new_password or "") != (confirmation or ""):
        raise AccountError("两次输入的新密码不一致")
    check_password(new_password, login)
    if new_password == old_password:
        raise AccountError("新密码不能与原密码相同")
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.login == login).values(
            password_hash=_HASHER.hash(new_password), must_change_password=False))
        _end_web_sessions(conn, login, now)
        _insert_event(conn, login, "password_changed", "account", None, now, source)


def unlock(engine: sa.Engine, login: str, *, method: str = "cli", by: str | None = None) -> bool:
    """Clear the login's sign-in locks (its own and its address's); whether one was in force."""
    now = _now()
    with engine.begin() as conn:
        _require_user(conn, login)
        locked = lock_of(conn, login, None, now, any_source=True) is not None
        _insert_event(conn, login, "unlocked", method, f"by {by}"[:MAX_IDENTITY] if by else None, now)
    return locked


def sign_out_everywhere(engine: sa.Engine, login: str, *, method: str = "cli", by: str | None = None) -> int:
    """End every session of the login on every process (each notices at its next click); how many."""
    with engine.begin() as conn:
        _require_user(conn, login)
        ended = _end_web_sessions(conn, login)
        _insert_event(conn, login, "signed_out", method, f"by {by}"[:MAX_IDENTITY] if by else None)
    return ended


def _end_web_sessions(conn: sa.Connection, login: str, now: datetime | None = None) -> int:
    """End the login's browser sessions; a warehouse from before migration 0004 has none to end."""
    present = conn.execute(sa.text("SELECT count(*) FROM information_schema.tables WHERE table_name = :name"),
                           {"name": web_sessions.name}).scalar()
    if not present:
        return 0
    return conn.execute(sa.update(web_sessions).where(
        web_sessions.c.login == login, web_sessions.c.ended_at.is_(None)).values(ended_at=now or _now())).rowcount


def _source(source: str | None) -> str | None:
    return (source or "").strip()[:MAX_SOURCE] or None


def _insert_event(conn: sa.Connection, login: str | None, event: str, method: str | None,
                  detail: str | None, when: datetime | None = None, source: str | None = None) -> None:
    conn.execute(sa.insert(auth_events).values(
        event_id=str(uuid.uuid4()), occurred_at=when or _now(), login=(login or None) and login[:MAX_NAME],
        event=event[:24], method=(method or None) and method[:16], detail=(detail or None) and detail[:MAX_IDENTITY],
        source=_source(source)))


def record_event(engine: sa.Engine, login: str | None, event: str, method: str | None = None,
                 detail: str | None = None, *, when: datetime | None = None, source: str | None = None) -> None:
    """One line of the sign-in log (login_ok, login_failed, locked, throttled, logout, timeout, refused...)."""
    with engine.begin() as conn:
        _insert_event(conn, login, event, method, detail, when, source)


def _last_event(conn: sa.Connection, login: str, events: tuple[str, ...]) -> datetime | None:
    return conn.execute(sa.select(sa.func.max(auth_events.c.occurred_at)).where(
        auth_events.c.login == login, auth_events.c.event.in_(events))).scalar()


def _failure_times(conn: sa.Connection, limit: int, since: datetime, *conditions) -> list[datetime]:
    """The newest `limit` failed sign-ins after `since` matching `conditions`, newest first."""
    return list(conn.execute(sa.select(auth_events.c.occurred_at).where(
        auth_events.c.event == "login_failed", auth_events.c.occurred_at > since, *conditions)
        .order_by(auth_events.c.occurred_at.desc()).limit(limit)).scalars())


def lock_of(conn: sa.Connection, login: str, source: str | None, now: datetime, *,
            any_source: bool = False) -> Lock | None:
    """The lock that refuses `login` from `source` now, or None. `any_source`: a lock of the login from
    any address counts (for `unlock`)."""
    window_start = now - FAILURE_WINDOW
    cleared = _last_event(conn, login, _CLEARS_LOGIN) if login else None
    since = max(window_start, cleared) if cleared else window_start
    source = _source(source)
    checks: list[tuple[str, int, datetime, tuple]] = []
    if login:
        same_address = () if any_source else (
            (auth_events.c.source == source,) if source else (auth_events.c.source.is_(None),))
        checks.append(("login+address", MAX_FAILURES, since, (auth_events.c.login == login, *same_address)))
        # Not for an administrator: many addresses together could otherwise keep the one person who can
        # unlock others locked out for good; an administrator's lock stays per address.
        role = conn.execute(sa.select(users.c.role).where(users.c.login == login)).scalar()
        if role != "admin":
            checks.append(("login", MAX_LOGIN_FAILURES, since, (auth_events.c.login == login,)))
    if source:
        address_cleared = _last_event(conn, login, _CLEARS_ADDRESS) if login else None
        address_since = max(window_start, address_cleared) if address_cleared else window_start
        checks.append(("address", MAX_ADDRESS_FAILURES, address_since, (auth_events.c.source == source,)))
    for scope, limit, start, conditions in checks:
        times = _failure_times(conn, limit, start, *conditions)
        if len(times) >= limit:
            return Lock(scope, times[limit - 1] + FAILURE_WINDOW)
    return None


def _matches(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _record_failure(engine: sa.Engine, login: str, method: str, why: str, source: str | None,
                    now: datetime) -> None:
    """A failed sign-in; when it is the one that locks, a `locked` event goes with it (the audit log)."""
    with engine.begin() as conn:
        _insert_event(conn, login or None, "login_failed", method, why, now, source)
        lock = lock_of(conn, login, source, now)
        if lock is not None:
            _insert_event(conn, login or None, "locked", method,
                          f"{lock.scope} until {lock.until:%Y-%m-%d %H:%M:%S} UTC", now, source)


def verify_login(engine: sa.Engine, login: str, password: str, *, source: str | None = None,
                 now: datetime | None = None) -> LoginResult:
    """Check a local sign-in from `source` (the client's address, when known) and record it.
    Unknown, disabled and wrong all answer the same way."""
    now = now or _now()
    login = (login or "").strip()[:MAX_NAME]
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    with engine.connect() as conn:
        lock = lock_of(conn, login, source, now) if login or source else None
        row = conn.execute(sa.select(users).where(users.c.login == login)).mappings().first() if login else None
    if lock is not None:
        record_event(engine, login or None, "throttled", "password", lock.scope, when=now, source=source)
        return LoginResult("throttled", lock=lock, now=now)
    stored = row["password_hash"] if row is not None else None
    matched = _matches(stored, password)
    if not matched or not row["active"]:
        why = "unknown login" if row is None else ("wrong password" if not matched else "disabled")
        _record_failure(engine, login, "password", why, source, now)
        return LoginResult("failed")
    with engine.begin() as conn:
        values = {"last_login_at": now}
        if _HASHER.check_needs_rehash(stored):  # argon2 parameters raised since the hash was made
            values["password_hash"] = _HASHER.hash(password)
        conn.execute(sa.update(users).where(users.c.login == login).values(**values))
        _insert_event(conn, login, "login_ok", "password", None, now, source)
        user = user_from_row(conn.execute(sa.select(users).where(users.c.login == login)).mappings().one())
    return LoginResult("ok", user)


def match_oidc_identity(engine: sa.Engine, subject: str | None, email: str | None) -> User | None:
    """The active user for a single sign-on identity: by OIDC subject, else by e-mail.

    The e-mail only matches rows that name no subject of their own (a row bound to a subject is never taken
    over through an e-mail address) and only when exactly one such active row has it.
    """
    subject = (subject or "").strip()[:MAX_IDENTITY]
    email = (email or "").strip()[:MAX_IDENTITY]
    with engine.connect() as conn:
        if subject:
            row = conn.execute(sa.select(users).where(users.c.oidc_subject == subject, users.c.active.is_(True))) \
                .mappings().first()
            if row:
                return user_from_row(row)
        if email:
            rows = conn.execute(sa.select(users).where(
                sa.func.lower(users.c.email) == email.lower(), users.c.oidc_subject.is_(None),
                users.c.active.is_(True))).mappings().all()
            if len(rows) == 1:
                return user_from_row(rows[0])
    return None


def signed_in_with_sso(engine: sa.Engine, user: User, *, now: datetime | None = None) -> None:
    """Record a single sign-on login and its time."""
    now = now or _now()
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.login == user.login).values(last_login_at=now))
        _insert_event(conn, user.login, "login_ok", "oidc", None, now)


def region_name(engine: sa.Engine, adcode: str) -> str:
    if adcode == ALL_REGIONS:
        return ALL_REGIONS_NAME
    with engine.connect() as conn:
        found = conn.execute(sa.select(regions.c.name).where(regions.c.adcode == adcode)).scalar()
        if found is None:  # a school's own reporter: the school's name
            found = conn.execute(sa.select(schools.c.name).where(schools.c.school_id == adcode)).scalar()
        return found or adcode


def _in_region(region: str):
    """A condition on users: their region lies inside `region` (ALL_REGIONS: every user)."""
    if region == ALL_REGIONS:
        return sa.true()
    inside = sa.select(regions.c.adcode).where(sa.or_(
        regions.c.adcode == region, regions.c.city_adcode == region, regions.c.province_adcode == region))
    return users.c.region_adcode.in_(inside)


def users_in_region(engine: sa.Engine, region: str) -> list[User]:
    """The accounts an administrator of `region` manages: those whose region lies inside it."""
    with engine.connect() as conn:
        return [user_from_row(row) for row in conn.execute(
            sa.select(users).where(_in_region(region)).order_by(users.c.login)).mappings()]


def recent_lock_events(engine: sa.Engine, region: str, *, days: int = 7, limit: int = 200,
                       now: datetime | None = None) -> list[dict]:
    """Lockouts, refused and failed sign-ins and unlocks of the last `days`, newest first, of the accounts in
    `region`. Only an administrator of every region also sees attempts on logins that do not exist."""
    since = (now or _now()) - timedelta(days=days)
    query = sa.select(auth_events.c.occurred_at, auth_events.c.login, auth_events.c.event, auth_events.c.method,
                      auth_events.c.source, auth_events.c.detail).where(
        auth_events.c.event.in_(LOCK_EVENTS), auth_events.c.occurred_at >= since)
    if region != ALL_REGIONS:
        query = query.where(auth_events.c.login.in_(sa.select(users.c.login).where(_in_region(region))))
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(
            query.order_by(auth_events.c.occurred_at.desc()).limit(limit)).mappings()]
