"""Bulk accounts (`user import`) on both engines: all or nothing, every bad row named, random initial
passwords written once (mode 0600) and stored only as argon2id hashes, existing logins left unchanged."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from data_access import account_import, accounts
from data_access.access import SHELL_OPERATOR, Principal
from data_access.importing.issues import ImportRejected
from data_access.schema import users
from tests.data_access import fixture_warehouse

HEADER = "账号,显示名,角色,范围,电子邮箱\n"
GOOD = HEADER + ("kt.one,崆峒区一小,reporter,620802,one@example.org\n"
                 "kt.two,崆峒区二小,填报,620802,\n"
                 "pl.view,平凉市查看,viewer,620800,\n")
PINGLIANG_ADMIN = Principal("pl.admin", "平凉市管理员", "admin", "620800")


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def stored(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {row.login: (row.display_name, row.role, row.region_adcode, row.email, row.password_hash,
                            row.must_change_password)
                for row in conn.execute(sa.select(users))}


def handed_out(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_accounts_are_created_with_random_passwords_written_once(warehouse, tmp_path):
    out = tmp_path / "账号.csv"
    plan = account_import.read_accounts(warehouse, "账号.csv", GOOD.encode("utf-8"), PINGLIANG_ADMIN)
    assert [row.login for row in plan.new] == ["kt.one", "kt.two", "pl.view"] and plan.existing == ()
    account_import.create_accounts(warehouse, plan, out)

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = handed_out(out)
    assert [(r["账号"], r["显示名"], r["角色"], r["范围"]) for r in rows] == [
        ("kt.one", "崆峒区一小", "reporter", "620802"), ("kt.two", "崆峒区二小", "reporter", "620802"),
        ("pl.view", "平凉市查看", "viewer", "620800")]
    found = stored(warehouse)
    assert found["kt.one"][:4] == ("崆峒区一小", "reporter", "620802", "one@example.org")
    for row in rows:
        password = row["初始密码"]
        assert len(password) == 14 and len({r["初始密码"] for r in rows}) == 3
        assert found[row["账号"]][4].startswith("$argon2id$") and password not in found[row["账号"]][4]
        assert found[row["账号"]][5] is True
        result = accounts.verify_login(warehouse, row["账号"], password)
        assert result.status == "ok" and result.user.must_change_password

    # The same file again: nothing new, nothing changed, no file written.
    before = stored(warehouse)
    again = account_import.read_accounts(warehouse, "账号.csv", GOOD.encode("utf-8"), PINGLIANG_ADMIN)
    assert again.new == () and [(row.row, row.login) for row in again.existing] == [
        (2, "kt.one"), (3, "kt.two"), (4, "pl.view")]
    assert account_import.create_accounts(warehouse, again, tmp_path / "again.csv") == []
    assert not (tmp_path / "again.csv").exists() and stored(warehouse) == before


def test_every_bad_row_is_named_and_nothing_is_created(warehouse, tmp_path):
    bad = HEADER + ("kt.one,一小,reporter,620802,\n"          # row 2: fine
                    "kt.one,重复,viewer,620802,\n"            # row 3: duplicate of row 2
                    "<b>x</b>,坏账号,viewer,620802,\n"        # row 4: bad login
                    "kt.boss,老板,boss,620802,\n"             # row 5: unknown role
                    "kt.far,远方,viewer,999999,\n"            # row 6: unknown region
                    "xa.view,西安,viewer,610100,\n"           # row 7: outside the importer's region
                    ",无账号,viewer,620802,\n"                # row 8: login missing
                    "kt.mail,邮箱,viewer,620802,not-an-address\n")  # row 9: bad e-mail
    with pytest.raises(ImportRejected) as rejected:
        account_import.read_accounts(warehouse, "坏.csv", bad.encode("utf-8"), PINGLIANG_ADMIN)
    described = [issue.describe() for issue in rejected.value.issues]
    by_row = {issue.row: issue for issue in rejected.value.issues}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9], described
    assert "与第 2 行重复" in by_row[3].message and by_row[3].column == "账号"
    assert "账号名「<b>x</b>」无效" in by_row[4].message
    assert "未知的角色「boss」" in by_row[5].message and by_row[5].column == "角色"
    assert "不在数据仓库中" in by_row[6].message
    assert "不在导入人 平凉市管理员 的管理范围" in by_row[7].message
    assert "「账号」不能为空" in by_row[8].message
    assert "电子邮箱「not-an-address」无效" in by_row[9].message
    assert all(text.startswith("文件 坏.csv, 第 ") for text in described)
    assert stored(warehouse) == {}


def test_missing_columns_and_unknown_headers_are_refused(warehouse):
    with pytest.raises(ImportRejected) as rejected:
        account_import.read_accounts(warehouse, "a.csv", "账号,显示名,部门\nx1,某人,办公室\n".encode(),
                                     SHELL_OPERATOR)
    messages = [issue.message for issue in rejected.value.issues]
    assert any("未知的列「部门」" in m for m in messages)
    assert any("缺少必填列「角色」" in m for m in messages) and any("缺少必填列「范围」" in m for m in messages)


def test_an_xlsx_with_an_adcode_typed_as_a_number_is_read(warehouse, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["login", "display_name", "role", "region", "email"])
    sheet.append(["kt.xlsx", "表格导入", "viewer", 620802, None])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = account_import.read_accounts(warehouse, "a.xlsx", buffer.getvalue(), SHELL_OPERATOR)
    assert [(row.row, row.login, row.region) for row in plan.new] == [(2, "kt.xlsx", "620802")]


def test_an_existing_output_file_is_never_overwritten_and_a_failure_leaves_nothing(warehouse, tmp_path):
    out = tmp_path / "已有.csv"
    out.write_text("earlier hand-out", encoding="utf-8")
    plan = account_import.read_accounts(warehouse, "a.csv", GOOD.encode(), SHELL_OPERATOR)
    with pytest.raises(accounts.AccountError, match="已存在"):
        account_import.create_accounts(warehouse, plan, out)
    assert out.read_text(encoding="utf-8") == "earlier hand-out" and stored(warehouse) == {}
    # A login created by someone else between the check and the commit: nothing is created, no file left.
    accounts.add_user(warehouse, "kt.two", role="viewer", region="620802", password="Kongtong-2025")
    fresh = tmp_path / "新.csv"
    with pytest.raises(accounts.AccountError, match="刚被别人创建"):
        account_import.create_accounts(warehouse, plan, fresh)
    assert not fresh.exists() and set(stored(warehouse)) == {"kt.two"}
