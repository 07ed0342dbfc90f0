"""Download buttons for pages: annotated map PNGs, CSV/XLSX tables and the PPTX meeting pack."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from exports.tables import csv_bytes, xlsx_bytes
from ui.resources import _engine_for

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def table_downloads(frame: pd.DataFrame, *, file_stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM) and XLSX of a table, formula-like cells kept as text."""
    left, right = st.columns(2)
    left.download_button("下载 CSV", csv_bytes(frame), f"{file_stem}.csv", "text/csv", key=f"{key}_csv")
    right.download_button("下载 Excel", xlsx_bytes(frame), f"{file_stem}.xlsx", XLSX_MIME, key=f"{key}_xlsx")


@st.cache_data(show_spinner=False, ttl=600, max_entries=64)
def _map_png(url: str, region: str, year: int, indicator: str, mode: str, scale: int, allowed: str) -> bytes:
    from exports.images import map_png

    return map_png(_engine_for(url), region, year, indicator, mode=mode, scale=scale, allowed_region=allowed)


def map_download(view, *, key: str) -> None:
    """Render the current map as an annotated slide PNG on the server only when asked (kaleido is slow)."""
    from exports.environment import export_problems

    scale = st.radio("图片尺寸", [1, 2], horizontal=True, key=f"{key}_scale",
                     format_func=lambda s: "1600×900" if s == 1 else "3200×1800 (2倍)")
    if st.button("生成幻灯片图片 (PNG)", key=f"{key}_render"):
        problems = export_problems()
        if problems:
            for problem in problems:
                st.error(problem)
            return
        with st.spinner("正在服务器端渲染图片…"):
            st.session_state[f"{key}_png"] = _map_png(view.url, view.region, view.year, view.indicator,
                                                      view.mode, scale, view.allowed)
    png = st.session_state.get(f"{key}_png")
    if png:
        st.download_button("下载 PNG", png, f"地图_{view.region}_{view.indicator}_{view.year}.png", "image/png",
                           key=f"{key}_download")


def meeting_pack_button(view, *, key: str) -> None:
    """Build the PPTX meeting pack for the current area and year, with a progress bar."""
    from exports.environment import export_problems

    if st.button("生成会议材料 (PPTX)", key=f"{key}_build", type="primary"):
        problems = export_problems()
        if problems:
            for problem in problems:
                st.error(problem)
            return
        from exports.brief import meeting_pack

        bar = st.progress(0.0, text="开始生成…")
        st.session_state[f"{key}_pptx"] = meeting_pack(
            _engine_for(view.url), view.region, view.year, allowed_region=view.allowed,
            progress=lambda fraction, message: bar.progress(min(1.0, fraction), text=message))
    pptx = st.session_state.get(f"{key}_pptx")
    if pptx:
        st.download_button("下载 PPTX", pptx, f"会议材料_{view.region}_{view.year}.pptx", PPTX_MIME,
                           key=f"{key}_download")
