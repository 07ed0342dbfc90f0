"""A warehouse that cannot be reached or opened: one Chinese page for visitors, the details in the server log.

require_warehouse runs first in every run (app.py): it reads the warehouse's stamp (identity and revision,
ui.resources.begin_run) without cache, so a warehouse file deleted or replaced while the dashboard runs is
noticed at the next click of every open tab; nothing is ever created in its place (the engine opens existing
files only). guarded() wraps the page in app.py for a warehouse lost mid-page. Without them a visitor would
see a SQLAlchemy traceback with file paths and connection strings (or, with client.showErrorDetails off, an
unexplained error box).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import streamlit as st

from data_access.engine import WarehouseBusy, WarehouseMissing
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
_MISSING = ("数据仓库文件不存在 (可能已被删除、移走或改名), 页面暂时无法显示。"
            "看板没有新建空的数据仓库, 也没有改动任何文件。\n\n"
            "请管理员检查: WAREHOUSE_URL 或 .streamlit/secrets.toml 中的文件路径是否正确; 文件是否被误删或移走 "
            "(请从备份恢复到原位置后刷新页面); 如确需新建, 请用 mhmonitor init (真实数据) 或 mhmonitor demo (演示数据)"
            " 创建。详细信息已写入看板的服务器日志。")
_REPLACED = ("数据仓库已被替换: 看板启动后, 同一位置换成了另一个数据仓库 (标识不同), 页面暂时停止显示, "
             "以免把两个数据仓库的数据和账号混在一起。\n\n"
             "请管理员检查: 是否有人有意替换了该文件或数据库 (例如从备份恢复、复制了其他服务器的文件); "
             "确认新的数据仓库无误后, 请重启看板进程; 如不是有意替换, 请恢复原来的数据仓库。"
             "详细信息已写入看板的服务器日志。")
_BUSY = ("数据仓库文件正被另一个进程长时间占用 (例如一次很大的命令行导入), 页面暂时无法显示。\n\n"
         "请稍后刷新页面; 如持续出现, 请管理员检查是否有卡住的 mhmonitor 命令。")


# The identity each warehouse URL had when this process first opened it.
_first_identity: dict[str, str] = {}
_first_identity_lock = threading.Lock()


# Set while app.py runs a script after checking the warehouse, so the page's own check (ui.view.current, for a
# page run alone) does not read the stamp a second time in the same run.
_this_run = threading.local()


@contextmanager
def checked_run(url: str) -> Iterator[None]:
    """Check the warehouse (require_warehouse) once for everything the block runs."""
    require_warehouse(url, before_navigation=True)
    _this_run.url = url
    try:
        yield
    finally:
        _this_run.url = None


def require_warehouse(url: str, *, before_navigation: bool = False) -> None:
    """Stop the page with a Chinese explanation when the warehouse at `url` cannot be used, is gone or was
    replaced by another one since this process first opened it. Reads the warehouse's stamp once per run."""
    if getattr(_this_run, "url", None) == url:
        return
    with guarded(url, first_use=True, before_navigation=before_navigation):
        stamp = resources.begin_run(url)
        resources.warehouse_info(url)
    if stamp.warehouse_id is None:  # a warehouse from before migration 0005 has no identity to compare
        return
    with _first_identity_lock:
        first = _first_identity.setdefault(url, stamp.warehouse_id)
    if first != stamp.warehouse_id:
        log.error("warehouse replaced: %s had identity %s, now %s", _redacted(url), first, stamp.warehouse_id)
        _stop(_REPLACED, before_navigation=before_navigation)


@contextmanager
def guarded(url: str, *, first_use: bool = False, before_navigation: bool = False) -> Iterator[None]:
    """Run the block; a warehouse failure inside it becomes the Chinese explanation and stops the page.

    On the first use a missing table means the warehouse was never initialised; later it is a failed query.
    """
    try:
        yield
    except WarehouseBusy:
        log.warning("warehouse busy: %s", _redacted(url))
        _stop(_BUSY, before_navigation=before_navigation)
    except WarehouseMissing as missing:
        log.error("warehouse file missing (nothing created): %s", missing.path)
        _stop(_MISSING, before_navigation=before_navigation)
    except sa.exc.ProgrammingError:
        log.exception("warehouse query failed: %s", _redacted(url))
        _stop(_NOT_INITIALISED if first_use else _QUERY_FAILED, before_navigation=before_navigation)
    except (sa.exc.DBAPIError, OSError):
        log.exception("warehouse cannot be opened: %s", _redacted(url))
        _stop(_DUCKDB if url.startswith("duckdb") else _POSTGRESQL, before_navigation=before_navigation)
    except sa.exc.SQLAlchemyError:
        log.exception("warehouse query failed: %s", _redacted(url))
        _stop(_QUERY_FAILED, before_navigation=before_navigation)


def _redacted(url: str) -> str:
    """The URL for the log without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparsable URL)"


def _stop(message: str, *, before_navigation: bool = False) -> None:
    st.error(message)
    if before_navigation:
        _without_page_list()
    st.stop()


def _without_page_list() -> None:
    """Before app.py's navigation ran, Streamlit would list the raw pages/ folder in the sidebar: declare one
    hidden page under every address instead (nothing runs; the message above is the page)."""
    from pathlib import Path

    paths = sorted(path.stem for path in (Path(__file__).resolve().parent.parent / "pages").glob("*.py"))
    pages = [st.Page(_blank, title="数据仓库", url_path="home", default=True),
             *(st.Page(_blank, title="数据仓库", url_path=path) for path in paths if path != "home")]
    st.navigation(pages, position="hidden")


def _blank() -> None:
    """The page shown beside the warehouse message: nothing."""
