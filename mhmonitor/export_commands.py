"""`mhmonitor export-map` and `mhmonitor brief`: the meeting outputs without a browser.

The rendering modules (plotly, kaleido, python-pptx) are imported when a command that draws runs, not when
the CLI starts: `mhmonitor user list` should not wait a second and a half for them.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from data_access.engine import make_engine
from exports.environment import check_export_environment
from exports.renderer import ExportError, warm_up
from mhmonitor.acting import add_acting_user
from mhmonitor.basis import add_basis_option, basis_line, cli_basis
from mhmonitor.errors import CommandError, write_file


def check_environment() -> None:
    """Fail before any work, with the Debian package to install, when Chromium or a CJK font is missing."""
    problems = check_export_environment()
    if problems:
        raise CommandError("; ".join(problems))


@contextmanager
def rendering() -> Iterator[None]:
    """Turn a rendering failure into the CLI's one-line error, and keep plotly's warnings off the terminal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except ExportError as error:
        raise CommandError(str(error)) from error


def cmd_export_map(args: argparse.Namespace) -> int:
    check_environment()
    warm_up()  # Chromium starts while the warehouse is queried (already begun when run as `mhmonitor`)
    from exports.images import map_png

    started = time.perf_counter()
    with rendering():
        png = map_png(make_engine(), args.region, args.year, args.indicator, level=args.level, mode=args.mode,
                      scale=args.scale, allowed_region=args.allowed_region, basis=cli_basis(args))
    write_file(args.out, png)
    print(f"已导出地图: {args.out} ({len(png) // 1024} KB, {time.perf_counter() - started:.1f} 秒)")
    print(basis_line(args))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    check_environment()
    warm_up()
    from exports.brief import meeting_slides, pdf_bytes, pptx_bytes

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", flush=True)

    started = time.perf_counter()
    with rendering():
        deck = meeting_slides(make_engine(), args.region, args.year, allowed_region=args.allowed_region,
                              progress=progress, basis=cli_basis(args))
        outputs = [args.out] + ([args.pdf] if args.pdf else [])
        for out in outputs:
            data = pdf_bytes(deck, progress=progress) if out.lower().endswith(".pdf") else pptx_bytes(deck)
            write_file(out, data)
            print(f"已生成会议材料: {out} ({len(deck.slides)} 页, {len(data) // 1024} KB)")
    print(basis_line(args))
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def cmd_approved_only_default(args: argparse.Namespace) -> int:
    from data_access.meta import set_approved_only_default, warehouse_info

    engine = make_engine()
    set_approved_only_default(engine, {"on": True, "off": False, "auto": None}[args.value])
    shown = "开" if warehouse_info(engine).approved_only_default else "关"
    print(f"页面「仅显示已审核数据」默认: {shown} ({args.value}; auto = 真实数据仓库开, 演示数据关)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    default = subparsers.add_parser("approved-only-default",
                                    help="设置页面「仅显示已审核数据」的默认值 (数据仓库设置, 用户可在侧栏切换)")
    default.add_argument("value", choices=("on", "off", "auto"),
                         help="on 开 / off 关 / auto 真实数据仓库开、演示数据关")
    default.set_defaults(func=cmd_approved_only_default)
    export_map = subparsers.add_parser("export-map",
                                       help="导出某指标的地图 PNG (1600x900, 可 2 倍), 含标题、图例、目标与条款")
    export_map.add_argument("--region", required=True,
                            help="行政区划代码: 省 (地图为市)、市 (地图为县区)、县 (地图为学校)")
    export_map.add_argument("--year", required=True, type=int)
    export_map.add_argument("--indicator", required=True, help="指标编号, 见 mhmonitor targets")
    export_map.add_argument("--out", required=True, help="输出 PNG 文件")
    export_map.add_argument("--scale", type=int, default=1, choices=(1, 2), help="2 = 3200x1800 像素")
    export_map.add_argument("--mode", choices=("status", "value"), default="status",
                            help="status 按目标达成着色, value 按数值着色")
    export_map.add_argument("--level", choices=("city", "county", "school"), default=None,
                            help="地图单位层级 (默认为下一级)")
    add_basis_option(export_map)
    add_acting_user(export_map, "export")
    export_map.set_defaults(func=cmd_export_map)

    brief = subparsers.add_parser("brief", help="生成会议材料 PPTX (封面、各重点指标地图、排名、上报情况)")
    brief.add_argument("--region", required=True, help="行政区划代码, 如 620800 (平凉市)")
    brief.add_argument("--year", required=True, type=int)
    brief.add_argument("--out", required=True, help="输出文件: .pptx (或 .pdf)")
    brief.add_argument("--pdf", default=None, help="另存一份相同内容的 PDF")
    add_basis_option(brief)
    add_acting_user(brief, "export")
    brief.set_defaults(func=cmd_brief)
