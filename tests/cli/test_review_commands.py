"""`mhmonitor review ...` on the fixture warehouse, both engines: the whole Pingliang chain from the command
line, one Chinese line and a non-zero exit for every refused transition."""

from __future__ import annotations

import csv
import io

from data_access import accounts
from tests.cli.test_cli import run, warehouse_env  # noqa: F401  (fixture)

PASSWORD = "Review-pass-2025"


def users(engine) -> None:
    for login, role, region in (("kt", "reporter", "620802"), ("pl", "reviewer", "620800"),
                                ("pladmin", "admin", "620800")):
        accounts.add_user(engine, login, role=role, region=region, password=PASSWORD, display_name=login)


def status(capsys, *extra: str) -> list[dict]:
    code, out, err = run(capsys, "review", "status", "--region", "620800", "--year", "2025", "--format", "csv",
                         *extra)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def refused(capsys, *argv: str) -> str:
    code, out, err = run(capsys, "review", *argv)
    assert code != 0 and out == ""
    assert err.startswith("错误: ") and len(err.strip().splitlines()) == 1, err
    return err


def test_the_chain_from_the_command_line(capsys, warehouse_env):  # noqa: F811
    users(warehouse_env)
    unit = ("--region", "620802", "--year", "2025", "--type", "school")
    rows = status(capsys, "--type", "school")
    assert [(r["县区代码"], r["状态"]) for r in rows] == [("620802", "填报中")]

    assert "只有填报中或已退回" not in refused(capsys, "approve", *unit, "--as", "pl")
    code, out, err = run(capsys, "review", "submit", *unit, "--as", "kt")
    assert (code, out.strip()) == (0, "上报: 崆峒区 2025 年学校年报 填报中 → 已上报"), err
    assert "已上报" in refused(capsys, "submit", *unit, "--as", "kt")
    assert "无权审核通过" in refused(capsys, "approve", *unit, "--as", "kt")
    assert "退回须填写原因" in refused(capsys, "return", *unit, "--reason", " ", "--as", "pl")
    code, out, _ = run(capsys, "review", "return", *unit, "--reason", "人数与上年差异大, 请核实", "--as", "pl")
    assert (code, out.strip()) == (0, "退回: 崆峒区 2025 年学校年报 已上报 → 已退回")
    assert status(capsys, "--type", "school")[0]["退回原因"] == "人数与上年差异大, 请核实"
    assert run(capsys, "review", "submit", *unit, "--as", "kt")[0] == 0
    code, out, _ = run(capsys, "review", "approve", *unit, "--as", "pl")
    assert (code, out.strip()) == (0, "审核通过: 崆峒区 2025 年学校年报 已上报 → 已审核")
    assert "目前为「已审核」(pl 于 " in refused(capsys, "approve", *unit, "--as", "pladmin")
    assert "没有更高一级的确认" in refused(capsys, "approve", "--region", "620800", "--year", "2025", "--type",
                                          "school", "--as", "pladmin")
    assert "须以账号身份执行" in refused(capsys, "withdraw", *unit, "--reason", "重新核对")
    code, out, _ = run(capsys, "review", "withdraw", *unit, "--reason", "重新核对", "--as", "pladmin")
    assert (code, out.strip()) == (0, "取消审核: 崆峒区 2025 年学校年报 已审核 → 已上报")

    code, out, _ = run(capsys, "review", "history", "--region", "620802", "--year", "2025", "--format", "csv")
    history = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["操作"] for r in history] == ["取消审核", "审核通过", "上报", "退回", "上报"]
    assert history[3]["原因"] == "人数与上年差异大, 请核实" and history[0]["操作人"] == "pladmin"
    assert history[0]["上报行数"] == "0"  # 崆峒区 schools P1 and P2 reported for 2024 only
    code, out, _ = run(capsys, "review", "history", "--region", "620802", "--year", "2025")
    assert code == 0 and "取消审核" in out


def test_deadline_and_scope(capsys, warehouse_env):  # noqa: F811
    users(warehouse_env)
    assert "无权设置截止日期" in refused(capsys, "deadline", "--region", "620800", "--year", "2025", "--type",
                                         "school", "--date", "2025-09-30", "--as", "pl")
    code, out, err = run(capsys, "review", "deadline", "--region", "620800", "--year", "2025", "--type", "school",
                         "--date", "2025-09-30", "--as", "pladmin")
    assert (code, out.strip()) == (0, "已设置平凉市 2025 年学校年报的截止日期: 2025-09-30"), err
    assert status(capsys, "--type", "school")[0]["截止日期"] == "2025-09-30"
    code, _, err = run(capsys, "review", "deadline", "--region", "620800", "--year", "2025", "--type", "school",
                       "--date", "30.9.2025", "--as", "pladmin")
    assert code == 2 and "日期应写作 YYYY-MM-DD" in err
    assert "无权查看" in refused(capsys, "status", "--region", "610000", "--year", "2025", "--as", "kt")


def test_dry_run_shows_the_warning_and_submit_needs_an_explanation(capsys, warehouse_env, tmp_path):  # noqa: F811
    users(warehouse_env)
    report = tmp_path / "崆峒区.csv"
    report.write_text("学校代码,年度,在校生数\nP1,2025,900\n", encoding="utf-8")  # P1: 500 in 2024
    code, out, err = run(capsys, "import", str(report), "--dry-run", "--as", "kt")
    assert code == 0, err
    assert ("文件 崆峒区.csv, 第 2 行, 列「在校生数」, 单位 P1: 2024 年 500 → 2025 年 900: "
            "在校生数较上一次上报 (2024 年) 变化超过 30%") in out
    assert run(capsys, "import", str(report), "--as", "kt")[0] == 0
    assert status(capsys, "--type", "school")[0]["未说明提示"] == "1"
    unit = ("--region", "620802", "--year", "2025", "--type", "school")
    assert "有 1 条经验校验提示尚未说明" in refused(capsys, "submit", *unit, "--as", "kt")
    code, out, _ = run(capsys, "review", "warnings", *unit, "--format", "csv", "--as", "kt")
    [warning] = list(csv.DictReader(io.StringIO(out)))
    assert (warning["单位代码"], warning["行"], warning["原值"], warning["新值"]) == ("P1", "2", "500", "900")
    assert "提示编号=说明" in refused(capsys, "submit", *unit, "--explain-warning", "oops", "--as", "kt")
    code, out, err = run(capsys, "review", "submit", *unit, "--explain-warning",
                         f"{warning['提示编号']}=新建校区招生", "--as", "kt")
    assert code == 0, err
    assert status(capsys, "--type", "school")[0]["未说明提示"] == "0"
    every_type = status(capsys)  # a type nobody acted on has no time: printed blank
    assert [(r["上报类型"], r["状态"], bool(r["最后操作时间(北京)"])) for r in every_type] == [
        ("学校年报", "已上报", True), ("核心知识知晓率调查", "填报中", False), ("医院门诊情况", "填报中", False),
        ("社区家长学校/指导站点", "填报中", False), ("区县人口与精神科医师", "填报中", False)]
    history = run(capsys, "review", "history", "--region", "620802", "--year", "2025", "--format", "csv")[1]
    assert list(csv.DictReader(io.StringIO(history)))[0]["说明"] == "P1 在校生数: 新建校区招生"
    code, _, err = run(capsys, "import", str(report), "--as", "kt")
    assert code == 1 and "崆峒区 2025 年学校年报已上报 (kt, " in err and "请联系平凉市审核人员退回" in err
