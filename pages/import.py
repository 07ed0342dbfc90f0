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
from data_access.engine import WarehouseBusy
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
    warnings_frame,
)
from data_access.importing.spec import MAX_FILE_BYTES
from data_access.regions import ALL_REGIONS, within
from ui import auth, resources
from ui.export_widgets import XLSX_MIME, table_downloads
from ui.i18n import headers, report_type_name, t, unit_noun, year_label
from ui.safe_text import escape
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
    except WarehouseBusy as busy:  # a command-line import held the DuckDB file longer than the bounded wait
        st.session_state[RESULT] = {"sha": sha, "status": "failed", "lines": [str(busy)]}
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
    except (UndoRefused, AccessDenied, WarehouseBusy) as refused:
        st.session_state[UNDO_RESULT] = ("error", t("imp_undo_refused").format(reason=escape(refused)))
        return
    except sa.exc.SQLAlchemyError as error:
        detail = str(getattr(error, "orig", error)).splitlines()[0][:200]
        st.session_state[UNDO_RESULT] = ("error", t("imp_undo_db_error").format(detail=escape(detail)))
        return
    committed = st.session_state.setdefault(COMMITTED, {})
    for sha in [sha for sha, batch in committed.items() if batch == batch_id]:
        del committed[sha]  # the same file may be imported again
    st.session_state.pop(CHECKED, None)
    resources.clear_data_caches()
    st.session_state[UNDO_RESULT] = ("success", t("imp_undone").format(batch=batch_id, undo=undo_id))


def _checked(engine: sa.Engine, file_name: str, data: bytes, sha: str, type_key: str, allowed: str):
    tag = (file_name, sha, type_key, allowed)
    held = st.session_state.get(CHECKED)
    if held and held[0] == tag:
        return held[1]
    with st.spinner(t("imp_checking")):
        outcome = check_file(engine, file_name, data, type_key=type_key, allowed_region=allowed)
    st.session_state[CHECKED] = (tag, outcome)
    return outcome


def _show_result(sha: str) -> None:
    result = st.session_state.get(RESULT)
    if not result or result["sha"] != sha:
        return
    # The lines quote the file name and cell values: escaped, never rendered as markdown.
    if result["status"] == "applied":
        st.success(escape(result["lines"][0]))  # the notices were shown with the preview
    else:
        st.error("\n\n".join(escape(line.strip()) for line in result["lines"]))


def _rejected(engine: sa.Engine, outcome, view: View, type_key: str) -> None:
    lines = outcome.summary_lines()
    st.error(escape(lines[0]))
    issues = issues_frame(outcome.issues)
    st.dataframe(headers(issues), hide_index=True, width="stretch")
    st.caption(t("imp_checked_as").format(kind=report_type_name(type_key)))
    table_downloads(issues, file_stem=f"问题清单_{PurePath(outcome.file_name).stem}", key="import_issues")
    recorded = st.session_state.setdefault(RECORDED, set())
    if (type_key, outcome.sha256) not in recorded:
        record_attempt(engine, outcome, imported_by=auth.principal().login, allowed_region=view.allowed)
        recorded.add((type_key, outcome.sha256))


def _preview(engine: sa.Engine, outcome, view: View, data: bytes, type_key: str) -> None:
    plan = outcome.plan
    lines = outcome.summary_lines()
    st.info(escape(lines[0]))
    if lines[1:]:
        st.warning("\n".join(f"- {escape(line.strip().removeprefix('注意: '))}" for line in lines[1:]))
    added, changed, unchanged = st.columns(3)
    added.metric(t("imp_added"), t("imp_rows").format(n=len(plan.added)))
    changed.metric(t("imp_changed"), t("imp_rows").format(n=len(plan.changed)))
    unchanged.metric(t("imp_unchanged"), t("imp_rows").format(n=plan.unchanged))
    if plan.warnings:  # plausibility warnings: listed in full, the summary above names the first ones
        st.markdown(f"##### {t('imp_warnings')}")
        st.dataframe(headers(warnings_frame(plan.warnings)), hide_index=True, width="stretch")
    changes = plan.changes_frame()
    if changes.empty:
        st.info(t("imp_no_change"))
    else:
        st.markdown(f"##### {t('imp_will_write')}")
        st.dataframe(headers(changes), hide_index=True, width="stretch")
    st.button(t("imp_commit"), type="primary", key="import_commit", on_click=_commit,
              args=(engine, outcome.file_name, data, outcome.sha256, type_key, view.allowed, plan.fingerprint(),
                    view.is_demo))


def _upload_section(engine: sa.Engine, view: View, type_key: str) -> None:
    st.markdown(f"#### {t('imp_upload_title')}")
    # No type= filter: any file reaches the importer, which says in Chinese what is wrong with it.
    uploaded = st.file_uploader(t("imp_choose_file"), key=UPLOAD, max_upload_size=MAX_FILE_MB,
                                help=t("imp_choose_help"))
    if uploaded is None:
        return
    data = uploaded.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    batch_id = st.session_state.get(COMMITTED, {}).get(sha)
    if batch_id:
        _show_result(sha)
        st.info(t("imp_already").format(batch=batch_id))
        return
    _show_result(sha)
    outcome = _checked(engine, uploaded.name, data, sha, type_key, view.allowed)
    if outcome.status == "rejected":
        _rejected(engine, outcome, view, type_key)
    else:
        _preview(engine, outcome, view, data, type_key)


def _history_section(engine: sa.Engine, view: View) -> None:
    st.markdown(f"#### {t('imp_history')}")
    history = import_history(engine, view.allowed)
    if history.empty:
        st.info(t("imp_no_history"))
        return
    table = history_table(history)
    st.dataframe(headers(table), hide_index=True, width="stretch")
    table_downloads(table, file_stem="导入历史", key="import_history")

    applied = table[history["status"] == "applied"]
    if applied.empty:
        return
    labels = {row["批次"]: f"{row['时间(北京)']} · {row['文件']} · {row['导入人']} · {row['批次'][:8]}"
              for _, row in applied.iterrows()}
    if st.session_state.get(BATCH) not in labels:
        st.session_state[BATCH] = next(iter(labels))
    st.selectbox(t("imp_batches"), list(labels), key=BATCH, format_func=labels.get)
    left, right = st.columns(2)
    show = left.toggle(t("imp_show_changes"), key=SHOW_CHANGES)
    right.button(t("imp_undo"), key="import_undo", on_click=_undo, args=(engine, view.allowed, view.is_demo),
                 help=t("imp_undo_help"))
    message = st.session_state.pop(UNDO_RESULT, None)
    if message:
        getattr(st, message[0])(message[1])
    if show:
        changes = batch_changes(engine, st.session_state[BATCH])
        if changes.empty:
            st.info(t("imp_batch_empty"))
        else:
            st.dataframe(headers(changes), hide_index=True, width="stretch")


view = current()
st.title(t("import"))
demo_banner(view)
if not auth.may("import"):  # the navigation lists this page only for reporters and administrators
    st.error(t("imp_needs_login"))
    st.stop()
who = auth.principal()
st.text(t("imp_acting_as").format(name=who.display_name, login=who.login, region=view.allowed))
st.caption(t("imp_intro"))
engine = resources.cached_engine()

type_key = st.radio(t("report_type"), list(REPORT_TYPES), horizontal=True, key=TYPE, format_func=report_type_name)
spec = REPORT_TYPES[type_key]

st.markdown(f"#### {t('imp_template_title')}")
region, region_name = _prefill_region(view)
prefill = st.checkbox(t("imp_prefill").format(region=region_name, units=unit_noun(type_key),
                                              year=year_label(view.year)), value=True, key=PREFILL)
with_values = st.checkbox(t("imp_with_values").format(year=year_label(view.year)), value=True,
                          key=WITH_VALUES, disabled=not prefill)
st.download_button(
    t("imp_download_template").format(kind=report_type_name(type_key)),
    partial(resources.import_template, view.url, type_key, region if prefill else None,
            view.year if prefill else None, prefill and with_values, allowed=view.allowed),
    template_file_name(spec, view.year if prefill else None, region_name if prefill else None),
    XLSX_MIME, key="import_template", on_click="ignore",
)
st.caption(t("imp_template_note"))

_upload_section(engine, view, type_key)
_history_section(engine, view)
