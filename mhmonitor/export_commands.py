"""`mhmonitor export-map` and `mhmonitor brief`: the meeting outputs without a browser."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path


def _engine():
    from data_access.engine import make_engine

    return make_engine()


def _check_environment() -> None:
    from exports.environment import export_problems
    from mhmonitor.cli import CommandError

    problems = export_problems()
    if problems:
        raise CommandError("; ".join(problems))


def cmd_export_map(args: argparse.Namespace) -> int:
    _check_environment()
    from exports.images import map_png

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        png = map_png(_engine(), args.region, args.year, args.indicator, mode=args.mode, scale=args.scale,
                      allowed_region=args.allowed_region)
    Path(args.out).write_bytes(png)
    print(f"已导出地图: {args.out} ({len(png) // 1024} KB)")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    _check_environment()
    from exports.brief import meeting_pack

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pptx = meeting_pack(_engine(), args.region, args.year, allowed_region=args.allowed_region,
                            progress=lambda fraction, message: print(f"[{fraction:4.0%}] {message}", flush=True))
    Path(args.out).write_bytes(pptx)
    print(f"已生成会议材料: {args.out} ({len(pptx) // 1024} KB)")
    return 0


def register(subparsers) -> None:
    from data_access.regions import ALL_REGIONS

    export_map = subparsers.add_parser("export-map", help="导出某指标的地图 PNG (1600x900, 可 2 倍)")
    export_map.add_argument("--region", required=True)
    export_map.add_argument("--year", required=True, type=int)
    export_map.add_argument("--indicator", required=True)
    export_map.add_argument("--out", required=True)
    export_map.add_argument("--scale", type=float, default=1, choices=(1, 2))
    export_map.add_argument("--mode", choices=("status", "value"), default="status")
    export_map.add_argument("--allowed-region", default=ALL_REGIONS)
    export_map.set_defaults(func=cmd_export_map)

    brief = subparsers.add_parser("brief", help="生成会议用 PPTX (标题、各重点指标地图、排名、上报情况)")
    brief.add_argument("--region", required=True)
    brief.add_argument("--year", required=True, type=int)
    brief.add_argument("--out", required=True)
    brief.add_argument("--allowed-region", default=ALL_REGIONS)
    brief.set_defaults(func=cmd_brief)
