"""`mhmonitor user add | list | disable | passwd | unlock | signout | import`, and the `--as LOGIN` option of
the warehouse commands.

Whoever runs `mhmonitor` on the server without --as is the server's operator and has full rights: they can
read and replace the warehouse file (or its URL and password) anyway. `--as LOGIN` makes a command act as
that active user, with their role and inside their region, exactly as the dashboard would.
"""

from __future__ import annotations

import argparse
import sys

from data_access.access import SHELL_OPERATOR, Principal, scope_for
from data_access.regions import ALL_REGIONS

MAX_STDIN_PASSWORD = 4096  # read at most this much: a password, not a file


def _engine():
    from data_access.engine import make_engine

    return make_engine()


def _read_password(args: argparse.Namespace) -> str | None:
    from mhmonitor.cli import CommandError

    if not args.password_stdin:
        return None
    text = sys.stdin.read(MAX_STDIN_PASSWORD + 1)
    if len(text) > MAX_STDIN_PASSWORD:
        raise CommandError("标准输入过长: --password-stdin 只读取一行密码")
    lines = text.splitlines()
    return lines[0] if lines else ""


def cmd_user_add(args: argparse.Namespace) -> int:
    from data_access import accounts

    password = _read_password(args)
    user = accounts.add_user(_engine(), args.login, role=args.role, region=args.region, password=password,
                             display_name=args.name, email=args.email, oidc_subject=args.oidc_subject,
                             must_change_password=not args.no_change_required)
    print(f"已创建账号 {user.login} ({user.display_name}), 角色 {user.role}, 范围 {user.region}"
          + ("" if user.has_password else ", 仅统一身份认证登录")
          + (", 首次登录须修改密码" if user.must_change_password else ""))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from data_access import accounts
    from data_access.cells import row_writer

    write = row_writer(sys.stdout)
    write(["login", "display_name", "role", "region", "active", "password", "oidc_subject", "email",
                  "created_at", "last_login_at"])
    for user in accounts.list_users(_engine()):
        write([user.login, user.display_name, user.role, user.region, "yes" if user.active else "no",
                      "yes" if user.has_password else "no", user.oidc_subject or "", user.email or "",
                      f"{user.created_at:%Y-%m-%d %H:%M}",
                      f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else ""])
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    from data_access import accounts

    accounts.disable_user(_engine(), args.login)
    print(f"已停用账号 {args.login}: 不能再登录, 已登录的会话在下一次操作时结束")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from data_access import accounts
    from mhmonitor.cli import CommandError

    if not args.password_stdin:
        raise CommandError("请用 --password-stdin 从标准输入提供新密码 (不要写在命令行上)")
    accounts.set_password(_engine(), args.login, _read_password(args), must_change=not args.no_change_required)
    print(f"已更新账号 {args.login} 的密码, 已清除其登录锁定, 已登录的会话在下一次操作时结束"
          + ("" if args.no_change_required else "; 下次登录时须修改密码"))
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from data_access import accounts

    was_locked = accounts.unlock(_engine(), args.login)
    print(f"已解除账号 {args.login} 的登录锁定" if was_locked
          else f"账号 {args.login} 当前没有登录锁定 (已记录解除操作)")
    return 0


def cmd_user_signout(args: argparse.Namespace) -> int:
    from data_access import accounts

    ended = accounts.sign_out_everywhere(_engine(), args.login)
    print(f"已结束账号 {args.login} 的 {ended} 个浏览器会话; 所有已登录的页面在下一次操作时退出")
    return 0


def cmd_user_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from data_access import account_import
    from data_access.importing.issues import ImportRejected
    from mhmonitor.cli import CommandError

    source, out = Path(args.file), Path(args.out)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise CommandError(f"无法读取文件 {source}: {error.strerror}") from None
    engine = _engine()
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


def add_acting_user(parser: argparse.ArgumentParser, action: str) -> None:
    """Give a warehouse command --as LOGIN (act as that user) and --allowed-region (narrow further)."""
    parser.add_argument("--as", dest="as_login", metavar="LOGIN",
                        help="以该账号的身份和权限范围执行 (默认: 服务器操作员, 全部权限)")
    parser.add_argument("--allowed-region", default=ALL_REGIONS,
                        help="进一步限定的权限范围 (行政区划代码), 须在 --as 账号的范围之内; 默认不限")
    parser.set_defaults(acting_action=action)


def resolve_acting_user(args: argparse.Namespace) -> None:
    """Set args.principal and narrow args.allowed_region by the --as user (AccessDenied when refused)."""
    from data_access import accounts
    from mhmonitor.cli import CommandError

    if not args.as_login:
        args.principal = SHELL_OPERATOR
        return
    engine = _engine()
    user = accounts.active_user(engine, args.as_login)
    if user is None:
        raise CommandError(f"--as: 没有启用的账号「{args.as_login[:accounts.MAX_NAME]}」")
    args.principal = Principal(user.login, user.display_name, user.role, user.region)
    with engine.connect() as conn:
        args.allowed_region = scope_for(conn, args.principal, args.acting_action, args.allowed_region)


def register(sub: argparse._SubParsersAction) -> None:
    from data_access.accounts import ROLES

    user = sub.add_parser("user", help="账号管理: 添加、列出、停用、改密码")
    commands = user.add_subparsers(dest="user_command", required=True)

    add = commands.add_parser("add", help="添加账号")
    add.add_argument("login", help="账号名 (字母、数字和 . _ @ -)")
    add.add_argument("--role", required=True, help=f"角色: {', '.join(f'{k}={v}' for k, v in ROLES.items())}")
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
