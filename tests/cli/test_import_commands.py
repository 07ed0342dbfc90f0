"""`mhmonitor template | import | imports | undo` on the fixture warehouse, both engines."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from data_access.accounts import add_user
from data_access.schema import import_batches, region_year
from tests.cli.test_cli import run, warehouse_env  # noqa: F401  (fixture)

HEADER = "行政区划代码,县(区)名称,年度,常住人口,精神科执业(助理)医师数\n"
GOOD_REGION_CSV = HEADER + "610102,新城区,2025,510000,26\n"
BAD_REGION_CSV = HEADER + "610102,新城区,2025,-1,26\n999999,无,2025,1,1\n"


@pytest.fixture
def users(warehouse_env):  # noqa: F811
    """A reporter of 西安市 and a provincial administrator, for --as."""
    add_user(warehouse_env, "wangwu", role="reporter", region="610100", password=None, display_name="王五",
             email="wangwu@example.org")
    add_user(warehouse_env, "zhaoliu", role="admin", region="610000", password=None, display_name="赵六",
             email="zhaoliu@example.org")


def _region_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.select(region_year).order_by(region_year.c.adcode, region_year.c.year)).all()


def test_template_is_written_and_prefilled(capsys, warehouse_env, tmp_path):  # noqa: F811
    out_file = tmp_path / "学校年报.xlsx"
    code, out, err = run(capsys, "template", "school", "--out", str(out_file), "--region", "610103", "--year", "2025")
    assert code == 0, err
    assert "已预填 2 个单位" in out
    sheet = load_workbook(out_file)["填报"]
    assert sheet["A1"].value == "学校代码" and sheet["C1"].value == "年度"
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 3).value) for r in (2, 3)] == [("S5", 2025), ("S6", 2025)]
    assert "填表说明" in load_workbook(out_file).sheetnames


def test_template_refuses_unknown_type(capsys):
    code, _, err = run(capsys, "template", "teachers", "--out", "x.xlsx")
    assert code == 2 and "未知的上报类型" in err and "school" in err


def test_dry_run_previews_and_writes_nothing(capsys, warehouse_env, tmp_path):  # noqa: F811
    before = _region_rows(warehouse_env)
    path = tmp_path / "人口.csv"
    path.write_bytes(GOOD_REGION_CSV.encode("gb18030"))
    code, out, _ = run(capsys, "import", str(path), "--dry-run", "--show-changes")
    assert code == 0
    assert "预览 (尚未写入)" in out and "新增 0 行, 修改 1 行, 不变 0 行" in out
    assert "常住人口,500000,510000" in out
    assert _region_rows(warehouse_env) == before


def test_import_applies_then_second_time_changes_nothing(capsys, warehouse_env, users, tmp_path):  # noqa: F811
    path = tmp_path / "人口.csv"
    path.write_text(GOOD_REGION_CSV, encoding="utf-8-sig")
    code, out, _ = run(capsys, "import", str(path), "--as", "wangwu")
    assert code == 0 and "已导入 人口.csv (区县人口与精神科医师)" in out and "修改 1 行" in out
    assert ("610102", 2025, 510_000, 26) in [tuple(r) for r in _region_rows(warehouse_env)]
    code, out, _ = run(capsys, "import", str(path), "--as", "wangwu")
    assert code == 0 and "新增 0 行, 修改 0 行, 不变 1 行" in out


def test_rejected_file_exits_non_zero_lists_every_problem_and_is_in_history(capsys, warehouse_env, users, tmp_path):  # noqa: F811
    before = _region_rows(warehouse_env)
    path = tmp_path / "错.csv"
    path.write_text(BAD_REGION_CSV, encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--as", "wangwu")
    assert code == 1 and out == ""
    assert "未导入" in err and "有 2 处问题" in err
    assert "第 2 行, 列「常住人口」, 值「-1」: 人数不能为负数" in err
    assert "第 3 行, 列「行政区划代码」, 值「999999」" in err
    assert _region_rows(warehouse_env) == before
    code, out, _ = run(capsys, "imports")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["结果"] == "被拒绝 (未写入)" and rows[0]["导入人"] == "王五 (wangwu)"
    assert rows[0]["问题数"] == "2"


def test_undo_restores_the_old_value(capsys, warehouse_env, users, tmp_path):  # noqa: F811
    path = tmp_path / "人口.csv"
    path.write_text(GOOD_REGION_CSV, encoding="utf-8")
    assert run(capsys, "import", str(path), "--as", "wangwu")[0] == 0
    with warehouse_env.connect() as conn:
        batch = conn.execute(sa.select(import_batches.c.batch_id)).scalar_one()
    code, out, _ = run(capsys, "undo", batch, "--as", "zhaoliu")
    assert code == 0 and f"已撤销批次 {batch}" in out
    assert ("610102", 2025, 500_000, 25) in [tuple(r) for r in _region_rows(warehouse_env)]
    code, _, err = run(capsys, "undo", batch)
    assert code == 2 and "只能撤销已导入的批次" in err


def test_import_of_missing_file_is_one_line(capsys, warehouse_env, tmp_path):  # noqa: F811
    code, _, err = run(capsys, "import", str(tmp_path / "none.xlsx"))
    assert code == 2 and err.startswith("错误: 无法读取") and len(err.strip().splitlines()) == 1


def test_duckdb_file_held_by_another_process_is_one_clear_line(capsys, tmp_path, monkeypatch):
    path = tmp_path / "held.duckdb"
    hold = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
        code, _, err = run(capsys, "imports")
    finally:
        holder.kill()
        holder.wait()
    assert code == 2 and "无法访问数据仓库" in err and "「上报导入」页面" in err
    assert len(err.strip().splitlines()) == 1


def test_template_with_values_for_corrections(capsys, warehouse_env, tmp_path):  # noqa: F811
    out_file = tmp_path / "更正.xlsx"
    code, out, err = run(capsys, "template", "region", "--out", str(out_file), "--region", "610100", "--year", "2025",
                         "--with-values")
    assert code == 0, err
    assert "已预填 2 个单位 (其中 2 个单位填入了 2025 年已上报的数值)" in out
    sheet = load_workbook(out_file)["填报"]
    assert [row[:5] for row in sheet.iter_rows(min_row=2, max_row=3, values_only=True)] == [
        ("610102", "新城区", 2025, 500000, 25), ("610103", "碑林区", 2025, 600000, 18)]
    code, _, err = run(capsys, "template", "region", "--out", str(out_file), "--with-values")
    assert code != 0 and "--with-values 需要同时给出 --region 和 --year" in err
