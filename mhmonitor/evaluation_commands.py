"""`mhmonitor evaluation-report`: the plan-period final evaluation (终期评估) as Word, CSV or Excel.

The Word writer and the maps (python-docx, plotly, kaleido) are imported when the command runs, not when the
CLI starts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from data_access.engine import make_engine
from data_access.final_evaluation import final_evaluation
from mhmonitor.acting import add_acting_user
from mhmonitor.basis import add_basis_option, basis_line, cli_basis
from mhmonitor.errors import CommandError, write_file
from mhmonitor.export_commands import check_environment, rendering

FORMATS = (".docx", ".csv", ".xlsx")


def cmd_evaluation_report(args: argparse.Namespace) -> int:
    suffix = Path(args.out).suffix.lower()
    if suffix not in FORMATS:
        raise CommandError(f"输出文件 {args.out} 的类型应为 {' / '.join(FORMATS)} 之一")
    with_maps = suffix == ".docx" and not args.no_maps
    if with_maps:
        check_environment()
    from exports.evaluation_report import evaluation_docx, evaluation_table_bytes, headline_maps

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", flush=True)

    started = time.perf_counter()
    engine = make_engine()
    evaluation = final_evaluation(engine, args.region, args.plan, allowed_region=args.allowed_region,
                                  basis=cli_basis(args))
    if suffix == ".docx":
        maps = None
        if with_maps:
            with rendering():
                maps = headline_maps(engine, evaluation, allowed_region=args.allowed_region, progress=progress)
        data = evaluation_docx(evaluation, maps)
    else:
        data = evaluation_table_bytes(evaluation, suffix.lstrip("."))
    write_file(args.out, data)
    print(f"已生成终期评估: {args.out} ({len(evaluation.targets)} 项目标, {len(data) // 1024} KB, "
          f"{time.perf_counter() - started:.1f} 秒)")
    print(basis_line(args))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("evaluation-report",
                                   help="生成规划期终期评估: 各目标期限年度的数值、达标与差距 (Word/CSV/Excel)")
    report.add_argument("--region", required=True, help="行政区划代码: 规划辖区或其下级, 如 620800 (平凉市)")
    report.add_argument("--plan", required=True, help="规划编号, 如 pingliang_2023 / shaanxi_2024")
    report.add_argument("--out", required=True, help="输出文件: .docx (Word 报告) 或 .csv / .xlsx (明细表)")
    report.add_argument("--no-maps", action="store_true", help="Word 报告不附地图 (更快, 不需要 Chromium)")
    add_basis_option(report)
    add_acting_user(report, "export")
    report.set_defaults(func=cmd_evaluation_report)
