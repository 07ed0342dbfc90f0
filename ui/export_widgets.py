"""Download buttons for pages: annotated slide PNGs, CSV/XLSX tables and the PPTX/PDF meeting pack.

Rendering goes through Chromium and takes about a second per image, so nothing is rendered on a plain
rerun: a first button renders, then a download button offers the bytes kept in session state (tagged with
what they were made from, so a changed filter never offers a stale file).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import vocab
from data_access.read_model import IndicatorView
from data_access.regions import RegionError
from exports.tables import csv_bytes, xlsx_bytes
from ui.i18n import t
from ui.resources import _engine_for

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
SIZES = {1: "1600×900", 2: "3200×1800 (2×)"}


def _environment_ok() -> bool:
    from exports.environment import check_export_environment

    problems = check_export_environment()
    for problem in problems:
        st.error(problem)
    return not problems


def _asked(label: str, key: str, **kwargs) -> bool:
    """A button whose click survives a rerun of the script (the request is kept in session state).

    A plain st.button is True for one script run only; a page that reruns itself early (see
    ui.streamlit_compat) would lose the click.
    """
    request = f"{key}_requested"
    st.button(label, key=key, on_click=st.session_state.__setitem__, args=(request, True), **kwargs)
    return bool(st.session_state.pop(request, False))


def table_downloads(frame: pd.DataFrame, *, file_stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM) and XLSX of a table, formula-like cells kept as text."""
    left, right = st.columns(2)
    # Deferred: the files are made when clicked, not on every rerun (an XLSX of 160 rows takes ~1 s).
    left.download_button(t("download_csv"), lambda: csv_bytes(frame), f"{file_stem}.csv", "text/csv",
                         key=f"{key}_csv", on_click="ignore")
    right.download_button(t("download_xlsx"), lambda: xlsx_bytes(frame, file_stem), f"{file_stem}.xlsx", XLSX_MIME,
                          key=f"{key}_xlsx", on_click="ignore")


def gis_downloads(shown: IndicatorView, *, lang: str, key: str) -> None:
    """下载地图图层 (GIS): the current map as GeoPackage and GeoJSON, made when clicked (exports.gis)."""
    from exports.gis import MIME, gis_bytes, gis_file_name

    st.caption(t("gis_title"))
    left, right = st.columns(2)
    for column, file_format, label in ((left, "gpkg", "GeoPackage"), (right, "geojson", "GeoJSON")):
        column.download_button(f"{t('gis_download')} ({label})", lambda f=file_format: gis_bytes(shown, f, lang),
                               gis_file_name(shown, file_format), MIME[file_format], key=f"{key}_{file_format}",
                               on_click="ignore")


def _offer(key: str, tag: object, data_key: str, label: str, file_name: str, mime: str) -> None:
    held = st.session_state.get(key)
    if held and held[0] == tag:
        st.download_button(label, held[1], file_name, mime, key=f"{key}_{data_key}", on_click="ignore")


def map_download(shown: IndicatorView, *, mode: str, filters: str, key: str) -> None:
    """The map the page shows, as an annotated slide PNG drawn from the page's own view (no query again)."""
    from exports.images import ExportError, view_png, warm_up

    warm_up()  # drawn only while the export panel is open: Chromium starts before the button is clicked
    scale = st.radio(t("image_size"), list(SIZES), horizontal=True, key=f"{key}_scale", format_func=SIZES.get)
    stage = f"学段: {vocab.STAGES.get(filters, filters)}" if filters else ""
    scope = shown.scope
    tag = (scope, shown.indicator_id, mode, scale, stage, shown.reported, shown.data_as_of, shown.basis)
    if _asked(t("render_png"), f"{key}_render") and _environment_ok():
        try:
            with st.spinner(t("rendering")):
                st.session_state[f"{key}_png"] = (tag, view_png(shown, mode=mode, scale=scale, filters=stage))
        except (ExportError, RegionError) as error:
            st.error(str(error))
    _offer(f"{key}_png", tag, "download", t("download_png"),
           f"地图_{scope.region}_{shown.indicator_id}_{scope.year}.png", "image/png")


def meeting_pack_button(view, *, key: str) -> None:
    """Build the meeting pack (PPTX, optionally PDF) for the current area and year, with a progress bar."""
    from exports.brief import meeting_slides, pdf_bytes, pptx_bytes
    from exports.images import ExportError

    with_pdf = st.checkbox(t("with_pdf"), key=f"{key}_with_pdf")
    tag = (view.url, view.region, view.year, view.allowed, view.basis)
    if _asked(t("build_pack"), f"{key}_build", type="primary") and _environment_ok():
        bar = st.progress(0.0, text=t("pack_started"))
        share = 0.7 if with_pdf else 1.0

        def progress(fraction: float, message: str, start: float = 0.0, span: float = share) -> None:
            bar.progress(min(1.0, start + span * fraction), text=message)

        try:
            deck = meeting_slides(_engine_for(view.url), view.region, view.year, allowed_region=view.allowed,
                                  progress=progress, basis=view.basis)
            st.session_state[f"{key}_pptx"] = (tag, pptx_bytes(deck))
            st.session_state.pop(f"{key}_pdf", None)
            if with_pdf:
                st.session_state[f"{key}_pdf"] = (tag, pdf_bytes(
                    deck, progress=lambda fraction, message: progress(fraction, message, share, 1 - share)))
            bar.progress(1.0, text=t("pack_done").format(n=len(deck.slides)))
        except (ExportError, RegionError) as error:
            bar.empty()
            st.error(str(error))
    stem = f"会议材料_{view.region}_{view.year}"
    _offer(f"{key}_pptx", tag, "download", t("download_pptx"), f"{stem}.pptx", PPTX_MIME)
    _offer(f"{key}_pdf", tag, "download", t("download_pdf"), f"{stem}.pdf", "application/pdf")
