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
from data_access.formatting import display_number, format_gap, shortfall_count
from data_access.read_model import deadline_label, status_label, target_text


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


def _shown_number(row: dict, column: str) -> float:
    """A number as the formatter prints it (the value rounded toward its status side), kept numeric for Excel."""
    if column == "value":
        text = display_number(row.get("value"), row.get("value_unit"), row.get("threshold"), row.get("comparison"),
                              row.get("status"))
    else:
        gap = row.get("gap")
        text = "" if gap is None or pd.isna(gap) else format_gap(gap, row.get("value_unit")).split(" ")[0]
    return float(text) if text else math.nan


def indicator_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """An evaluation frame as a table with headers in the language and units, ready for CSV/XLSX.

    Values and gaps are the numbers the pages print (data_access.formatting); missing figures stay empty
    (not 0): a unit that did not report must not read as a reported zero. Whole units still needed
    (shortfall) are counted as the pages count them.
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
    for column in ("value", "gap"):
        if column in table:
            table[column] = [_shown_number(r, column) for r in rows]
    if "shortfall" in table:
        table["shortfall"] = [shortfall_count(s) for s in table["shortfall"]]
    if "status" in table:
        table["status"] = [status_label(s, lang) for s in table["status"]]
    columns = [c for c in headers if c in table.columns]
    return table[columns].rename(columns=headers).reset_index(drop=True)
