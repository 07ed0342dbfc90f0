"""`mhmonitor export-map` and `mhmonitor brief` on the fixture warehouse."""

from __future__ import annotations

import pytest
from PIL import Image
from pptx import Presentation

from exports.environment import check_export_environment
from mhmonitor.cli import main

# These fail before rendering, but only once the environment check has passed.
renderer_present = pytest.mark.skipif(bool(check_export_environment()), reason="Chromium or CJK font missing")


@pytest.fixture
def warehouse_env(warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url.render_as_string(hide_password=False))
    return warehouse


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_missing_chromium_fails_before_any_work(warehouse_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    out = tmp_path / "x.png"
    code, _, err = run(capsys, "export-map", "--region", "620800", "--year", "2024", "--indicator",
                       "counselor_coverage", "--out", str(out))
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and err.startswith("错误: 未找到 Chromium") and "apt-get install chromium" in err
    code, _, err = run(capsys, "brief", "--region", "620800", "--year", "2024", "--out", str(tmp_path / "x.pptx"))
    assert code == 2 and "apt-get install chromium" in err


@renderer_present
@pytest.mark.parametrize(("argv", "message"), [
    (("--region", "999999", "--year", "2024", "--indicator", "counselor_coverage"), "999999 不在数据仓库中"),
    (("--region", "620800", "--year", "2019", "--indicator", "counselor_coverage"), "2019 年没有上报数据"),
    (("--region", "620800", "--year", "2024", "--indicator", "nope"), "未知的指标 nope"),
])
def test_bad_arguments_are_one_chinese_line(warehouse_env, capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "export-map", *argv, "--out", str(tmp_path / "x.png"))
    assert code == 2 and message in err and err.count("\n") == 1


@renderer_present
def test_brief_for_a_year_without_reports_fails_cleanly(warehouse_env, capsys, tmp_path):
    code, _, err = run(capsys, "brief", "--region", "620800", "--year", "2019", "--out", str(tmp_path / "x.pptx"))
    assert code == 2 and "2019 年没有上报数据" in err and not (tmp_path / "x.pptx").exists()


@pytest.mark.export
@renderer_present
def test_export_map_writes_the_png(warehouse_env, capsys, tmp_path):
    out = tmp_path / "map.png"
    code, stdout, _ = run(capsys, "export-map", "--region", "610100", "--year", "2025", "--indicator",
                          "counselor_coverage", "--out", str(out), "--scale", "2", "--mode", "value")
    assert code == 0 and "已导出地图" in stdout
    assert Image.open(out).size == (3200, 1800)


@pytest.mark.export
@renderer_present
def test_brief_writes_pptx_and_pdf(warehouse_env, capsys, tmp_path):
    out, pdf = tmp_path / "pingliang.pptx", tmp_path / "pingliang.pdf"
    code, stdout, _ = run(capsys, "brief", "--region", "620800", "--year", "2024", "--out", str(out),
                          "--pdf", str(pdf))
    assert code == 0 and "[100%]" in stdout
    assert len(Presentation(str(out)).slides) == 11
    assert pdf.read_bytes().startswith(b"%PDF")


