"""上报导入: template download, upload -> every problem or a preview -> one-transaction import, history and undo.

Clicks are handled in on_click callbacks, which run before the script: the history and the sidebar drawn
afterwards already show the new batch, and a page that reruns itself early cannot lose the click.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import PurePath

import sqlalchemy as sa
import streamlit as st

from data_access.access import AccessDenied
from data_access.importing import (
    REPORT_TYPES,
    UndoRefused,
    batch_changes,
    check_file,
    history_table,
    import_file,
    import_history,
    issues_frame,
    record_attempt,
    template_file_name,
    undo_import,
)
from data_access.importing.spec import MAX_FILE_BYTES
from data_access.regions import ALL_REGIONS, within
from ui import auth, resources
from ui.export_widgets import XLSX_MIME, table_downloads
from ui.i18n import t
from ui.view import View, current, demo_banner

TYPE = "import_type"
PREFILL = "import_prefill"
WITH_VALUES = "import_with_values"
UPLOAD = "import_upload"
BATCH = "import_batch"
SHOW_CHANGES = "import_show_changes"
CHECKED = "_import_checked"  # (tag, outcome) of the file in the uploader, so reruns do not validate it again
RECORDED = "_import_recorded"  # (type, sha256) of rejected uploads already written to the history
COMMITTED = "_import_committed"  # sha256 -> batch id of files imported in this session
RESULT = "_import_result"  # what the last 确认导入 did: {"sha", "status", "lines"}
UNDO_RESULT = "_import_undo_result"  # (st function name, message) of the last 撤销
MAX_FILE_MB = MAX_FILE_BYTES // (1024 * 1024)  # the browser refuses bigger files before they are sent


def _prefill_region(view: View) -> tuple[str, str]:
    """The region whose units pre-fill the template: the view's, kept inside the caller's allowed region."""
    regions = resources.regions(view.url)
    names = dict(zip(regions["adcode"], regions["name"], strict=True))
    region = view.region
    if view.allowed != ALL_REGIONS:
        row = regions[regions["adcode"] == region]
        if row.empty or not within(row.iloc[0], view.allowed):
            region = view.allowed
    return region, names.get(region, region)


def _acting(engine: sa.Engine, is_demo: bool):
    """The principal, checked again when the click arrives (the account may have been disabled meanwhile)."""
    return auth.establish(engine, is_demo) or auth.ANONYMOUS_DEMO


def _commit(engine: sa.Engine, file_name: str, data: bytes, sha: str, type_key: str, allowed: str,
            fingerprint: str, is_demo: bool) -> None:
    try:
        outcome = import_file(engine, file_name, data, principal=_acting(engine, is_demo), type_key=type_key,
                              allowed_region=allowed, expected_fingerprint=fingerprint, record_rejection=True)
    except AccessDenied as denied:
        st.session_state[RESULT] = {"sha": sha, "status": "denied", "lines": [str(denied)]}
        return
    st.session_state.pop(CHECKED, None)  # the warehouse or the register may have changed: check again
    if outcome.status == "applied":
        st.session_state.setdefault(COMMITTED, {})[sha] = outcome.batch_id
        resources.clear_data_caches()
    elif outcome.status == "rejected":  # import_file recorded it already
        st.session_state.setdefault(RECORDED, set()).add((type_key, sha))
    st.session_state[RESULT] = {"sha": sha, "status": outcome.status, "lines": outcome.summary_lines()}


def _undo(engine: sa.Engine, allowed: str, is_demo: bool) -> None:
    batch_id = st.session_state.get(BATCH)
    if not batch_id:
        return
    try:
        undo_id = undo_import(engine, batch_id, principal=_acting(engine, is_demo), allowed_region=allowed)
    except (UndoRefused, AccessDenied) as refused:
        st.session_state[UNDO_RESULT] = ("error", f"未撤销: {refused}")
        return
    except sa.exc.SQLAlchemyError as error:
        detail = str(getattr(error, "orig", error)).splitlines()[0][:200]
        st.session_state[UNDO_RESULT] = ("error", f"未撤销, 数据库错误, 已全部回滚: {detail}")
        return
    committed = st.session_state.setdefault(COMMITTED, {})
    for sha in [sha for sha, batch in committed.items() if batch == batch_id]:
        del committed[sha]  # the same file may be imported again
    st.session_state.pop(CHECKED, None)
    resources.clear_data_caches()
    st.session_state[UNDO_RESULT] = ("success", f"已撤销批次 {batch_id}, 数据已恢复到导入之前; "
                                                f"撤销本身记为批次 {undo_id} (也可撤销)。")


def _checked(engine: sa.Engine, file_name: str, data: bytes, sha: str, type_key: str, allowed: str):
    tag = (file_name, sha, type_key, allowed)
    held = st.session_state.get(CHECKED)
    if held and held[0] == tag:
        return held[1]
    with st.spinner("正在检查文件…"):
        outcome = check_file(engine, file_name, data, type_key=type_key, allowed_region=allowed)
    st.session_state[CHECKED] = (tag, outcome)
    return outcome


def _show_result(sha: str) -> None:
    result = st.session_state.get(RESULT)
    if not result or result["sha"] != sha:
        return
    if result["status"] == "applied":
        st.success(result["lines"][0])  # the notices were shown with the preview
    else:
        st.error("\n\n".join(line.strip() for line in result["lines"]))


def _rejected(engine: sa.Engine, outcome, view: View, type_key: str) -> None:
    lines = outcome.summary_lines()
    st.error(lines[0])
    issues = issues_frame(outcome.issues)
    st.dataframe(issues, hide_index=True, width="stretch")
    st.caption(f"按「{REPORT_TYPES[type_key].name_zh}」检查。如选错了上报类型, 在上方改选后会重新检查; "
               "改好文件后重新上传即可 (把旧文件移除或直接拖入新文件)。")
    table_downloads(issues, file_stem=f"问题清单_{PurePath(outcome.file_name).stem}", key="import_issues")
    recorded = st.session_state.setdefault(RECORDED, set())
    if (type_key, outcome.sha256) not in recorded:
        record_attempt(engine, outcome, imported_by=auth.principal().login, allowed_region=view.allowed)
        recorded.add((type_key, outcome.sha256))


def _preview(engine: sa.Engine, outcome, view: View, data: bytes, type_key: str) -> None:
    plan = outcome.plan
    lines = outcome.summary_lines()
    st.info(lines[0])
    if lines[1:]:
        st.warning("\n".join(f"- {line.strip().removeprefix('注意: ')}" for line in lines[1:]))
    added, changed, unchanged = st.columns(3)
    added.metric("新增", f"{len(plan.added)} 行")
    changed.metric("修改", f"{len(plan.changed)} 行")
    unchanged.metric("不变", f"{plan.unchanged} 行")
    changes = plan.changes_frame()
    if changes.empty:
        st.info("文件中的数据与数据仓库完全一致: 导入不会改动任何数据。")
    else:
        st.markdown("##### 将写入的内容 (修改处列出原值和新值)")
        st.dataframe(changes, hide_index=True, width="stretch")
    st.button("确认导入", type="primary", key="import_commit", on_click=_commit,
              args=(engine, outcome.file_name, data, outcome.sha256, type_key, view.allowed, plan.fingerprint(),
                    view.is_demo))


def _upload_section(engine: sa.Engine, view: View, type_key: str) -> None:
    st.markdown("#### 2. 上传填好的文件")
    # No type= filter: any file reaches the importer, which says in Chinese what is wrong with it.
    uploaded = st.file_uploader("选择文件: Excel 工作簿 (.xlsx) 或 CSV", key=UPLOAD, max_upload_size=MAX_FILE_MB,
                                help="一次上传一份文件; 文件先检查, 不会直接写入。")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    batch_id = st.session_state.get(COMMITTED, {}).get(sha)
    if batch_id:
        _show_result(sha)
        st.info(f"该文件已导入 (批次 {batch_id})。如需再导入, 请上传修改后的文件。")
        return
    _show_result(sha)
    outcome = _checked(engine, uploaded.name, data, sha, type_key, view.allowed)
    if outcome.status == "rejected":
        _rejected(engine, outcome, view, type_key)
    else:
        _preview(engine, outcome, view, data, type_key)


def _history_section(engine: sa.Engine, view: View) -> None:
    st.markdown("#### 导入历史")
    history = import_history(engine, view.allowed)
    if history.empty:
        st.info("还没有导入记录。")
        return
    table = history_table(history)
    st.dataframe(table, hide_index=True, width="stretch")
    table_downloads(table, file_stem="导入历史", key="import_history")

    applied = table[history["status"] == "applied"]
    if applied.empty:
        return
    labels = {row["批次"]: f"{row['时间(北京)']} · {row['文件']} · {row['导入人']} · {row['批次'][:8]}"
              for _, row in applied.iterrows()}
    if st.session_state.get(BATCH) not in labels:
        st.session_state[BATCH] = next(iter(labels))
    st.selectbox("已导入的批次", list(labels), key=BATCH, format_func=labels.get)
    left, right = st.columns(2)
    show = left.toggle("查看修改明细", key=SHOW_CHANGES)
    right.button("撤销该批次", key="import_undo", on_click=_undo, args=(engine, view.allowed, view.is_demo),
                 help="恢复该批次覆盖的原值并删除其新增的行; 之后又有导入改过同一数据时会拒绝。")
    message = st.session_state.pop(UNDO_RESULT, None)
    if message:
        getattr(st, message[0])(message[1])
    if show:
        changes = batch_changes(engine, st.session_state[BATCH])
        if changes.empty:
            st.info("该批次没有改动任何数据。")
        else:
            st.dataframe(changes, hide_index=True, width="stretch")


view = current()
st.title(t("import"))
demo_banner(view)
if not auth.may("import"):  # the navigation lists this page only for reporters and administrators
    st.error("上报导入须以填报员或管理员账号登录。")
    st.stop()
who = auth.principal()
st.text(f"导入人: {who.display_name} ({who.login}), 范围 {view.allowed}; 导入和撤销都记在此账号名下。")
st.caption("整份文件一起导入: 有任何问题则整份不写入。先检查并预览, 确认后一次写入; 每次导入 (包括被拒绝的) "
           "都记入导入历史, 已导入的批次可以撤销。")
engine = resources.cached_engine()

type_key = st.radio("上报类型", list(REPORT_TYPES), horizontal=True, key=TYPE,
                    format_func=lambda key: REPORT_TYPES[key].name_zh)
spec = REPORT_TYPES[type_key]

st.markdown("#### 1. 下载模板")
region, region_name = _prefill_region(view)
prefill = st.checkbox(f"预填{region_name}的{spec.unit_noun}代码、名称和年度 ({view.year}年)", value=True, key=PREFILL)
with_values = st.checkbox(f"同时填入{view.year}年已上报的数值 (更正时只改需要改的格, 其余保持原值)", value=True,
                          key=WITH_VALUES, disabled=not prefill)
st.download_button(
    f"下载「{spec.name_zh}」模板 (Excel)",
    partial(resources.import_template, view.url, type_key, region if prefill else None,
            view.year if prefill else None, prefill and with_values, allowed=view.allowed),
    template_file_name(spec, view.year if prefill else None, region_name if prefill else None),
    XLSX_MIME, key="import_template", on_click="ignore",
)
st.caption("模板含「填表说明」工作表: 每列的含义、单位和允许的值。空白表示未上报, 实际为 0 的请填 0。")

_upload_section(engine, view, type_key)
_history_section(engine, view)
