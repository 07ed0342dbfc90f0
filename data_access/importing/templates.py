"""XLSX templates: a 填报 sheet with the Chinese headers (optionally pre-filled with the region's units) and a
填表说明 sheet explaining every column, its unit, allowed values and accepted aliases."""

from __future__ import annotations

import io
from collections.abc import Mapping

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from data_access.cells import neutral_cell
from data_access.importing.facts import existing_rows
from data_access.importing.reading import DATA_SHEET, NOTES_SHEET
from data_access.importing.spec import BLANK_MARKS_NOTE, MAX_FILE_BYTES, Column, ReportType
from data_access.regions import ALL_REGIONS
from data_access.schema import regions
from data_access.years import reportable_years

REGISTRY_NOTES = (
    "每个单位填一行; 空白的可选项 (经纬度、开办/停办年份) 表示没有该信息。",
    "整份文件一起导入: 只要有一处问题, 整份文件都不会写入, 系统会列出每一处问题所在的行和列。",
    "已在名录中的单位按文件更新, 原值保留在导入历史中, 可以撤销; 文件中没有的单位保持不变 (不会被删除)。",
    "单位停办请填写停办年份, 不要删除: 停办前的上报数据继续保留。",
    f"支持 Excel 工作簿 (.xlsx/.xls/.xlsb)、WPS 表格 (.et)、LibreOffice 表格 (.ods) 和 CSV (UTF-8 或 GBK/GB18030 编码);"
    f" 文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB。",
)
GENERAL_NOTES = (
    "每个单位每个年度填一行; 同一文件中同一单位同一年度不能出现两次。",
    "空白表示「未上报」, 不是 0: 实际为 0 的请填 0。" + BLANK_MARKS_NOTE,
    "整份文件一起导入: 只要有一处问题, 整份文件都不会写入, 系统会列出每一处问题所在的行和列。",
    "再次导入同一单位同一年度的数据会覆盖原值; 覆盖前的值会保留在导入历史中, 可以撤销。",
    "文件中没有的列不会改动已有数据; 表头可使用本说明中「也可写作」列出的名称。",
    f"支持 Excel 工作簿 (.xlsx/.xls/.xlsb)、WPS 表格 (.et)、LibreOffice 表格 (.ods) 和 CSV (UTF-8 或 GBK/GB18030 编码);"
    f" 文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB。",
)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def prefill_units(conn: sa.Connection, spec: ReportType, region: str) -> list[tuple[str, str]]:
    """(unit id, name) of every unit of the report's kind inside `region`, for a pre-filled template."""
    county = regions.alias("county")
    unit_key = spec.units.c[spec.unit_key]
    county_of = unit_key if spec.units is regions else spec.units.c.county_adcode
    query = (sa.select(unit_key, spec.units.c.name).join_from(spec.units, county, county_of == county.c.adcode)
             .where(county.c.level == "county")
             .order_by(unit_key))
    if region != ALL_REGIONS:
        query = query.where(sa.or_(county.c.adcode == region, county.c.city_adcode == region,
                                   county.c.province_adcode == region))
    return [(str(unit_id), name) for unit_id, name in conn.execute(query)]


def reported_values(conn: sa.Connection, spec: ReportType, unit_ids: list[str], year: int | None) -> dict[str, dict]:
    """unit id -> {field: value} of what each unit already reported for `year` (units without a report left
    out), to pre-fill a template for corrections; for a registry, each unit's current entry (year ignored)."""
    rows = existing_rows(conn, spec, [(unit_id, None if spec.registry else year) for unit_id in unit_ids])
    fields = [column.field for column in spec.value_columns]
    return {unit_id: {field: row[field] for field in fields} for (unit_id, _), row in rows.items()}


def template_xlsx(spec: ReportType, *, units: list[tuple[str, str]] = (), year: int | None = None,
                  values: Mapping[str, Mapping[str, object]] | None = None) -> bytes:
    """The template workbook as bytes; `units` pre-fills code and name, `year` the year column, `values`
    (unit id -> field -> value, from reported_values) the figures already reported, so that a clerk correcting
    one figure does not blank the others."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    # In-cell checks (是/否 lists, year range, non-negative numbers) cover every pre-filled row and room to add.
    last_row = max(len(units) + 1, 5000)
    for position, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(f"{column.note}\n{column.allowed}" + (f"\n单位: {column.unit}" if column.unit else ""),
                               "模板")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, min(30, 2.2 * len(column.header)))
        if column.kind in ("id", "county"):
            # Text format so Excel keeps leading zeros and long codes as typed.
            for row in range(2, max(len(units), 200) + 2):
                sheet[f"{letter}{row}"].number_format = "@"
        if column.kind == "flag":
            check = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                                   errorTitle="只能填 是 / 否", error="请选择「是」或「否」; 未上报请留空")
            check.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(check)
        if column.kind == "choice":
            check = DataValidation(type="list", formula1='"' + ",".join(column.shown_choices) + '"',
                                   allow_blank=not column.required, showErrorMessage=True,
                                   errorTitle=f"{column.header}不正确", error=column.allowed)
            check.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(check)
        if column.kind == "year":
            years = reportable_years()
            low, high = years[0], years[-1]
            check = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                                   allow_blank=True, showErrorMessage=True, errorTitle="年度不可导入",
                                   error=f"年度应为 {low}–{high} (已结束的学年)")
            check.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(check)
        if column.kind in ("count", "hours"):
            check = DataValidation(type="whole" if column.kind == "count" else "decimal", operator="greaterThanOrEqual",
                                   formula1="0", allow_blank=True, showErrorMessage=True, errorTitle="数值不正确",
                                   error="应为 0 或正" + ("整数" if column.kind == "count" else "数"))
            check.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "B2"
    positions = {column.kind: position for position, column in enumerate(spec.columns, start=1)}
    value_positions = {column.field: position for position, column in enumerate(spec.columns, start=1)}
    # The unit's name: a label in a yearly report, the registry's own name column in a registry.
    name_position = next((p for p, c in enumerate(spec.columns, start=1) if c.kind == "label" or c.field == "name"),
                         None)
    for offset, (unit_id, name) in enumerate(units, start=2):
        sheet.cell(row=offset, column=positions["id"], value=neutral_cell(unit_id)).number_format = "@"
        if name_position:
            sheet.cell(row=offset, column=name_position, value=neutral_cell(name))
        if year is not None and "year" in positions:
            sheet.cell(row=offset, column=positions["year"], value=year)
        for field, value in (values or {}).get(unit_id, {}).items():
            if field in value_positions:  # derived fields (a community's county) are not in the file
                column = spec.columns[value_positions[field] - 1]
                sheet.cell(row=offset, column=value_positions[field], value=_cell(value, column))
    _notes_sheet(workbook.create_sheet(NOTES_SHEET), spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: object, column: Column) -> object:
    """A stored value as the clerk would type it: 是/否 for flags, a choice's Chinese form, whole numbers
    without .0, blank for NULL; text never as a formula (data_access.cells)."""
    if column.kind == "choice" and value is not None:
        return neutral_cell(column.shown(str(value)))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return neutral_cell(value)


def _notes_sheet(sheet, spec: ReportType) -> None:
    sheet.append([f"{spec.name_zh} 填表说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in (*(REGISTRY_NOTES if spec.registry else GENERAL_NOTES), *spec.extra_notes):
        sheet.append([f"· {note}"])
    sheet.append([])
    header = ["列名", "是否必填", "单位", "允许的值", "说明", "也可写作"]
    sheet.append(header)
    header_row = sheet.max_row
    for position in range(1, len(header) + 1):
        sheet.cell(row=header_row, column=position).font = Font(bold=True)
        sheet.cell(row=header_row, column=position).fill = _HEADER_FILL
    for column in spec.columns:
        sheet.append([column.header, "必填" if column.required or column.kind in ("id", "year") else "可空",
                      column.unit, column.allowed, column.note, "、".join(column.aliases)])
    if spec.registry:
        sheet.append([])
        sheet.append(["导入顺序: mhmonitor init --region 本省/市代码 → 学校名录、医疗机构名录、社区(村)名录"
                      " → 各年度上报"])
    for letter, width in zip("ABCDEF", (26, 10, 8, 34, 48, 36), strict=True):
        sheet.column_dimensions[letter].width = width


def template_file_name(spec: ReportType, year: int | None = None, region_name: str | None = None) -> str:
    parts = [spec.name_zh.replace("/", "_"), "模板"]
    if region_name:
        parts.insert(0, region_name)
    if year:
        parts.append(str(year))
    return "_".join(parts) + ".xlsx"

