"""Bulk accounts from a CSV or XLSX (`mhmonitor user import`): all or nothing, every bad row named.

Columns: 账号, 显示名, 角色, 范围, 电子邮箱 (English headers login, display_name, role, region, email also
read). Each new account gets a random initial password, which the user must change at the first sign-in;
the passwords are written once to a credentials CSV (file mode 0600, refused when it exists) and only
their argon2id hashes are stored. A login that already exists is reported and left unchanged, so running
the same file again adds nothing.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from data_access import accounts
from data_access.access import Principal, can, region_row
from data_access.accounts import ROLES, AccountError
from data_access.cells import row_writer
from data_access.importing.issues import ImportRejected, Issue
from data_access.importing.reading import clean, read_table
from data_access.meta import bump_revision
from data_access.regions import ALL_REGIONS
from data_access.schema import users

MAX_ACCOUNTS = 5_000  # one county's schools are a few hundred
# Field -> headers accepted (the Chinese one first: it is what the message quotes).
COLUMNS: dict[str, tuple[str, ...]] = {
    "login": ("账号", "登录名", "login"),
    "display_name": ("显示名", "姓名", "名称", "display_name", "name"),
    "role": ("角色", "role"),
    "region": ("范围", "地区", "行政区划代码", "region"),
    "email": ("电子邮箱", "邮箱", "email", "e-mail"),
}
REQUIRED = ("login", "role", "region")
CREDENTIAL_HEADER = ("账号", "显示名", "角色", "范围", "初始密码")


@dataclass(frozen=True)
class AccountRow:
    row: int  # as Excel (or a text editor) numbers it, header included
    login: str
    display_name: str
    role: str
    region: str
    email: str | None


@dataclass(frozen=True)
class AccountPlan:
    new: tuple[AccountRow, ...]
    existing: tuple[AccountRow, ...]  # logins already in the warehouse: reported, not changed


def _text(value: object) -> str:
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an adcode typed as a number in Excel
    return str(value)


def _role(text: str) -> str | None:
    if text in ROLES:
        return text
    return next((key for key, name in ROLES.items() if name == text), None)


def read_accounts(engine: sa.Engine, file_name: str, data: bytes, principal: Principal) -> AccountPlan:
    """Every row checked; ImportRejected listing every problem (file, row, column, value, Chinese)."""
    table = read_table(file_name, data)
    issues: list[Issue] = []

    def problem(row: int | None, column: str | None, value: str | None, message: str) -> None:
        issues.append(Issue(file_name, table.sheet, row, column, value, message))

    where: dict[str, int] = {}
    header_of: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        key = (header or "").strip().lower()
        field = next((name for name, options in COLUMNS.items() if key in {o.lower() for o in options}), None)
        if field is None:
            if header:
                problem(table.header_row, header, None,
                        f"未知的列「{header}」: 可用的列为 {', '.join(o[0] for o in COLUMNS.values())}")
        elif field in where:
            problem(table.header_row, header, None, f"列「{header}」重复")
        else:
            where[field], header_of[field] = index, header
    for field in REQUIRED:
        if field not in where:
            problem(table.header_row, COLUMNS[field][0], None, f"缺少必填列「{COLUMNS[field][0]}」")
    if issues:
        raise ImportRejected(issues)
    if len(table.rows) > MAX_ACCOUNTS:
        raise ImportRejected([Issue(file_name, table.sheet, None, None, None,
                                    f"一次最多导入 {MAX_ACCOUNTS} 个账号, 文件中有 {len(table.rows)} 行: 请拆分")])

    rows: list[AccountRow] = []
    first_row: dict[str, int] = {}
    with engine.connect() as conn:
        for number, cells in table.rows:
            values = {field: _text(cells[where[field]]) if field in where and where[field] < len(cells) else ""
                      for field in COLUMNS}
            before = len(issues)
            for field in REQUIRED:
                if not values[field]:
                    problem(number, header_of[field], None, f"「{COLUMNS[field][0]}」不能为空")
            login, role, region = values["login"], _role(values["role"]), values["region"]
            if login:
                try:
                    accounts.check_login_name(login)
                except AccountError as error:
                    problem(number, header_of["login"], login, str(error))
                if login.lower() in first_row:
                    problem(number, header_of["login"], login,
                            f"账号「{login}」与第 {first_row[login.lower()]} 行重复")
                else:
                    first_row[login.lower()] = number
            if values["role"] and role is None:
                problem(number, header_of["role"], values["role"],
                        f"未知的角色「{values['role']}」: 可选 {', '.join(f'{k} ({v})' for k, v in ROLES.items())}")
            if region:
                try:
                    region = accounts.check_region(conn, region, role)
                except AccountError as error:
                    problem(number, header_of["region"], region, str(error))
                else:
                    found = region if region == ALL_REGIONS else region_row(conn, region) or region
                    if not can(principal, "manage_users", found):
                        problem(number, header_of["region"], region,
                                f"范围「{region}」不在导入人 {principal.display_name or principal.login} "
                                f"的管理范围 ({principal.region}) 之内")
            name = values["display_name"] or login
            if len(name) > accounts.MAX_NAME:
                problem(number, header_of.get("display_name"), name[:80],
                        f"显示名太长: 最多 {accounts.MAX_NAME} 个字符")
            try:
                email = accounts.check_email(values["email"])
            except AccountError as error:
                problem(number, header_of.get("email"), values["email"], str(error))
                email = None
            if len(issues) == before:
                rows.append(AccountRow(number, login, name, role, region, email))
        if issues:
            raise ImportRejected(issues)
        if not rows:
            raise ImportRejected([Issue(file_name, table.sheet, None, None, None, "文件中没有账号行")])
        taken = set(conn.execute(sa.select(users.c.login).where(
            users.c.login.in_([row.login for row in rows]))).scalars())
    return AccountPlan(new=tuple(row for row in rows if row.login not in taken),
                       existing=tuple(row for row in rows if row.login in taken))


def credentials_csv(rows: list[tuple[AccountRow, str]]) -> bytes:
    """The hand-out list: login, name, role, region, initial password (UTF-8 with BOM, for Excel/WPS), every
    cell through the one cell rule (a display name like "=HYPERLINK(...)" stays text)."""
    out = io.StringIO()
    write = row_writer(out, line_end="\r\n")
    write(CREDENTIAL_HEADER)
    for row, password in rows:
        write([row.login, row.display_name, row.role, row.region, password])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_once(path: Path, data: bytes) -> None:
    """Create `path` readable by its owner only (0600); refuse when it exists (never overwrite a hand-out)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AccountError(f"输出文件 {path} 已存在: 请换一个文件名 (已有的初始密码清单不会被覆盖)") from None
    except OSError as error:
        raise AccountError(f"无法创建输出文件 {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o600)  # whatever the umask


def create_accounts(engine: sa.Engine, plan: AccountPlan, out: Path) -> list[tuple[AccountRow, str]]:
    """Create plan.new in one transaction, each with a random initial password written to `out` first
    (so no password is lost); a failed transaction removes `out` again. Returns (row, password) pairs."""
    if not plan.new:
        return []
    issued = [(row, accounts.initial_password()) for row in plan.new]
    hashes = [accounts.hash_password(password) for _, password in issued]
    write_once(out, credentials_csv(issued))
    try:
        with engine.begin() as conn:
            taken = set(conn.execute(sa.select(users.c.login).where(
                users.c.login.in_([row.login for row in plan.new]))).scalars())
            if taken:
                raise AccountError(f"账号 {', '.join(sorted(taken))} 刚被别人创建: 未导入任何账号, 请重新运行")
            for (row, _), password_hash in zip(issued, hashes, strict=True):
                accounts.insert_user(conn, login=row.login, display_name=row.display_name, role=row.role,
                                     region=row.region, password_hash=password_hash, oidc_subject=None,
                                     email=row.email, must_change_password=True)
            bump_revision(conn)  # who may see the warehouse changed
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return issued
