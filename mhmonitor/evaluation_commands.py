"""`mhmonitor evaluation-report`: the plan-period final evaluation (终期评估) as Word, CSV or Excel."""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

FORMATS = (".docx", ".csv", ".xlsx")


def cmd_evaluation_report(args: argparse.Namespace) -> int:
    from data_access.engine import make_engine
    from data_access.final_evaluation import final_evaluation
    from mhmonitor.cli import CommandError
    from mhmonitor.export_commands import _check_environment, _rendering, _write

    suffix = Path(args.out).suffix.lower()
    if suffix not in FORMATS:
        raise CommandError(f"输出文件 {args.out} 的类型应为 {' / '.join(FORMATS)} 之一")
    with_maps = suffix == ".docx" and not args.no_maps
    if with_maps:
        _check_environment()
    from exports.evaluation_report import evaluation_docx, evaluation_table_bytes, headline_maps

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", flush=True)

    started = time.perf_counter()
    engine = make_engine()
    evaluation = final_evaluation(engine, args.region, args.plan, allowed_region=args.allowed_region)
    if suffix == ".docx":
        maps = None
        if with_maps:
            with warnings.catch_warnings(), _rendering():
                warnings.simplefilter("ignore")
                maps = headline_maps(engine, evaluation, allowed_region=args.allowed_region, progress=progress)
        data = evaluation_docx(evaluation, maps)
    else:
        data = evaluation_table_bytes(evaluation, suffix.lstrip("."))
    _write(args.out, data)
    print(f"已生成终期评估: {args.out} ({len(evaluation.targets)} 项目标, {len(data) // 1024} KB, "
          f"{time.perf_counter() - started:.1f} 秒)")
    return 0


def register(subparsers) -> None:
    from data_access.regions import ALL_REGIONS

    report = subparsers.add_parser("evaluation-report",
                                   help="生成规划期终期评估: 各目标期限年度的数值、达标与差距 (Word/CSV/Excel)")
    report.add_argument("--region", required=True, help="行政区划代码: 规划辖区或其下级, 如 620800 (平凉市)")
    report.add_argument("--plan", required=True, help="规划编号, 如 pingliang_2023 / shaanxi_2024")
    report.add_argument("--out", required=True, help="输出文件: .docx (Word 报告) 或 .csv / .xlsx (明细表)")
    report.add_argument("--no-maps", action="store_true", help="Word 报告不附地图 (更快, 不需要 Chromium)")
    report.add_argument("--allowed-region", default=ALL_REGIONS, help="调用者的权限范围 (行政区划代码)")
    report.set_defaults(func=cmd_evaluation_report)
