"""User accounts stored in the warehouse: argon2id password hashes, sign-in checks, throttling, the sign-in log.

Every message meant for a person is Chinese. Nothing here knows about Streamlit; the dashboard (ui/auth.py)
and the command line (mhmonitor/user_commands.py) both come through these functions.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from data_access.meta import bump_revision
from data_access.regions import ALL_REGIONS
from data_access.schema import auth_events, regions, users, web_sessions

ROLES: dict[str, str] = {"viewer": "查看", "reporter": "填报", "reviewer": "审核", "admin": "管理"}
# ALL_REGIONS is not a row of `regions`: it is the national scope, for an administrator of both plans.
ALL_REGIONS_NAME = "全部地区"

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # hashing cost grows with length; nobody types more
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MAX_NAME = 64
MAX_IDENTITY = 255  # OIDC subject, e-mail, event detail

# Throttling: this many failed sign-ins of one login inside the window lock it until they age out of it.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

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


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok / failed / throttled
    user: User | None = None

    @property
    def message(self) -> str:
        if self.status == "ok":
            return ""
        if self.status == "throttled":
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            return f"该账号连续登录失败次数过多, 已暂时锁定: 请 {minutes} 分钟后再试, 或联系管理员。"
        return "账号或密码不正确, 或账号已停用。"  # never says which


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _user(row: sa.RowMapping) -> User:
    return User(login=row["login"], display_name=row["display_name"], role=row["role"],
                region=row["region_adcode"], active=bool(row["active"]), email=row["email"],
                oidc_subject=row["oidc_subject"], created_at=row["created_at"], last_login_at=row["last_login_at"],
                has_password=row["password_hash"] is not None)


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


def _check_region(conn: sa.Connection, region: str) -> str:
    region = (region or "").strip()
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


def add_user(engine: sa.Engine, login: str, *, role: str, region: str, password: str | None,
             display_name: str | None = None, email: str | None = None, oidc_subject: str | None = None) -> User:
    """Create an active user. A user without a password can only sign in through single sign-on."""
    login = check_login_name(login)
    _check_role(role)
    name = _bounded(display_name, MAX_NAME, "显示名") or login
    email = _bounded(email, MAX_IDENTITY, "电子邮箱")
    if email and "@" not in email:
        raise AccountError(f"电子邮箱「{email}」无效")
    oidc_subject = _bounded(oidc_subject, MAX_IDENTITY, "统一身份认证标识")
    if password is None and not (email or oidc_subject):
        raise AccountError("没有密码的账号须给出统一身份认证标识或电子邮箱, 否则无法登录")
    if password is not None:
        check_password(password, login)
    with engine.begin() as conn:
        region = _check_region(conn, region)
        if conn.execute(sa.select(users.c.login).where(users.c.login == login)).first():
            raise AccountError(f"账号「{login}」已存在")
        conn.execute(sa.insert(users).values(
            login=login, display_name=name, role=role, region_adcode=region, active=True,
            password_hash=_HASHER.hash(password) if password is not None else None, oidc_subject=oidc_subject,
            email=email, created_at=_now(), last_login_at=None))
        bump_revision(conn)
        return _user(conn.execute(sa.select(users).where(users.c.login == login)).mappings().one())


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(row) for row in conn.execute(sa.select(users).order_by(users.c.login)).mappings()]


def get_user(engine: sa.Engine, login: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.login == (login or "")[:MAX_NAME])).mappings().first()
    return _user(row) if row else None


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


def set_password(engine: sa.Engine, login: str, password: str) -> None:
    check_password(password, login)
    with engine.begin() as conn:
        _require_user(conn, login)
        conn.execute(sa.update(users).where(users.c.login == login).values(password_hash=_HASHER.hash(password)))
        _end_web_sessions(conn, login)  # a new password signs out every browser that knew the old one
        _insert_event(conn, login, "password_set", "cli", None)
        bump_revision(conn)


def _end_web_sessions(conn: sa.Connection, login: str) -> None:
    """End the login's browser sessions; a warehouse from before migration 0004 has none to end."""
    present = conn.execute(sa.text("SELECT count(*) FROM information_schema.tables WHERE table_name = :name"),
                           {"name": web_sessions.name}).scalar()
    if not present:
        return
    conn.execute(sa.update(web_sessions).where(web_sessions.c.login == login, web_sessions.c.ended_at.is_(None))
                 .values(ended_at=_now()))


def _insert_event(conn: sa.Connection, login: str | None, event: str, method: str | None,
                  detail: str | None, when: datetime | None = None) -> None:
    conn.execute(sa.insert(auth_events).values(
        event_id=str(uuid.uuid4()), occurred_at=when or _now(), login=(login or None) and login[:MAX_NAME],
        event=event[:24], method=(method or None) and method[:16], detail=(detail or None) and detail[:MAX_IDENTITY]))


def record_event(engine: sa.Engine, login: str | None, event: str, method: str | None = None,
                 detail: str | None = None, *, when: datetime | None = None) -> None:
    """One line of the sign-in log (login_ok, login_failed, throttled, logout, timeout, refused)."""
    with engine.begin() as conn:
        _insert_event(conn, login, event, method, detail, when)


def recent_failures(conn: sa.Connection, login: str, now: datetime) -> int:
    """Failed sign-ins of `login` inside the window and after its last successful one."""
    since = now - FAILURE_WINDOW
    last_ok = conn.execute(sa.select(sa.func.max(auth_events.c.occurred_at)).where(
        auth_events.c.login == login, auth_events.c.event == "login_ok")).scalar()
    if last_ok is not None and last_ok > since:
        since = last_ok
    return conn.execute(sa.select(sa.func.count()).select_from(auth_events).where(
        auth_events.c.login == login, auth_events.c.event == "login_failed",
        auth_events.c.occurred_at > since)).scalar_one()


def verify_login(engine: sa.Engine, login: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a local sign-in and record it. Unknown, disabled and wrong all answer the same way."""
    now = now or _now()
    login = (login or "").strip()[:MAX_NAME]
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    with engine.connect() as conn:
        failures = recent_failures(conn, login, now) if login else 0
        row = conn.execute(sa.select(users).where(users.c.login == login)).mappings().first() if login else None
    if failures >= MAX_FAILURES:
        record_event(engine, login, "throttled", "password", None, when=now)
        return LoginResult("throttled")
    stored = row["password_hash"] if row is not None else None
    try:
        matched = _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        matched = False
    if not matched or not row["active"]:
        why = "unknown login" if row is None else ("wrong password" if not matched else "disabled")
        record_event(engine, login or None, "login_failed", "password", why, when=now)
        return LoginResult("failed")
    with engine.begin() as conn:
        values = {"last_login_at": now}
        if _HASHER.check_needs_rehash(stored):  # argon2 parameters raised since the hash was made
            values["password_hash"] = _HASHER.hash(password)
        conn.execute(sa.update(users).where(users.c.login == login).values(**values))
        _insert_event(conn, login, "login_ok", "password", None, now)
        user = _user(conn.execute(sa.select(users).where(users.c.login == login)).mappings().one())
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
                return _user(row)
        if email:
            rows = conn.execute(sa.select(users).where(
                sa.func.lower(users.c.email) == email.lower(), users.c.oidc_subject.is_(None),
                users.c.active.is_(True))).mappings().all()
            if len(rows) == 1:
                return _user(rows[0])
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
        return conn.execute(sa.select(regions.c.name).where(regions.c.adcode == adcode)).scalar() or adcode
