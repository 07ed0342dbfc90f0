"""--approved-only: the command line shows every report unless asked, and says which basis it used."""

from __future__ import annotations

import argparse

from data_access.review_basis import Basis


def add_basis_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--approved-only", action="store_true",
                        help="仅计已审核数据: 未经上级审核的县区按未上报计 (待审核), 不按0计; 默认含未审核数据")


def cli_basis(args: argparse.Namespace) -> Basis:
    """Every report unless --approved-only (the command line is the administrator's tool)."""
    return Basis(approved_only=bool(getattr(args, "approved_only", False)))


def basis_line(args: argparse.Namespace) -> str:
    """What a command says about its basis once it has succeeded."""
    return "数据口径: " + ("仅计已审核数据 (--approved-only; 未经上级审核的县区按未上报计, 记为待审核)"
                          if getattr(args, "approved_only", False)
                          else "全部上报数据, 含未审核数据 (加 --approved-only 仅计已审核数据)")
