"""`mhmonitor review status | submit | approve | return | withdraw | history | warnings | deadline`: the review chain
(data_access/review.py) from the command line, acting as a user (--as LOGIN) exactly as the review page does.

A refused transition prints one Chinese line on stderr and exits non-zero (ReviewRefused, handled by cli.main).
"""

from __future__ import annotations

import argparse
from datetime import date

import pandas as pd

from data_access import review
from data_access.access import permitted_region
from data_access.cells import frame_text
from data_access.engine import make_engine
from data_access.formatting import MISSING
from data_access.regions import region_frame, require_region
from mhmonitor.acting import add_acting_user

STATUS_HEADERS = {"county_adcode": "县区代码", "county_name": "县(区)", "year": "年度", "report_type": "上报类型",
                  "state": "状态", "approved_levels": "已审核层级", "final": "终审", "open_warnings": "未说明提示",
                  "deadline": "截止日期", "last_actor": "最后操作人", "last_at": "最后操作时间(北京)",
                  "reason": "退回原因"}
HISTORY_HEADERS = {"occurred_at": "时间(北京)", "unit_adcode": "单位代码", "unit_name": "单位", "year": "年度",
                   "report_type": "上报类型", "action": "操作", "from_state": "原状态", "to_state": "新状态",
                   "actor": "操作人", "actor_name": "显示名", "reason": "原因", "explanation": "说明",
                   "rows_reported": "上报行数", "open_warnings": "未说明提示"}
TYPE_HELP = ", ".join(f"{key}={name}" for key, name in review.REPORT_NAMES_ZH.items())


def _scope(engine, args: argparse.Namespace) -> str:
    """--region narrowed to what the acting user may see (RegionError / AccessDenied otherwise)."""
    require_region(engine, args.region, args.allowed_region)
    with engine.connect() as conn:
        return permitted_region(conn, args.principal, "view", args.region)


def _print(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        print(frame_text(frame, "csv"), end="")
    elif frame.empty:
        print("(无)")
    else:
        print(frame.to_string(index=False))


def _states(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].map(review.STATE_ZH).fillna(frame[column])
    return frame


def cmd_status(args: argparse.Namespace) -> int:
    engine = make_engine()
    region = _scope(engine, args)
    table = review.review_table(engine, args.year, region)
    if args.type:
        table = table[table["report_type"] == args.type]
    shown = table[list(STATUS_HEADERS)].copy()
    shown["report_type"] = shown["report_type"].map(review.REPORT_NAMES_ZH)
    names = dict(zip(*(region_frame(engine)[c] for c in ("adcode", "name")), strict=True))
    shown["approved_levels"] = [" > ".join(names.get(code, code) for code in levels) or MISSING
                                for levels in shown["approved_levels"]]
    shown["final"] = ["是" if final else "否" for final in shown["final"]]
    shown["deadline"] = [d.isoformat() if isinstance(d, date) and pd.notna(d) else "" for d in shown["deadline"]]
    shown["last_at"] = [(pd.Timestamp(at) + review.BEIJING).strftime("%Y-%m-%d %H:%M") if pd.notna(at) else ""
                        for at in shown["last_at"]]
    shown = _states(shown, "state").fillna("").rename(columns=STATUS_HEADERS)
    _print(shown, args.format)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    engine = make_engine()
    region = _scope(engine, args)
    history = review.review_history(engine, region, args.year)
    shown = history[list(HISTORY_HEADERS)].copy()
    shown["occurred_at"] = shown["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    shown["report_type"] = shown["report_type"].map(review.REPORT_NAMES_ZH)
    shown["action"] = shown["action"].map(review.TRANSITION_ZH)
    shown = _states(shown, "from_state", "to_state").fillna("").rename(columns=HISTORY_HEADERS)
    _print(shown, args.format)
    return 0


def _done(engine, args: argparse.Namespace) -> None:
    """One line saying what the transition did, from the history it left."""
    last = review.review_history(engine, args.region, args.year, limit=20)
    last = last[(last["unit_adcode"] == args.region) & (last["report_type"] == args.type)].iloc[0]
    print(f"{review.TRANSITION_ZH[last['action']]}: {last['unit_name']} {args.year} 年"
          f"{review.REPORT_NAMES_ZH[args.type]} {review.STATE_ZH[last['from_state']]} → "
          f"{review.STATE_ZH[last['to_state']]}")


WARNING_HEADERS = {"warning_id": "提示编号", "unit_id": "单位代码", "file_name": "文件", "excel_row": "行",
                   "column_header": "列", "previous_year": "上次上报年度", "old_value": "原值", "new_value": "新值",
                   "message": "提示", "explanation": "说明", "explained_by": "说明人"}


def cmd_warnings(args: argparse.Namespace) -> int:
    engine = make_engine()
    region = _scope(engine, args)
    if region != args.region:
        raise review.ReviewRefused(f"无权查看 {args.region} 的经验校验提示")
    shown = review.county_warnings(engine, args.region, args.year, args.type)[list(WARNING_HEADERS)]
    shown = shown.astype({"previous_year": "Int64", "excel_row": "Int64"}).fillna("").rename(columns=WARNING_HEADERS)
    _print(shown, args.format)
    return 0


def _explanations(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        warning, separator, text = pair.partition("=")
        if not separator:
            raise review.ReviewRefused(f"--explain-warning 应写作 提示编号=说明 (收到 {pair[:40]!r})")
        found[warning.strip()] = text
    return found


def cmd_submit(args: argparse.Namespace) -> int:
    engine = make_engine()
    review.submit(engine, args.principal, args.region, args.year, args.type, explanation=args.explain,
                  explanations=_explanations(args.explain_warning), schools_reason=args.schools_reason)
    _done(engine, args)
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    engine = make_engine()
    review.approve(engine, args.principal, args.region, args.year, args.type)
    _done(engine, args)
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    engine = make_engine()
    review.return_(engine, args.principal, args.region, args.year, args.type, reason=args.reason)
    _done(engine, args)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    engine = make_engine()
    review.withdraw(engine, args.principal, args.region, args.year, args.type, reason=args.reason)
    _done(engine, args)
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    engine = make_engine()
    due = None if args.clear else args.date
    review.set_deadline(engine, args.principal, args.region, args.year, args.type, due)
    name = require_region(engine, args.region)["name"]
    what = f"{name} {args.year} 年{review.REPORT_NAMES_ZH[args.type]}"
    print(f"已取消{what}的截止日期" if due is None else f"已设置{what}的截止日期: {due.isoformat()}")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD, 如 2026-09-30 (收到 {text[:20]!r})") from None


def _common(parser: argparse.ArgumentParser, region_help: str, *, with_type: bool = True,
            type_required: bool = True) -> None:
    parser.add_argument("--region", required=True, help=region_help)
    parser.add_argument("--year", required=True, type=int)
    if with_type:
        parser.add_argument("--type", required=type_required, choices=review.REPORT_TYPES, help=TYPE_HELP)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("review", help="逐级审核: 状态、上报、审核通过、退回、取消审核、记录、截止日期")
    commands = parser.add_subparsers(dest="review_command", required=True)

    status = commands.add_parser("status", help="各县(区)各上报类型的审核状态")
    _common(status, "省、市或县的行政区划代码", type_required=False)
    status.add_argument("--format", choices=("text", "csv"), default="text")
    add_acting_user(status, "view")
    status.set_defaults(func=cmd_status)

    submit = commands.add_parser("submit", help="县(区)上报 (填报中或已退回 → 已上报)")
    _common(submit, "县(区)的行政区划代码")
    submit.add_argument("--explain", help="对全部未说明的经验校验提示的一条总说明")
    submit.add_argument("--explain-warning", action="append", default=[], metavar="ID=TEXT",
                        help="对一条提示的说明 (编号见 mhmonitor review warnings), 可重复")
    submit.add_argument("--schools-reason", help="有学校账号未提交自己的填报时, 县级仍然上报的原因 (记入审核历史)")
    add_acting_user(submit, "submit")
    submit.set_defaults(func=cmd_submit)

    approve = commands.add_parser("approve", help="审核通过县(区)的上报; 省级规划下由省确认市")
    _common(approve, "县(区)的代码 (市级审核), 或市的代码 (省级确认)")
    add_acting_user(approve, "approve")
    approve.set_defaults(func=cmd_approve)

    back = commands.add_parser("return", help="退回县(区)的上报 (须写原因, 县区可见)")
    _common(back, "县(区)的行政区划代码")
    back.add_argument("--reason", required=True, help="退回原因")
    add_acting_user(back, "return")
    back.set_defaults(func=cmd_return)

    withdraw = commands.add_parser("withdraw", help="取消审核 (审核人或更高一级, 须写原因)")
    _common(withdraw, "县(区)的代码 (取消市级审核), 或市的代码 (取消省级确认)")
    withdraw.add_argument("--reason", required=True, help="取消原因")
    add_acting_user(withdraw, "withdraw")
    withdraw.set_defaults(func=cmd_withdraw)

    history = commands.add_parser("history", help="审核记录 (谁、何时、从何状态到何状态、原因、行数、提示数)")
    _common(history, "省、市或县的行政区划代码", with_type=False)
    history.add_argument("--format", choices=("text", "csv"), default="text")
    add_acting_user(history, "view")
    history.set_defaults(func=cmd_history)

    warnings = commands.add_parser("warnings", help="某县(区)某年某上报类型的经验校验提示 (含编号和说明)")
    _common(warnings, "县(区)的行政区划代码")
    warnings.add_argument("--format", choices=("text", "csv"), default="text")
    add_acting_user(warnings, "view")
    warnings.set_defaults(func=cmd_warnings)

    deadline = commands.add_parser("deadline", help="设置某地区某年某上报类型的截止日期 (管理员)")
    _common(deadline, "省、市或县的行政区划代码 (下属县区沿用最近一级的截止日期)")
    when = deadline.add_mutually_exclusive_group(required=True)
    when.add_argument("--date", type=_date, help="截止日期 YYYY-MM-DD")
    when.add_argument("--clear", action="store_true", help="取消已设置的截止日期")
    add_acting_user(deadline, "set_deadline")
    deadline.set_defaults(func=cmd_deadline)

