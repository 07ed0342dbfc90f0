"""Download buttons for pages: annotated slide PNGs, CSV/XLSX tables and the PPTX/PDF meeting pack.

Rendering goes through Chromium and takes about a second per image, so nothing is rendered on a plain
rerun: a first button renders, then a download button offers the bytes kept in session state (tagged with
what they were made from, so a changed filter never offers a stale file).
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.regions import RegionError
from exports.tables import csv_bytes, xlsx_bytes
from ui.resources import _engine_for

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
SIZES = {1: "1600×900", 2: "3200×1800 (2倍)"}


def _environment_ok() -> bool:
    from exports.environment import check_export_environment

    problems = check_export_environment()
    for problem in problems:
        st.error(problem)
    return not problems


def _asked(label: str, key: str, **kwargs) -> bool:
    """A button whose click survives a rerun of the script (the request is kept in session state).

    A plain st.button is True for one script run only; a page that reruns itself early (see
    ui.view._leave_legacy_pages_mode) would lose the click.
    """
    request = f"{key}_requested"
    st.button(label, key=key, on_click=st.session_state.__setitem__, args=(request, True), **kwargs)
    return bool(st.session_state.pop(request, False))


def table_downloads(frame: pd.DataFrame, *, file_stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM) and XLSX of a table, formula-like cells kept as text."""
    left, right = st.columns(2)
    # Deferred: the files are made when clicked, not on every rerun (an XLSX of 160 rows takes ~1 s).
    left.download_button("下载 CSV", lambda: csv_bytes(frame), f"{file_stem}.csv", "text/csv", key=f"{key}_csv",
                         on_click="ignore")
    right.download_button("下载 Excel", lambda: xlsx_bytes(frame, file_stem), f"{file_stem}.xlsx", XLSX_MIME,
                          key=f"{key}_xlsx", on_click="ignore")


def _offer(key: str, tag: object, data_key: str, label: str, file_name: str, mime: str) -> None:
    held = st.session_state.get(key)
    if held and held[0] == tag:
        st.download_button(label, held[1], file_name, mime, key=f"{key}_{data_key}", on_click="ignore")


def figure_download(figure: go.Figure, *, file_stem: str, export_context: dict, key: str) -> None:
    """Any chart or map as an annotated slide PNG, rendered on the server when asked.

    export_context: keyword arguments of exports.images.annotate_for_slide (title, scope_year, filters,
    target_text, clause, completeness, data_date, is_demo).
    """
    from exports.images import ExportError, annotate_for_slide, figure_png

    scale = st.radio("图片尺寸", list(SIZES), horizontal=True, key=f"{key}_scale", format_func=SIZES.get)
    tag = hashlib.sha1((figure.to_json() + json.dumps(export_context, sort_keys=True, default=str)
                        + str(scale)).encode()).hexdigest()
    if _asked("生成幻灯片图片 (PNG)", f"{key}_render") and _environment_ok():
        try:
            with st.spinner("正在服务器端渲染图片…"):
                st.session_state[f"{key}_png"] = (tag, figure_png(annotate_for_slide(figure, **export_context),
                                                                  scale=scale))
        except ExportError as error:
            st.error(str(error))
    _offer(f"{key}_png", tag, "download", "下载 PNG", f"{file_stem}.png", "image/png")


@st.cache_data(show_spinner=False, ttl=600, max_entries=64)
def _map_png(url: str, region: str, year: int, indicator: str, mode: str, scale: int, allowed: str,
             filters: str) -> bytes:
    from exports.images import map_png

    return map_png(_engine_for(url), region, year, indicator, mode=mode, scale=scale, allowed_region=allowed,
                   filters=filters)


def map_download(view, *, key: str) -> None:
    """The current map (children choropleth, or a county's schools) as an annotated slide PNG."""
    from exports.images import ExportError

    scale = st.radio("图片尺寸", list(SIZES), horizontal=True, key=f"{key}_scale", format_func=SIZES.get)
    filters = f"学段: {view.stage}" if view.stage else ""
    tag = (view.url, view.region, view.year, view.indicator, view.mode, scale, view.allowed, filters)
    if _asked("生成幻灯片图片 (PNG)", f"{key}_render") and _environment_ok():
        try:
            with st.spinner("正在服务器端渲染图片…"):
                st.session_state[f"{key}_png"] = (tag, _map_png(*tag))
        except (ExportError, RegionError) as error:
            st.error(str(error))
    _offer(f"{key}_png", tag, "download", "下载 PNG", f"地图_{view.region}_{view.indicator}_{view.year}.png",
           "image/png")


def meeting_pack_button(view, *, key: str) -> None:
    """Build the meeting pack (PPTX, optionally PDF) for the current area and year, with a progress bar."""
    from exports.brief import meeting_slides, pdf_bytes, pptx_bytes
    from exports.images import ExportError

    with_pdf = st.checkbox("同时生成 PDF", key=f"{key}_with_pdf")
    tag = (view.url, view.region, view.year, view.allowed)
    if _asked("生成会议材料 (PPTX)", f"{key}_build", type="primary") and _environment_ok():
        bar = st.progress(0.0, text="开始生成…")
        share = 0.7 if with_pdf else 1.0

        def progress(fraction: float, message: str, start: float = 0.0, span: float = share) -> None:
            bar.progress(min(1.0, start + span * fraction), text=message)

        try:
            deck = meeting_slides(_engine_for(view.url), view.region, view.year, allowed_region=view.allowed,
                                  progress=progress)
            st.session_state[f"{key}_pptx"] = (tag, pptx_bytes(deck))
            st.session_state.pop(f"{key}_pdf", None)
            if with_pdf:
                st.session_state[f"{key}_pdf"] = (tag, pdf_bytes(
                    deck, progress=lambda fraction, message: progress(fraction, message, share, 1 - share)))
            bar.progress(1.0, text=f"完成: {len(deck.slides)} 页")
        except (ExportError, RegionError) as error:
            bar.empty()
            st.error(str(error))
    stem = f"会议材料_{view.region}_{view.year}"
    _offer(f"{key}_pptx", tag, "download", "下载 PPTX", f"{stem}.pptx", PPTX_MIME)
    _offer(f"{key}_pdf", tag, "download", "下载 PDF", f"{stem}.pdf", "application/pdf")
