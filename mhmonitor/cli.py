"""`mhmonitor`: build the demo warehouse, print the target catalog and indicator tables, import, export.

Every error is one Chinese line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.exc import DBAPIError, ProgrammingError

from data_access import catalog
from data_access.access import AccessDenied
from data_access.accounts import AccountError
from data_access.catalog import EVERY_YEAR
from data_access.cells import row_writer
from data_access.engine import WarehouseBusy, WarehouseMissing, make_engine, warehouse_url
from data_access.formatting import count_number, plain_number, prints_no_rate, row_number, shortfall_count
from data_access.init_warehouse import init_warehouse
from data_access.meta import warehouse_info
from data_access.read_model import IndicatorView, UnknownIndicator, evaluate_views, resolve_scope
from data_access.regions import LEVEL_ORDER, RegionError
from data_access.review import ReviewRefused
from data_access.status import BANDS
from demo.generate import build_demo
from mhmonitor import evaluation_commands, export_commands, import_commands, review_commands, user_commands
from mhmonitor.acting import add_acting_user, resolve_acting_user
from mhmonitor.basis import add_basis_option, basis_line, cli_basis
from mhmonitor.errors import CommandError

# Modules that add their own subcommands with register(subparsers).
COMMAND_MODULES = (import_commands, export_commands, evaluation_commands, user_commands, review_commands)

TARGET_COLUMNS = ("id", "jurisdiction_adcode", "plan", "period", "indicator", "threshold", "comparison", "unit",
                  "deadline", "applies_to", "clause")
INDICATOR_COLUMNS = ("adcode_or_school_id", "name", "indicator", "numerator", "denominator", "value", "target",
                     "deadline", "status", "reported", "expected", "shortfall", "shortfall_unit")


def cmd_demo(args: argparse.Namespace) -> int:
    summary = build_demo(make_engine(create=True), seed=args.seed)
    print(f"演示数据仓库已生成: {warehouse_url()}")
    print(summary.describe() if hasattr(summary, "describe") else summary)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    summary = init_warehouse(make_engine(create=True), args.region)
    print(f"数据仓库: {warehouse_url()}")
    print(summary.describe())
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    writer = _writer(args.format, TARGET_COLUMNS)
    for plan in catalog.plans():
        for target in catalog.targets_of(plan):
            writer([target.id, plan.adcode, plan.key, f"{plan.period_start}-{plan.period_end}", target.indicator,
                    plain_number(target.threshold), target.comparison, target.unit, target.deadline,
                    ";".join(target.applies_to), target.clause])
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    if args.level not in LEVEL_ORDER:
        raise CommandError(f"未知的层级 {args.level!r}: 可选 {', '.join(LEVEL_ORDER)}")
    engine = make_engine()
    scope = resolve_scope(engine, args.region, args.year, allowed=args.allowed_region, child_level=args.level)
    views = evaluate_views(engine, scope, list(catalog.indicators()), with_overall=False, basis=cli_basis(args))
    writer = _writer(args.format, INDICATOR_COLUMNS)
    for row in _unit_major(views):
        shortfall = count_number(shortfall_count(row["shortfall"]))
        # A status that judges nothing prints no rate and no passes (a small sample is noise, and close to
        # identifying students): its sample size (denominator) stays.
        writer([row["unit_id"], row["name"], row["indicator"],
                "" if prints_no_rate(row["status"]) else count_number(row["numerator"]),
                count_number(row["denominator"]), row_number(row), row["target_label"],
                EVERY_YEAR if pd.isna(row["deadline_year"]) else int(row["deadline_year"]), row["status"],
                row["reported"], row["expected"], shortfall, row["shortfall_unit"] if shortfall else ""])
    print(f"# {basis_line(args)}", file=sys.stderr)
    if warehouse_info(engine).is_demo:
        print("# 演示数据（随机生成，非真实统计）", file=sys.stderr)
    return 0


def _unit_major(views: dict[str, IndicatorView]) -> list[dict]:
    """The views' rows unit by unit (each unit's indicators in catalog order), as the engine lists them."""
    rows = [row for view in views.values() for row in view.units.to_dict("records")]
    position = {unit: index for index, unit in enumerate(dict.fromkeys(row["unit_id"] for row in rows))}
    order = {indicator: index for index, indicator in enumerate(catalog.indicators())}
    return sorted(rows, key=lambda row: (position[row["unit_id"]], order[row["indicator"]]))


def _writer(fmt: str, header: Sequence[str]):
    """CSV or TSV rows on stdout, every cell neutral (data_access.cells: no cell opens as a formula)."""

    write = row_writer(sys.stdout, fmt)
    write(header)
    return write


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; scripts want one clear line and a non-zero exit."""

    def error(self, message: str) -> None:
        print(f"错误: {self.prog}: {message} (用 --help 查看用法)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="mhmonitor", description="学生心理健康专项行动目标监测")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="生成演示数据仓库 (WAREHOUSE_URL 或默认 DuckDB 文件)")
    demo.add_argument("--seed", type=int, default=2024)
    demo.set_defaults(func=cmd_demo)

    init = sub.add_parser("init", help="初始化真实数据仓库: 建表并载入一个省或市的行政区划 (不含演示数据)")
    init.add_argument("--region", required=True, help="省或市的行政区划代码, 如 620800 (平凉市)、610000 (陕西省)")
    init.set_defaults(func=cmd_init)

    targets = sub.add_parser("targets", help="输出已录入规划的全部量化目标 (按辖区和规划期)")
    targets.add_argument("--format", choices=("csv", "tsv"), default="csv")
    targets.set_defaults(func=cmd_targets)

    indicators = sub.add_parser(
        "indicators", help="输出某地区某年各单位的指标值与达标状态",
        description="输出某地区某年各单位的指标值、达标状态和缺口。status: "
        + "; ".join(f"{band.status.value} {band.label_zh}({band.explanation_zh})" for band in BANDS)
        + "。shortfall: 达到目标还需的数量(单位见 shortfall_unit), 学校和区县按自身数据计算, 市、省为所辖区县之和;"
        " 无法计算时为空。样本不足时不输出比率。")
    indicators.add_argument("--region", required=True, help="行政区划代码, 如 610000")
    indicators.add_argument("--year", required=True, type=int)
    indicators.add_argument("--level", required=True, help="city / county / school (或 province)")
    indicators.add_argument("--format", choices=("csv", "tsv"), default="csv")
    add_basis_option(indicators)
    add_acting_user(indicators, "view")
    indicators.set_defaults(func=cmd_indicators)

    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if hasattr(args, "acting_action"):
            resolve_acting_user(args)
        return int(args.func(args) or 0)
    except (CommandError, RegionError, UnknownIndicator, KeyError, AccessDenied, AccountError, ReviewRefused) as error:
        message = error.args[0] if error.args else str(error)
        print(f"错误: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except (WarehouseBusy, WarehouseMissing) as unusable:
        print(f"错误: {unusable}", file=sys.stderr)
        return 2
    except ProgrammingError as error:  # a missing table: the warehouse was never initialised or upgraded
        detail = str(error.orig).splitlines()[0][:200] if error.orig else type(error).__name__
        print(f"错误: 数据仓库中没有所需的表 (尚未初始化或升级: 请运行 mhmonitor init 或 mhmonitor demo): {detail}",
              file=sys.stderr)
        return 2
    except DBAPIError as error:
        detail = str(error.orig).splitlines()[0][:200] if error.orig else type(error).__name__
        print(f"错误: 无法访问数据仓库: {detail}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
