"""Tables for Excel users: CSV in UTF-8 with BOM and XLSX, Chinese headers, formula-like cells kept as text."""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from data_access.status import status_label

# A cell starting with one of these is a formula to Excel/WPS (CSV injection): keep it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATUS_ZH = {"met": "达标", "close": "接近", "behind": "落后", "no_data": "无数据"}


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with a single quote, the way Excel marks text typed by hand."""
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = [f"'{v}" if _is_formula_like(v) else v for v in escaped[column]]
    return escaped


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so a double-click in Excel shows Chinese correctly; formula-like cells escaped."""
    return escape_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def _cell_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    """One sheet, bold frozen header; every text cell is stored as a string (never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    sheet.title = "".join(c for c in sheet_name if c not in "[]:*?/\\")[:31] or "数据"
    sheet.append([str(c) for c in frame.columns])
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
           "target_label": "目标", "deadline": "期限", "gap": "差距(正数为尚差)", "status": "状态",
           "reported": "已上报单位数", "expected": "应上报单位数", "clause_ref": "条款位置", "clause": "规划条款"},
    "en": {"unit_id": "Code", "name": "Unit", "county_name": "County", "year": "Year", "indicator_name": "Indicator",
           "numerator": "Numerator", "denominator": "Denominator", "value": "Value", "value_unit": "Unit of measure",
           "target_label": "Target", "deadline": "Deadline", "gap": "Gap (positive = short)", "status": "Status",
           "reported": "Units reported", "expected": "Units expected", "clause_ref": "Clause ref",
           "clause": "Plan clause"},
}


def indicator_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """An evaluation frame as a table with headers in the language and units, ready for CSV/XLSX.

    Missing figures stay empty (not 0): a unit that did not report must not read as a reported zero.
    """
    headers = HEADERS["en" if lang == "en" else "zh"]
    columns = [c for c in headers if c in frame.columns]
    table = frame[columns].copy()
    for column in ("value", "gap"):
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce").round(2)
    if "status" in table:
        table["status"] = [status_label(s, lang) for s in table["status"]]
    return table.rename(columns=headers).reset_index(drop=True)
