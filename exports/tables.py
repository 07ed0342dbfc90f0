"""Tables for Excel users: CSV in UTF-8 with BOM and XLSX, Chinese headers, formula-like cells kept as text."""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from data_access import catalog
from data_access.cells import neutral_cell, neutral_frame
from data_access.formatting import (
    deadline_label,
    prints_no_rate,
    row_numerator,
    row_shown_value,
    shortfall_count,
    shown_count,
    shown_gap,
    status_label,
    target_text,
)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so a double-click in Excel shows Chinese correctly; formula-like cells escaped."""
    return neutral_frame(frame).to_csv(index=False).encode("utf-8-sig")


def _cell_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return neutral_cell(value.item() if hasattr(value, "item") else value)


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    """One sheet, bold frozen header; every text cell is neutral (data_access.cells) and stored as a string."""
    workbook = Workbook()
    sheet = workbook.active
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    sheet.title = "".join(c for c in sheet_name if c not in "[]:*?/\\")[:31] or "数据"
    sheet.append([neutral_cell(str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Cells are written one by one: re-reading each appended row (sheet[max_row]) is quadratic in the rows.
    for row_number, row in enumerate(frame.itertuples(index=False), start=2):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=_cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=1+1" as a formula
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 1.6)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADERS = {
    "zh": {"unit_id": "代码", "name": "单位", "county_name": "所属县区", "year": "年度", "indicator_name": "指标",
           "numerator": "分子", "denominator": "分母", "value": "数值", "value_unit": "计量单位",
           "target_label": "目标", "deadline": "期限", "gap": "差距(正数为尚差)", "shortfall": "还需数量",
           "shortfall_unit": "还需单位", "status": "状态", "reported": "已上报单位数", "expected": "应上报单位数",
           "clause_ref": "条款位置", "clause": "规划条款"},
    "en": {"unit_id": "Code", "name": "Unit", "county_name": "County", "year": "Year", "indicator_name": "Indicator",
           "numerator": "Numerator", "denominator": "Denominator", "value": "Value", "value_unit": "Unit of measure",
           "target_label": "Target", "deadline": "Deadline", "gap": "Gap (positive = short)",
           "shortfall": "Still needed", "shortfall_unit": "Still needed (what)", "status": "Status",
           "reported": "Units reported", "expected": "Units expected", "clause_ref": "Clause ref",
           "clause": "Plan clause"},
}


def indicator_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """An evaluation frame as a table with headers in the language and units, ready for CSV/XLSX.

    Counts, values and gaps are the numbers the pages print (data_access.formatting.shown_number); missing
    figures stay empty (not 0): a unit that did not report must not read as a reported zero. A status that
    prints no rate (样本不足, 不适用, 无数据) leaves numerator, value, gap and shortfall empty: a 3-student survey
    gives away neither its rate nor its passes. Whole units still needed (shortfall) are counted as the pages
    count them.
    """
    lang = "en" if lang == "en" else "zh"
    headers = HEADERS[lang]
    rows = frame.to_dict("records")
    table = frame.copy()
    if "indicator" in table:
        table["indicator_name"] = [catalog.indicators()[r["indicator"]].name(lang) for r in rows]
    if "target_label" in table and "threshold" in table:
        table["target_label"] = [target_text(r, lang) if r.get("target_label") else None for r in rows]
    if "deadline_year" in table:
        table["deadline"] = [deadline_label(r["deadline_year"], lang) if r.get("target_label") else None
                             for r in rows]
    printed = {
        "value": row_shown_value,
        "gap": lambda r: shown_gap(r.get("gap"), r.get("value_unit"), r.get("status")),
        "numerator": row_numerator,
        "denominator": lambda r: shown_count(r.get("denominator")),
        "shortfall": lambda r: None if prints_no_rate(r.get("status")) else shortfall_count(r.get("shortfall")),
    }
    for column, shown in printed.items():
        if column in table:
            # object dtype: pandas would turn [3, None] into 3.0 and NaN, and the file would read "3.0".
            table[column] = pd.Series([shown(r) for r in rows], index=table.index, dtype=object)
    if "status" in table:
        table["status"] = [status_label(s, lang) for s in table["status"]]
    columns = [c for c in headers if c in table.columns]
    return table[columns].rename(columns=headers).reset_index(drop=True)
