"""`mhmonitor user add | list | disable | passwd | unlock | signout | import`: accounts, managed by the server's
operator (`--as`, which the warehouse commands share, is in mhmonitor/acting.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_access import account_import, accounts
from data_access.cells import row_writer
from data_access.engine import make_engine
from data_access.importing.issues import ImportRejected
from data_access.regions import ALL_REGIONS
from mhmonitor.acting import add_acting_user
from mhmonitor.errors import CommandError, read_file

MAX_STDIN_PASSWORD = 4096  # read at most this much: a password, not a file


def _read_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    text = sys.stdin.read(MAX_STDIN_PASSWORD + 1)
    if len(text) > MAX_STDIN_PASSWORD:
        raise CommandError("标准输入过长: --password-stdin 只读取一行密码")
    lines = text.splitlines()
    return lines[0] if lines else ""


def cmd_user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    user = accounts.add_user(make_engine(), args.login, role=args.role, region=args.region, password=password,
                             display_name=args.name, email=args.email, oidc_subject=args.oidc_subject,
                             must_change_password=not args.no_change_required)
    print(f"已创建账号 {user.login} ({user.display_name}), 角色 {user.role}, 范围 {user.region}"
          + ("" if user.has_password else ", 仅统一身份认证登录")
          + (", 首次登录须修改密码" if user.must_change_password else ""))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    write = row_writer(sys.stdout)
    write(["login", "display_name", "role", "region", "active", "password", "oidc_subject", "email",
           "created_at", "last_login_at"])
    for user in accounts.list_users(make_engine()):
        write([user.login, user.display_name, user.role, user.region, "yes" if user.active else "no",
               "yes" if user.has_password else "no", user.oidc_subject or "", user.email or "",
               f"{user.created_at:%Y-%m-%d %H:%M}",
               f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else ""])
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    accounts.disable_user(make_engine(), args.login)
    print(f"已停用账号 {args.login}: 不能再登录, 已登录的会话在下一次操作时结束")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    if not args.password_stdin:
        raise CommandError("请用 --password-stdin 从标准输入提供新密码 (不要写在命令行上)")
    accounts.set_password(make_engine(), args.login, _read_password(args), must_change=not args.no_change_required)
    print(f"已更新账号 {args.login} 的密码, 已清除其登录锁定, 已登录的会话在下一次操作时结束"
          + ("" if args.no_change_required else "; 下次登录时须修改密码"))
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    was_locked = accounts.unlock(make_engine(), args.login)
    print(f"已解除账号 {args.login} 的登录锁定" if was_locked
          else f"账号 {args.login} 当前没有登录锁定 (已记录解除操作)")
    return 0


def cmd_user_signout(args: argparse.Namespace) -> int:
    ended = accounts.sign_out_everywhere(make_engine(), args.login)
    print(f"已结束账号 {args.login} 的 {ended} 个浏览器会话; 所有已登录的页面在下一次操作时退出")
    return 0


def cmd_user_import(args: argparse.Namespace) -> int:
    source, out = Path(args.file), Path(args.out)
    data = read_file(args.file)
    engine = make_engine()
    try:
        plan = account_import.read_accounts(engine, source.name, data, args.principal)
    except ImportRejected as rejected:
        print(f"未导入任何账号: {source.name} 有 {len(rejected.issues)} 个问题", file=sys.stderr)
        for issue in rejected.issues:
            print(issue.describe(), file=sys.stderr)
        return 1
    for row in plan.existing:
        print(f"第 {row.row} 行: 账号 {row.login} 已存在, 未改动")
    created = account_import.create_accounts(engine, plan, out)
    if created:
        print(f"已创建 {len(created)} 个账号 (首次登录须修改密码); 初始密码只写入 {out} (仅本人可读), "
              "请分发后删除该文件")
    else:
        print("没有需要新建的账号; 未写入输出文件")
    return 0


def cmd_user_add_schools(args: argparse.Namespace) -> int:
    """One account per school of the county; the initial passwords go to one new file (mode 0600), only once."""
    import os

    from data_access.cells import delimited_text
    from data_access.school_accounts import add_school_accounts

    try:  # created before any account, so a file that cannot be written leaves no account without a password
        handle = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"文件 {args.out} 已存在: 初始密码只写入一个新文件, 请换一个文件名 (不会覆盖)") from None
    except OSError as error:
        raise CommandError(f"无法创建文件 {args.out}: {error.strerror}") from None
    try:
        created = add_school_accounts(make_engine(), args.region, args.principal)
    except BaseException:
        os.close(handle)
        os.unlink(args.out)
        raise
    text = delimited_text(("账号 (学校标识码)", "学校名称", "县区代码", "初始密码 (首次登录须修改)"),
                          ((a.login, a.display_name, a.county_adcode, a.initial_password) for a in created))
    with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
        out.write(text)
    print(f"已为 {args.region} 新建 {len(created)} 个学校账号 (已有账号的学校跳过); "
          f"初始密码只写在 {args.out} (仅本人可读), 请分发后妥善删除")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="账号管理: 添加、列出、停用、改密码")
    commands = user.add_subparsers(dest="user_command", required=True)

    add = commands.add_parser("add", help="添加账号")
    add.add_argument("login", help="账号名 (字母、数字和 . _ @ -)")
    add.add_argument("--role", required=True, help=f"角色: {', '.join(f'{k}={v}' for k, v in accounts.ROLES.items())}")
    add.add_argument("--region", required=True, help=f"权限范围: 省、市或县的行政区划代码 ({ALL_REGIONS} = 全部地区)")
    add.add_argument("--name", help="显示名 (默认同账号名)")
    add.add_argument("--email", help="电子邮箱 (统一身份认证按它匹配)")
    add.add_argument("--oidc-subject", help="统一身份认证的用户标识 (sub)")
    add.add_argument("--password-stdin", action="store_true",
                     help="从标准输入读取密码 (不给则该账号只能统一身份认证登录)")
    add.add_argument("--no-change-required", action="store_true",
                     help="不要求首次登录时修改密码 (默认: 初始密码须由本人修改)")
    add.set_defaults(func=cmd_user_add)

    listing = commands.add_parser("list", help="列出全部账号 (CSV)")
    listing.set_defaults(func=cmd_user_list)

    disable = commands.add_parser("disable", help="停用账号")
    disable.add_argument("login")
    disable.set_defaults(func=cmd_user_disable)

    schools = commands.add_parser("add-schools", help="为一个县(区)的每所学校建账号 (账号 = 学校标识码)")
    schools.add_argument("--region", required=True, help="县(区)行政区划代码")
    schools.add_argument("--out", required=True, help="写入账号和初始密码的新 CSV 文件 (不会覆盖已有文件)")
    add_acting_user(schools, "manage_users")
    schools.set_defaults(func=cmd_user_add_schools)

    passwd = commands.add_parser("passwd", help="设置新密码")
    passwd.add_argument("login")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码")
    passwd.add_argument("--no-change-required", action="store_true",
                        help="不要求下次登录时修改密码 (默认: 管理员设置的密码须由本人修改)")
    passwd.set_defaults(func=cmd_user_passwd)

    unlock = commands.add_parser("unlock", help="解除账号的登录锁定")
    unlock.add_argument("login")
    unlock.set_defaults(func=cmd_user_unlock)

    signout = commands.add_parser("signout", help="结束账号在所有浏览器、所有进程中的登录")
    signout.add_argument("login")
    signout.set_defaults(func=cmd_user_signout)

    bulk = commands.add_parser("import", help="从 CSV/XLSX 批量创建账号 (全部成功或全部不导入)")
    bulk.add_argument("file", help="列: 账号, 显示名, 角色, 范围, 电子邮箱")
    bulk.add_argument("--out", required=True, help="初始密码清单 (CSV, 文件权限 0600, 不能已存在)")
    add_acting_user(bulk, "manage_users")
    bulk.set_defaults(func=cmd_user_import)
