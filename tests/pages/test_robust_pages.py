"""Broken warehouses and hostile text under AppTest: a Chinese explanation, never a traceback or markdown."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access import migrate
from data_access.engine import make_engine
from tests.data_access import fixture_warehouse
from tests.pages.test_import_page import BAD_CSV, GOOD_CSV, upload
from tests.pages.test_pages import app, open_page
from tests.ui.test_safe_text import linkable
from ui.safe_text import WORD_JOINER

# Elements whose text Streamlit renders as markdown.
MARKDOWN_ELEMENTS = ("title", "subheader", "header", "markdown", "caption", "info", "warning", "error", "success")
HOSTILE_NAME = "![x](http://host/x.png).csv"


def rendered_markdown(at: AppTest) -> list[str]:
    return [str(element.value) for kind in MARKDOWN_ELEMENTS for element in getattr(at, kind)]


def broken(at: AppTest) -> str:
    """The page's one message; asserts nothing else rendered and no traceback."""
    assert not at.exception, at.exception
    assert not at.title, "the page must stop before drawing anything"
    [error] = at.error
    return error.value


@pytest.fixture
def damaged_duckdb(tmp_path, monkeypatch):
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(os.urandom(64 * 1024))
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    return path


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/import.py"])
def test_unreachable_postgresql_gives_a_chinese_page_and_logs_the_details(app_env, monkeypatch, caplog, page):
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql://nobody:pw-hunter2@127.0.0.1:1/x")
    with caplog.at_level(logging.ERROR, logger="ui.warehouse_guard"):
        message = broken(open_page(page))
    assert message.startswith("无法连接数据仓库 (PostgreSQL)") and "请管理员检查" in message
    assert "127.0.0.1" not in message and "pw-hunter2" not in message
    [record] = [r for r in caplog.records if r.name == "ui.warehouse_guard"]
    assert "127.0.0.1" in record.getMessage() and "pw-hunter2" not in record.getMessage()
    assert record.exc_info is not None  # the full error is in the server log


def test_damaged_duckdb_file_gives_a_chinese_page(app_env, damaged_duckdb):
    message = broken(open_page("pages/overview.py"))
    assert message.startswith("无法打开数据仓库文件 (DuckDB)") and ".wal" in message
    assert str(damaged_duckdb) not in message


def test_damaged_wal_gives_a_chinese_page(app_env, monkeypatch, tmp_path):
    """A WAL whose middle was overwritten: DuckDB refuses to replay it (checksum mismatch)."""
    path = tmp_path / "wal.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE t AS SELECT 1 AS a")
    connection.execute("CHECKPOINT")
    connection.execute("INSERT INTO t SELECT range FROM range(100000)")
    wal = path.with_name(path.name + ".wal")
    kept = wal.read_bytes()  # copied while open: DuckDB would checkpoint (and remove) the WAL on close
    connection.close()
    middle = len(kept) // 2
    wal.write_bytes(kept[:middle] + bytes(200) + kept[middle + 200:])
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    assert broken(open_page("pages/overview.py")).startswith("无法打开数据仓库文件 (DuckDB)")


def test_empty_warehouse_says_it_is_not_initialised(app_env, monkeypatch, tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    assert broken(open_page("pages/overview.py")).startswith("数据仓库可以连接, 但其中还没有看板所需的表")


def test_a_missing_warehouse_file_gives_a_chinese_page_and_creates_nothing(app_env, monkeypatch, tmp_path):
    path = tmp_path / "gone" / "warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{path}")
    for page in ("pages/overview.py", "pages/login.py"):
        message = broken(open_page(page))
        assert message.startswith("数据仓库文件不存在") and "mhmonitor init" in message and "请管理员检查" in message
        assert str(path) not in message
    assert not path.parent.exists()


def test_a_file_deleted_while_a_tab_is_open_is_reported_at_its_next_click(app_env):
    at = app().run()
    assert not at.exception and not at.error
    Path(app_env.removeprefix("duckdb:///")).unlink()
    at.run()
    assert not at.exception, at.exception
    [message] = at.error
    assert message.value.startswith("数据仓库文件不存在")
    assert not Path(app_env.removeprefix("duckdb:///")).exists()


def test_a_replaced_warehouse_is_reported_and_not_shown(app_env, tmp_path):
    at = app().run()
    assert not at.exception and not at.error
    other = tmp_path / "other.duckdb"
    engine = make_engine(f"duckdb:///{other}", create=True)
    migrate.upgrade(engine)  # another warehouse: its own identity
    fixture_warehouse.populate(engine)
    engine.dispose()
    shutil.copyfile(other, app_env.removeprefix("duckdb:///"))
    at.run()
    assert not at.exception, at.exception
    [message] = at.error
    assert message.value.startswith("数据仓库已被替换") and "重启看板进程" in message.value
    assert not at.title


def test_hostile_file_name_is_never_rendered_as_markdown(app_env):
    """Rejected, previewed and imported: wherever the name appears in markdown it is escaped."""
    at = open_page("pages/import.py")
    upload(at, HOSTILE_NAME, BAD_CSV)
    assert not at.exception, at.exception
    assert any(rf"\!\[x\](http{WORD_JOINER}://host/x.png).csv" in text.value for text in at.error), \
        rendered_markdown(at)
    upload(at, HOSTILE_NAME, GOOD_CSV)
    at.button(key="import_commit").click().run()
    assert not at.exception, at.exception
    assert any(rf"\!\[x\](http{WORD_JOINER}://host/x.png)" in text.value for text in at.success)
    shown = rendered_markdown(at)
    assert not any(re.search(r"(?<!\\)!\[|(?<!\\)\]\(", text) for text in shown), shown


@pytest.mark.parametrize("name", ["https://evil.example/点我 学校年报.csv", "www.evil.example 学校年报.csv",
                                  "clerk@evil.example 学校年报.csv"])
def test_url_bearing_file_names_are_never_links(app_env, name):
    """Rejected, previewed and imported: the file name is in the alerts, readable and never linkable."""
    at = open_page("pages/import.py")
    upload(at, name, BAD_CSV)
    assert not at.exception, at.exception
    assert any(name in text.value.replace(WORD_JOINER, "") for text in at.error), rendered_markdown(at)
    assert [text for text in rendered_markdown(at) if linkable(text)] == []
    upload(at, name, GOOD_CSV)
    assert [text for text in rendered_markdown(at) if linkable(text)] == []
    at.button(key="import_commit").click().run()
    assert not at.exception, at.exception
    assert any(name.removesuffix(".csv") in text.value.replace(WORD_JOINER, "") for text in at.success)
    assert [text for text in rendered_markdown(at) if linkable(text)] == []


def test_url_bearing_school_name_is_never_a_link(app_env):
    """A school registered as a URL: its page heading reads the name and links nothing."""
    from data_access import schema
    from data_access.engine import make_engine

    name = "https://evil.example/点我 www.evil.example 甲大学"
    engine = make_engine(app_env)
    with engine.begin() as conn:
        conn.execute(sa.update(schema.schools).where(schema.schools.c.school_id == "U1").values(name=name))
    engine.dispose()
    at = open_page("pages/school.py", scope="610000", city="610100", county="610102", year="2025", school="U1")
    assert not at.exception, at.exception
    assert [heading.value.replace(WORD_JOINER, "") for heading in at.subheader] == [name]
    assert [text for text in rendered_markdown(at) if linkable(text)] == []


@pytest.mark.parametrize(("error", "says"), [
    (sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection")), "无法打开数据仓库文件 (DuckDB)"),
    (sa.exc.ProgrammingError("SELECT", {}, Exception("column x does not exist")), "查询数据仓库时出错"),
])
def test_a_warehouse_lost_mid_page_gives_a_chinese_message(app_env, monkeypatch, error, says):
    """The first query (warehouse_info) works; the next one (the region list) fails: app.py's guard answers."""
    def lost(engine):
        raise error

    monkeypatch.setattr("ui.resources.region_frame", lost)
    at = app().run()
    assert not at.exception, at.exception
    [message] = at.error
    assert message.value.startswith(says)


def test_hostile_workbooks_are_refused_and_the_page_still_loads(app_env):
    """Both workbooks of the issue through the page: refused with a Chinese message, the history rows stay
    small, and the page opened afresh afterwards renders its history."""
    from tests.data_access import hostile_files

    at = open_page("pages/import.py")
    for name, data in (("宣称很大.xlsx", hostile_files.declared_huge()),
                       ("藏了大字符串.xlsx", hostile_files.huge_shared_string(100))):
        at.file_uploader(key="import_upload").set_value((name, data, "application/octet-stream"))
        at.run()
        assert not at.exception, at.exception
        assert at.error[0].value.startswith(f"未导入: {name}")
    again = open_page("pages/import.py")
    assert not again.exception, again.exception
    history = next(df.value for df in again.dataframe if "批次" in df.value.columns)
    assert sorted(history["文件"]) == ["宣称很大.xlsx", "藏了大字符串.xlsx"]
    assert history["说明"].str.len().max() < 500
