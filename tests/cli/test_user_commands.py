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


def _must_change(engine, login: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.select(users.c.must_change_password).where(users.c.login == login)).scalar())


def test_initial_and_reset_passwords_must_be_changed(capsys, monkeypatch, warehouse_env):  # noqa: F811
    code, out, _ = add(capsys, monkeypatch, "ktq", "reporter", "620802")
    assert code == 0 and "首次登录须修改密码" in out and _must_change(warehouse_env, "ktq")
    assert add(capsys, monkeypatch, "svc", "viewer", "620802", "--no-change-required")[0] == 0
    assert not _must_change(warehouse_env, "svc")
    from data_access.accounts import change_own_password

    change_own_password(warehouse_env, "ktq", "Kongtong-2025", "Mine-now-2026", "Mine-now-2026")
    assert not _must_change(warehouse_env, "ktq")
    code, out, _ = user_cmd(capsys, monkeypatch, "passwd", "ktq", "--password-stdin", stdin="Reset-pass-9\n")
    assert code == 0 and "下次登录时须修改密码" in out and _must_change(warehouse_env, "ktq")


def test_unlock_and_signout(capsys, monkeypatch, warehouse_env):  # noqa: F811
    from data_access import accounts, web_sessions

    assert add(capsys, monkeypatch, "ktq", "reporter", "620802")[0] == 0
    for _ in range(accounts.MAX_FAILURES):
        accounts.verify_login(warehouse_env, "ktq", "Wrong-password-1")
    assert accounts.verify_login(warehouse_env, "ktq", "Kongtong-2025").status == "throttled"
    code, out, _ = user_cmd(capsys, monkeypatch, "unlock", "ktq")
    assert code == 0 and "已解除账号 ktq 的登录锁定" in out
    assert accounts.verify_login(warehouse_env, "ktq", "Kongtong-2025").status == "ok"
    code, out, _ = user_cmd(capsys, monkeypatch, "unlock", "ktq")
    assert code == 0 and "当前没有登录锁定" in out

    tokens = [web_sessions.open_session(warehouse_env, "ktq", "password") for _ in range(2)]
    code, out, _ = user_cmd(capsys, monkeypatch, "signout", "ktq")
    assert code == 0 and "已结束账号 ktq 的 2 个浏览器会话" in out
    assert all(web_sessions.current_user(warehouse_env, "ktq", token) is None for token in tokens)
    for command in ("unlock", "signout"):
        code, _, err = user_cmd(capsys, monkeypatch, command, "nobody")
        assert code == 2 and "没有账号「nobody」" in err


def test_user_import_is_all_or_nothing_and_idempotent(capsys, monkeypatch, warehouse_env, tmp_path):  # noqa: F811
    import stat

    assert add(capsys, monkeypatch, "pl.admin", "admin", "620800")[0] == 0
    good = tmp_path / "账号.csv"
    good.write_text("账号,显示名,角色,范围\nkt.one,一小,reporter,620802\nkt.two,二小,viewer,620802\n", encoding="utf-8")
    out = tmp_path / "初始密码.csv"
    code, stdout, err = run(capsys, "user", "import", str(good), "--out", str(out), "--as", "pl.admin")
    assert code == 0, err
    assert "已创建 2 个账号" in stdout and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "kt.one" in out.read_text(encoding="utf-8-sig")
    code, stdout, _ = run(capsys, "user", "import", str(good), "--out", str(tmp_path / "二.csv"), "--as", "pl.admin")
    assert code == 0 and "第 2 行: 账号 kt.one 已存在, 未改动" in stdout and "没有需要新建的账号" in stdout
    assert not (tmp_path / "二.csv").exists()

    bad = tmp_path / "坏.csv"
    bad.write_text("账号,显示名,角色,范围\nkt.three,三小,viewer,620802\nxa.one,西安,viewer,610100\n"
                   "kt.four,四小,boss,620802\n", encoding="utf-8")
    code, stdout, err = run(capsys, "user", "import", str(bad), "--out", str(tmp_path / "三.csv"), "--as", "pl.admin")
    assert code == 1 and "未导入任何账号: 坏.csv 有 2 个问题" in err
    assert "第 3 行" in err and "第 4 行" in err and "未知的角色「boss」" in err
    assert not (tmp_path / "三.csv").exists()
    with warehouse_env.connect() as conn:
        assert set(conn.execute(sa.select(users.c.login)).scalars()) == {"pl.admin", "kt.one", "kt.two"}
    code, _, err = run(capsys, "user", "import", str(good), "--out", str(out), "--as", "kt.one")
    assert code == 2 and "无权管理账号" in err
