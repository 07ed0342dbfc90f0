"""The `--as LOGIN` option of the warehouse commands: who a command acts as, and inside which region.

Whoever runs `mhmonitor` on the server without --as is the server's operator and has full rights: they can
read and replace the warehouse file (or its URL and password) anyway. `--as LOGIN` makes a command act as
that active user, with their role and inside their region, exactly as the dashboard would.
"""

from __future__ import annotations

import argparse

from data_access import accounts
from data_access.access import SHELL_OPERATOR, Principal, permitted_region
from data_access.engine import make_engine
from data_access.regions import ALL_REGIONS
from mhmonitor.errors import CommandError


def add_acting_user(parser: argparse.ArgumentParser, action: str) -> None:
    """Give a warehouse command --as LOGIN (act as that user) and --allowed-region (narrow further)."""
    parser.add_argument("--as", dest="as_login", metavar="LOGIN",
                        help="以该账号的身份和权限范围执行 (默认: 服务器操作员, 全部权限)")
    parser.add_argument("--allowed-region", default=ALL_REGIONS,
                        help="进一步限定的权限范围 (行政区划代码), 须在 --as 账号的范围之内; 默认不限")
    parser.set_defaults(acting_action=action)


def resolve_acting_user(args: argparse.Namespace) -> None:
    """Set args.principal and narrow args.allowed_region by the --as user (AccessDenied when refused)."""
    if not args.as_login:
        args.principal = SHELL_OPERATOR
        return
    engine = make_engine()
    user = accounts.active_user(engine, args.as_login)
    if user is None:
        raise CommandError(f"--as: 没有启用的账号「{args.as_login[:accounts.MAX_NAME]}」")
    args.principal = Principal(user.login, user.display_name, user.role, user.region)
    with engine.connect() as conn:
        args.allowed_region = permitted_region(conn, args.principal, args.acting_action, args.allowed_region)
