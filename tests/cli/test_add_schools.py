"""`mhmonitor user add-schools`: one school account per open school of a county, initial passwords written once
to a new 0600 file and stored only as hashes, a second run adding only schools without an account; a school
account reaches nothing from the command line but its own school. Both engines."""

from __future__ import annotations

import csv
import io
import stat

import sqlalchemy as sa

from data_access import accounts
from data_access.schema import auth_events, schools, users
from tests.cli.test_cli import run, warehouse_env  # noqa: F401  (fixture)
from tests.cli.test_user_commands import add


def read_sheet(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_add_schools_writes_once_hashes_only_and_is_idempotent(capsys, monkeypatch, tmp_path, warehouse_env):  # noqa: F811
    assert add(capsys, monkeypatch, "pl.admin", "admin", "620800")[0] == 0
    out_file = tmp_path / "学校账号.csv"
    code, out, err = run(capsys, "user", "add-schools", "--region", "620802", "--out", str(out_file),
                         "--as", "pl.admin")
    assert code == 0, err
    assert "新建 2 个学校账号" in out
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    sheet = read_sheet(out_file)
    assert [(r["账号 (学校标识码)"], r["学校名称"], r["县区代码"]) for r in sheet] == [
        ("P1", "崆峒一小", "620802"), ("P2", "崆峒二中", "620802")]
    passwords = [r["初始密码 (首次登录须修改)"] for r in sheet]
    assert len(set(passwords)) == 2 and all(len(p) == 14 for p in passwords)
    # Never stored in clear: no table cell of the warehouse holds a password.
    with warehouse_env.connect() as conn:
        rows = conn.execute(sa.select(users)).mappings().all()
        cells = [str(v) for row in rows for v in row.values()]
        cells += [str(v) for row in conn.execute(sa.select(auth_events)).all() for v in row]
    assert not any(p in cell for p in passwords for cell in cells)
    created = {row["login"]: row for row in rows if row["role"] == "school"}
    assert {k: (v["region_adcode"], v["display_name"]) for k, v in created.items()} == {
        "P1": ("P1", "崆峒一小"), "P2": ("P2", "崆峒二中")}
    assert all(v["password_hash"].startswith("$argon2id$") for v in created.values())
    assert accounts.get_user(warehouse_env, "P1").must_change_password  # forced to change at first sign-in
    assert accounts.verify_login(warehouse_env, "P1", passwords[0]).status == "ok"

    # The same file again is refused (the passwords are written once); a new file gets only new schools.
    code, _, err = run(capsys, "user", "add-schools", "--region", "620802", "--out", str(out_file), "--as", "pl.admin")
    assert code == 2 and "已存在" in err and read_sheet(out_file) == sheet
    with warehouse_env.begin() as conn:
        conn.execute(sa.insert(schools).values(school_id="P3", name="崆峒三小", county_adcode="620802",
                                               stage="primary", boarding=False, urban_rural="urban"))
    again = tmp_path / "第二批.csv"
    code, out, err = run(capsys, "user", "add-schools", "--region", "620802", "--out", str(again), "--as", "pl.admin")
    assert code == 0, err
    assert [r["账号 (学校标识码)"] for r in read_sheet(again)] == ["P3"]
    assert accounts.verify_login(warehouse_env, "P1", passwords[0]).status == "ok"  # untouched


def test_add_schools_is_refused_outside_the_admins_region_and_to_a_reporter(capsys, monkeypatch, tmp_path,
                                                                           warehouse_env):  # noqa: F811
    assert add(capsys, monkeypatch, "xa.admin", "admin", "610100")[0] == 0
    assert add(capsys, monkeypatch, "ktq", "reporter", "620802")[0] == 0
    for login in ("xa.admin", "ktq"):
        out_file = tmp_path / f"{login}.csv"
        code, _, err = run(capsys, "user", "add-schools", "--region", "620802", "--out", str(out_file),
                           "--as", login)
        assert code == 2 and "无权管理账号" in err and not out_file.exists()
    code, _, err = run(capsys, "user", "add-schools", "--region", "620800", "--out", str(tmp_path / "c.csv"))
    assert code == 2 and "不是数据仓库中的县(区)代码" in err


def test_a_school_account_reaches_only_its_school_from_the_command_line(capsys, monkeypatch, tmp_path,
                                                                       warehouse_env):  # noqa: F811
    assert add(capsys, monkeypatch, "P1", "school", "P1")[0] == 0
    code, _, err = add(capsys, monkeypatch, "P9", "school", "620802")
    assert code == 2 and "学校账号的范围须是名录中的学校标识码" in err
    data = tmp_path / "p1.csv"
    data.write_text("学校代码,年度,在校生数\nP1,2025,480\n", encoding="utf-8")
    for argv in (("import", str(data), "--as", "P1"),
                 ("indicators", "--region", "620802", "--year", "2025", "--level", "school", "--as", "P1"),
                 ("export-map", "--region", "620802", "--year", "2025", "--indicator", "counselor_coverage",
                  "--out", str(tmp_path / "m.png"), "--as", "P1"),
                 ("template", "school", "--region", "620802", "--year", "2025", "--out", str(tmp_path / "t.xlsx"),
                  "--as", "P1"),
                 ("user", "add-schools", "--region", "620802", "--out", str(tmp_path / "s.csv"), "--as", "P1")):
        code, out, err = run(capsys, *argv)
        assert code != 0 and err.startswith("错误: ") and "无权" in err, (argv, err)
