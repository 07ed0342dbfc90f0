"""One-click downloads of a plan's final evaluation (终期评估) on the targets page: Word, CSV and Excel.

The files are built only when a button is clicked (Streamlit's deferred download data runs the builder
then, on its own thread): the Word report takes a few seconds, and 15-25 s with maps through Chromium.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
import streamlit as st

from data_access.catalog import Plan
from data_access.regions import path_of, within
from data_access.review_basis import ALL_DATA, Basis
from exports.evaluation_report import DOCX_MIME, evaluation_file
from ui import resources
from ui.export_widgets import XLSX_MIME
from ui.i18n import t
from ui.resources import _engine_for

FORMATS = (("docx", "final_download_docx", DOCX_MIME), ("csv", "final_download_csv", "text/csv"),
           ("xlsx", "final_download_xlsx", XLSX_MIME))


def report_region(view, plan: Plan) -> str | None:
    """The area a report covers: the sidebar's area when it lies inside the plan's jurisdiction, else the
    jurisdiction itself; None when the user may see neither (fail closed)."""
    regions = resources.regions(view.url, view.allowed).set_index("adcode", drop=False)
    if view.region in regions.index and plan.adcode in path_of(regions.loc[view.region].to_dict()):
        return view.region
    if plan.adcode in regions.index and within(regions.loc[plan.adcode].to_dict(), view.allowed):
        return plan.adcode
    return None


def _build(engine: sa.Engine, region: str, plan_key: str, file_format: str, allowed: str, with_maps: bool,
           basis: Basis = ALL_DATA) -> bytes:
    """The file for a deferred download. A browser failure while drawing maps yields the report without
    maps rather than no file (the page already checked that Chromium and a CJK font are installed)."""
    from exports.images import ExportError

    try:
        return evaluation_file(engine, region, plan_key, file_format, allowed_region=allowed, with_maps=with_maps,
                               basis=basis)
    except ExportError:
        return evaluation_file(engine, region, plan_key, file_format, allowed_region=allowed, with_maps=False,
                               basis=basis)


def final_evaluation_downloads(view, plan: Plan, *, key: str) -> None:
    """Download buttons for the plan's final evaluation over the chosen area (or the whole jurisdiction)."""
    from exports.environment import check_export_environment

    region = report_region(view, plan)
    if region is None:
        st.caption(t("final_outside"))
        return
    names = resources.regions(view.url, view.allowed).set_index("adcode")["name"]
    with st.expander(f"{t('final_title')} · {names.get(region, region)}"):
        st.caption(t("final_note"))
        with_maps = st.checkbox(t("final_with_maps"), value=True, key=f"{key}_maps")
        if with_maps:
            for problem in check_export_environment():
                st.warning(f"{problem} ({t('final_no_maps')})")
                with_maps = False
        engine = _engine_for(view.url)
        columns = st.columns(len(FORMATS))
        for column, (file_format, label, mime) in zip(columns, FORMATS, strict=True):
            column.download_button(
                t(label), partial(_build, engine, region, plan.key, file_format, view.allowed, with_maps, view.basis),
                f"终期评估_{plan.key}_{region}.{file_format}", mime, key=f"{key}_{file_format}", on_click="ignore",
                type="primary" if file_format == "docx" else "secondary")
