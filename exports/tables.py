"""Tables for Excel users: CSV in UTF-8 with BOM and XLSX, Chinese headers, formula-like cells kept as text."""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

# A cell starting with one of these is a formula to Excel/WPS (CSV injection): keep it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATUS_ZH = {"met": "达标", "close": "接近", "behind": "落后", "no_data": "无数据"}


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with a single quote, the way Excel marks text."""
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = [f"'{v}" if _is_formula_like(v) else v for v in escaped[column]]
    return escaped


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so a double-click in Excel shows Chinese correctly."""
    return escape_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    """One sheet; every text cell is stored as a string (never a formula); columns sized to content."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        values = []
        for value in row:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                values.append(None)
            elif hasattr(value, "item"):
                values.append(value.item())
            else:
                values.append(value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=1+1" as a formula
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 1.6)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def indicator_table(frame: pd.DataFrame) -> pd.DataFrame:
    """An evaluation frame as a Chinese-headed table with units, ready for CSV/XLSX."""
    return pd.DataFrame({
        "代码": frame["unit_id"],
        "单位": frame["name"],
        "年度": frame["year"],
        "指标": frame["indicator_name"],
        "分子": frame["numerator"],
        "分母": frame["denominator"],
        "数值": frame["value"].round(2),
        "计量单位": frame["value_unit"],
        "目标": frame["target_label"],
        "期限": frame["deadline"],
        "差距": frame["gap"].round(2),
        "状态": frame["status"].map(STATUS_ZH),
        "已上报单位": frame["reported"],
        "应上报单位": frame["expected"],
        "规划条款": frame["clause"],
    })
