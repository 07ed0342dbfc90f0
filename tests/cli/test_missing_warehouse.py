"""A missing warehouse file: every command but init and demo says so in one Chinese line, exits non-zero and
creates nothing; init and demo create it."""

from __future__ import annotations

import pytest

from mhmonitor.cli import main

COMMANDS = (
    ["imports"],
    ["indicators", "--region", "620800", "--year", "2025", "--level", "county"],
    ["template", "school", "--out", "{tmp}/t.xlsx", "--region", "620802", "--year", "2025"],
    ["undo", "00000000-0000-0000-0000-000000000000"],
    ["user", "list"],
    ["user", "disable", "ktq"],
)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_commands_refuse_a_missing_file_in_one_line_and_create_nothing(argv, tmp_path, monkeypatch, capsys):
    path = tmp_path / "var" / "warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    assert main([part.format(tmp=tmp_path) for part in argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"错误: 数据仓库文件 {path} 不存在") and error.count("\n") == 1, error
    assert "mhmonitor init" in error and "Table" not in error
    assert not path.exists() and not path.parent.exists()


def test_an_empty_file_says_it_is_not_initialised(tmp_path, monkeypatch, capsys):
    import duckdb

    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    assert main(["imports"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("错误: 数据仓库中没有所需的表 (尚未初始化或升级") and error.count("\n") == 1, error


def test_init_creates_the_warehouse(tmp_path, monkeypatch, capsys):
    path = tmp_path / "new" / "warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    assert main(["init", "--region", "620800"]) == 0
    assert path.exists()
    assert main(["imports"]) == 0
