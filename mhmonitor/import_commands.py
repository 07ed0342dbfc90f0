"""`mhmonitor template | import | imports | undo`: report files without a browser, same messages as the page."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from data_access.cells import frame_text
from data_access.engine import make_engine
from data_access.importing import (
    REPORT_TYPES,
    UndoRefused,
    history_table,
    import_file,
    import_history,
    prefill_units,
    report_type,
    reported_values,
    template_xlsx,
    undo_import,
)
from data_access.regions import require_region
from mhmonitor.acting import add_acting_user
from mhmonitor.errors import CommandError, read_file, write_file

# Exit codes: 0 imported or previewed, 1 the file was rejected or the import failed, 2 a usage mistake.
EXIT_REJECTED = 1


def _acting(args: argparse.Namespace) -> dict:
    """The importer's keyword arguments: the --as user's principal, or the operator's system account name."""
    if args.as_login:
        return {"principal": args.principal}
    try:
        return {"imported_by": f"{getpass.getuser()} (服务器)"}
    except (KeyError, OSError):
        return {"imported_by": "服务器操作员"}


def cmd_template(args: argparse.Namespace) -> int:
    spec = report_type(args.type)
    if args.with_values and not spec.registry and not (args.region and args.year):
        raise CommandError("--with-values 需要同时给出 --region 和 --year")
    if args.with_values and not args.region:
        raise CommandError(f"{spec.name_zh}的 --with-values 需要同时给出 --region")
    if args.year and spec.registry:
        raise CommandError(f"{spec.name_zh}不分年度: 请去掉 --year")
    units: list[tuple[str, str]] = []
    values: dict[str, dict] = {}
    if args.region:
        engine = make_engine()
        require_region(engine, args.region, args.allowed_region)
        with engine.connect() as conn:
            units = prefill_units(conn, spec, args.region)
            if args.with_values:
                values = reported_values(conn, spec, [unit_id for unit_id, _ in units], args.year)
    data = template_xlsx(spec, units=units, year=args.year, values=values)
    write_file(args.out, data)
    filled = f", 已预填 {len(units)} 个单位" if units else ""
    if args.with_values:
        filled += (" (填入了名录中的现有信息)" if spec.registry
                   else f" (其中 {len(values)} 个单位填入了 {args.year} 年已上报的数值)")
    print(f"已生成{spec.name_zh}模板: {args.out}{filled}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.type:
        report_type(args.type)  # unknown type: one-line error before reading anything
    path = Path(args.file)
    data = read_file(args.file)
    outcome = import_file(make_engine(), path.name, data, type_key=args.type, allowed_region=args.allowed_region,
                          dry_run=args.dry_run, **_acting(args))
    stream = sys.stdout if outcome.ok else sys.stderr
    for line in outcome.summary_lines():
        print(line, file=stream)
    if outcome.ok and args.dry_run and outcome.plan is not None and args.show_changes:
        print(frame_text(outcome.plan.changes_frame()), end="")
    return 0 if outcome.ok else EXIT_REJECTED


def cmd_imports(args: argparse.Namespace) -> int:
    table = history_table(import_history(make_engine(), args.allowed_region, limit=args.limit))
    table = table.assign(说明=table["说明"].str.split("\n").str[0])
    print(frame_text(table), end="")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    try:
        undo_id = undo_import(make_engine(), args.batch, allowed_region=args.allowed_region, **_acting(args))
    except UndoRefused as refused:
        raise CommandError(str(refused)) from refused
    print(f"已撤销批次 {args.batch} (撤销记录为批次 {undo_id})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    types = ", ".join(f"{key}={spec.name_zh}" for key, spec in REPORT_TYPES.items())

    template = sub.add_parser("template", help="生成上报模板 (.xlsx, 含填表说明)")
    template.add_argument("type", help=f"上报类型: {types}")
    template.add_argument("--out", required=True, help="输出文件, 如 学校年报.xlsx")
    template.add_argument("--region", help="预填该地区 (行政区划代码) 的全部单位")
    template.add_argument("--year", type=int, help="预填年度 (名录不分年度)")
    template.add_argument("--with-values", action="store_true",
                          help="同时填入该年度已上报的数值 (名录: 现有信息), 用于更正: 只改需要改的格")
    add_acting_user(template, "import")
    template.set_defaults(func=cmd_template)

    load = sub.add_parser("import", help="导入上报文件 (.xlsx/.xls/.xlsb/.et/.ods/.csv): 整份导入或整份拒绝")
    load.add_argument("file")
    load.add_argument("--type", help=f"上报类型 (默认按表头判断): {types}")
    load.add_argument("--dry-run", action="store_true", help="只检查并预览, 不写入")
    load.add_argument("--show-changes", action="store_true", help="预览时输出逐项修改明细 (CSV)")
    add_acting_user(load, "import")
    load.set_defaults(func=cmd_import)

    history = sub.add_parser("imports", help="导入历史 (CSV)")
    history.add_argument("--limit", type=int, default=50)
    add_acting_user(history, "view")
    history.set_defaults(func=cmd_imports)

    undo = sub.add_parser("undo", help="撤销一个已导入的批次")
    undo.add_argument("batch", help="批次 ID (见 mhmonitor imports)")
    add_acting_user(undo, "undo_own")
    undo.set_defaults(func=cmd_undo)
