"""A warehouse that cannot be reached or opened: one Chinese page for visitors, the details in the server log.

require_warehouse runs before the first query of every run (ui.view.current); guarded() wraps the page in
app.py for a warehouse lost mid-page. Without them a visitor would see a SQLAlchemy traceback with file
paths and connection strings (or, with client.showErrorDetails off, an unexplained error box).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import streamlit as st

from data_access.engine import WarehouseBusy
from ui import resources

log = logging.getLogger(__name__)

_POSTGRESQL = ("无法连接数据仓库 (PostgreSQL), 页面暂时无法显示。\n\n"
               "请管理员检查: 数据库服务是否在运行; WAREHOUSE_URL 或 .streamlit/secrets.toml 中的主机、端口、"
               "数据库名、用户名和密码是否正确; 看板所在服务器能否访问数据库 (网络、防火墙)。"
               "详细错误已写入看板的服务器日志。")
_DUCKDB = ("无法打开数据仓库文件 (DuckDB), 页面暂时无法显示。\n\n"
           "请管理员检查: 数据仓库文件及其同名 .wal 文件是否完整 (可能已损坏, 或不是 DuckDB 文件); "
           "看板进程对该目录是否有读写权限; 磁盘空间是否充足。文件损坏时请从备份恢复, 或用 mhmonitor demo "
           "重建演示数据。详细错误已写入看板的服务器日志。")
_NOT_INITIALISED = ("数据仓库可以连接, 但其中还没有看板所需的表 (尚未初始化或升级)。\n\n"
                    "请管理员运行数据库升级 (migrate.upgrade), 或用 mhmonitor demo 生成演示数据仓库。"
                    "详细错误已写入看板的服务器日志。")
_QUERY_FAILED = ("查询数据仓库时出错, 页面暂时无法显示。\n\n"
                 "请稍后刷新页面; 如持续出现, 请管理员查看看板的服务器日志 (其中有详细错误)。")
_BUSY = ("数据仓库文件正被另一个进程长时间占用 (例如一次很大的命令行导入), 页面暂时无法显示。\n\n"
         "请稍后刷新页面; 如持续出现, 请管理员检查是否有卡住的 mhmonitor 命令。")


def require_warehouse(url: str) -> None:
    """Stop the page with a Chinese explanation when the warehouse at `url` cannot be used."""
    with guarded(url, first_use=True):
        resources.warehouse_info(url)


@contextmanager
def guarded(url: str, *, first_use: bool = False) -> Iterator[None]:
    """Run the block; a warehouse failure inside it becomes the Chinese explanation and stops the page.

    On the first use a missing table means the warehouse was never initialised; later it is a failed query.
    """
    try:
        yield
    except WarehouseBusy:
        log.warning("warehouse busy: %s", _redacted(url))
        _stop(_BUSY)
    except sa.exc.ProgrammingError:
        log.exception("warehouse query failed: %s", _redacted(url))
        _stop(_NOT_INITIALISED if first_use else _QUERY_FAILED)
    except (sa.exc.DBAPIError, OSError):
        log.exception("warehouse cannot be opened: %s", _redacted(url))
        _stop(_DUCKDB if url.startswith("duckdb") else _POSTGRESQL)
    except sa.exc.SQLAlchemyError:
        log.exception("warehouse query failed: %s", _redacted(url))
        _stop(_QUERY_FAILED)


def _redacted(url: str) -> str:
    """The URL for the log without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparsable URL)"


def _stop(message: str) -> None:
    st.error(message)
    st.stop()
