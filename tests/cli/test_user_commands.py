"""`mhmonitor user ...` and `--as LOGIN` on the fixture warehouse, both engines: one Chinese line and a
non-zero exit for every bad request; a command acting as a user stays inside that user's role and region."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from data_access.schema import import_batches, users
from tests.cli.test_cli import run, warehouse_env  # noqa: F401  (fixture)

PASSWORD = "Kongtong-2025\n"


def user_cmd(capsys, monkeypatch, *argv: str, stdin: str = PASSWORD) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(capsys, "user", *argv)


def add(capsys, monkeypatch, login: str, role: str, region: str, *extra: str, stdin: str = PASSWORD):
    return user_cmd(capsys, monkeypatch, "add", login, "--role", role, "--region", region, *extra,
                    "--password-stdin", stdin=stdin)


def test_add_list_disable_passwd(capsys, monkeypatch, warehouse_env):  # noqa: F811
    code, out, err = add(capsys, monkeypatch, "ktq", "reporter", "620802", "--name", "崆峒区填报员")
    assert code == 0, err
    assert "已创建账号 ktq (崆峒区填报员), 角色 reporter, 范围 620802" in out
    with warehouse_env.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "Kongtong" not in stored
    code, out, _ = user_cmd(capsys, monkeypatch, "list")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["login"], r["role"], r["region"], r["active"], r["password"]) for r in rows] == [
        ("ktq", "reporter", "620802", "yes", "yes")]
    code, out, _ = user_cmd(capsys, monkeypatch, "passwd", "ktq", "--password-stdin", stdin="Another-pass-9\n")
    assert code == 0 and "已更新账号 ktq 的密码" in out
    code, out, _ = user_cmd(capsys, monkeypatch, "disable", "ktq")
    assert code == 0 and "已停用账号 ktq" in out
    rows = list(csv.DictReader(io.StringIO(user_cmd(capsys, monkeypatch, "list")[1])))
    assert rows[0]["active"] == "no"


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (("ktq", "reporter", "999999"), PASSWORD, "行政区划代码「999999」不在数据仓库中"),
    (("ktq", "boss", "620802"), PASSWORD, "未知的角色「boss」"),
    (("ktq", "reporter", "620802"), "\n", "密码不能为空"),
    (("ktq", "reporter", "620802"), "", "密码不能为空"),
    (("ktq", "reporter", "620802"), "abcdefghijkl\n", "密码太弱"),
    (("ktq", "reporter", "620802"), "short\n", "密码太短"),
])
def test_bad_add_is_one_chinese_line(capsys, monkeypatch, warehouse_env, argv, stdin, message):  # noqa: F811
    code, out, err = add(capsys, monkeypatch, *argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.startswith("错误: ") and message in err and len(err.strip().splitlines()) == 1


def test_existing_login_and_unknown_user_are_refused(capsys, monkeypatch, warehouse_env):  # noqa: F811
    assert add(capsys, monkeypatch, "ktq", "reporter", "620802")[0] == 0
    code, _, err = add(capsys, monkeypatch, "ktq", "viewer", "620800")
    assert code == 2 and "账号「ktq」已存在" in err and len(err.strip().splitlines()) == 1
    code, _, err = user_cmd(capsys, monkeypatch, "disable", "nobody")
    assert code == 2 and "没有账号「nobody」" in err
    code, _, err = user_cmd(capsys, monkeypatch, "passwd", "ktq")
    assert code == 2 and "--password-stdin" in err


P1_CSV = "学校代码,年度,在校生数\nP1,2024,510\n"  # a 崆峒区 school
S1_CSV = "学校代码,年度,在校生数\nS1,2025,1250\n"  # a 新城区 (西安) school


@pytest.fixture
def people(capsys, monkeypatch, warehouse_env):  # noqa: F811
    for login, role, region in (("ktq", "reporter", "620802"), ("ktq2", "reporter", "620802"),
                                ("pl.viewer", "viewer", "620800"), ("pl.admin", "admin", "620800")):
        assert add(capsys, monkeypatch, login, role, region)[0] == 0
    assert add(capsys, monkeypatch, "gone", "reporter", "620802")[0] == 0
    assert user_cmd(capsys, monkeypatch, "disable", "gone")[0] == 0


def test_commands_act_as_the_user_inside_their_role_and_region(capsys, people, warehouse_env, tmp_path):  # noqa: F811
    p1, s1 = tmp_path / "p1.csv", tmp_path / "s1.csv"
    p1.write_text(P1_CSV, encoding="utf-8")
    s1.write_text(S1_CSV, encoding="utf-8")
    code, _, err = run(capsys, "import", str(p1), "--as", "pl.viewer")
    assert code == 2 and "无权导入" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "import", str(p1), "--as", "gone")
    assert code == 2 and "没有启用的账号「gone」" in err
    code, _, err = run(capsys, "import", str(s1), "--as", "ktq")  # a 西安 school: outside 崆峒区
    assert code == 1 and "未导入" in err
    code, _, err = run(capsys, "import", str(p1), "--as", "ktq", "--allowed-region", "620800")  # wider: refused
    assert code == 2 and "无权导入" in err
    code, out, err = run(capsys, "import", str(p1), "--as", "ktq")
    assert code == 0, err
    with warehouse_env.connect() as conn:
        batch, who = conn.execute(sa.select(import_batches.c.batch_id, import_batches.c.imported_by)
                                  .where(import_batches.c.status == "applied")).one()
    assert who == "ktq"
    code, _, err = run(capsys, "undo", batch, "--as", "ktq2")
    assert code == 2 and "填报员只能撤销本人的导入" in err
    code, out, _ = run(capsys, "imports", "--as", "pl.viewer")
    history = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["导入人"] for r in history] == ["ktq", "ktq"]  # the rejected try and the import
    code, out, _ = run(capsys, "undo", batch, "--as", "pl.admin")
    assert code == 0 and f"已撤销批次 {batch}" in out


def test_read_commands_are_scoped_by_as(capsys, people, warehouse_env):  # noqa: F811
    code, out, _ = run(capsys, "indicators", "--region", "620800", "--year", "2024", "--level", "county",
                       "--as", "pl.viewer")
    assert code == 0 and "620802,崆峒区" in out
    code, _, err = run(capsys, "indicators", "--region", "610000", "--year", "2025", "--level", "city",
                       "--as", "pl.viewer")
    assert code == 2 and "无权查看" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "template", "school", "--out", "x.xlsx", "--as", "pl.viewer")
    assert code == 2 and "无权导入" in err
