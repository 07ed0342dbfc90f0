"""Files from any office suite (issue 21 item 5): .xls (and WPS .et, which is xls), .ods and .xlsb read through
python-calamine behind the XLSX bounds. The files are written by other writers (xlwt, odfpy), never by us."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import load_workbook

from data_access.importing import check_file, import_file, prefill_units, report_type, reported_values, template_xlsx
from data_access.importing.issues import ImportRejected
from data_access.importing.reading import DATA_SHEET, MAX_CELL_CHARS, MAX_COLUMNS, read_table
from data_access.init_warehouse import init_warehouse
from tests.cli.test_init_and_registries import SCHOOLS_FIXED


def _cells(template: bytes) -> list[list[object]]:
    """The 填报 sheet of a template as a clerk's office suite would see it: rows of values up to the last used."""
    sheet = load_workbook(io.BytesIO(template))[DATA_SHEET]
    return [list(row) for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]


def xls(rows: list[list[object]], sheet: str = DATA_SHEET) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                page.write(r, c, value, xlwt.easyxf(num_format_str="YYYY-MM-DD"))
            elif value is not None:
                page.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(rows: list[list[object]], sheet: str = DATA_SHEET) -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows:
        line = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, bool | int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


WRITERS = {"学校年报.xls": xls, "学校年报.et": xls, "学校年报.ods": ods}


@pytest.fixture
def registered(engine):
    """平凉市 initialised, four real-coded schools registered and a 2025 school report for three of them."""
    init_warehouse(engine, "620800")
    for name, text in (("名录.csv", SCHOOLS_FIXED),
                       ("年报.csv", "学校代码,年度,在校生数,专职心理健康教师数,心理辅导室达标\n"
                                   "2162000101,2025,800,1,是\n2162000102,2025,400,0,否\n3162000103,2025,1200,2,\n")):
        outcome = import_file(engine, name, text.encode(), imported_by="test")
        assert outcome.ok, [issue.message for issue in outcome.issues]
    return engine


@pytest.mark.parametrize("type_key", ["school_registry", "school"])
@pytest.mark.parametrize("file_name", list(WRITERS))
def test_a_template_saved_by_another_suite_imports_unchanged(registered, type_key, file_name):
    engine = registered
    spec = report_type(type_key)
    with engine.connect() as conn:
        units = prefill_units(conn, spec, "620802")
        values = reported_values(conn, spec, [unit_id for unit_id, _ in units], 2025)
    rows = _cells(template_xlsx(spec, units=units, year=None if spec.registry else 2025, values=values))
    data = WRITERS[file_name](rows)
    outcome = check_file(engine, file_name, data, type_key=type_key)
    assert outcome.ok, [issue.message for issue in outcome.issues]
    assert (len(outcome.plan.added), len(outcome.plan.changed)) == (0, 0)
    assert outcome.plan.unchanged == len(values) > 0
    # Same cells as the .xlsx itself reads.
    assert read_table(file_name, data).rows == read_table("t.xlsx", template_xlsx(
        spec, units=units, year=None if spec.registry else 2025, values=values)).rows


def test_a_new_report_in_xls_and_ods_reads_like_the_csv():
    rows = [["学校代码", "年度", "在校生数", "备注"], ["S1", 2025, 800, None], [None], ["S2", 2025, 400.0, "新"]]
    for name, data in (("a.xls", xls(rows)), ("a.ods", ods(rows))):
        table = read_table(name, data)
        assert table.headers == ("学校代码", "年度", "在校生数", "备注") and table.header_row == 1
        assert [number for number, _ in table.rows] == [2, 4]  # the blank row 3 is skipped, numbers kept
        assert table.rows[1][1][:3] == ("S2", 2025, 400)


def test_seventy_columns_of_xls_are_refused():
    assert MAX_COLUMNS < 70
    rows = [[f"列{c}" for c in range(70)], list(range(70))]
    with pytest.raises(ImportRejected) as refused:
        read_table("宽.xls", xls(rows))
    [issue] = refused.value.issues
    assert f"超过 {MAX_COLUMNS} 列" in issue.message and issue.row == 1


def test_a_2000_character_ods_cell_is_refused():
    rows = [["学校代码", "年度", "在校生数"], ["S1", 2025, "长" * 2000]]
    with pytest.raises(ImportRejected) as refused:
        read_table("长.ods", ods(rows))
    [issue] = refused.value.issues
    assert (issue.row, issue.column) == (2, "C")
    assert "2000 个字符" in issue.message and f"上限 {MAX_CELL_CHARS}" in issue.message


def test_an_xls_declaring_millions_of_cells_is_refused_quickly():
    book = xlwt.Workbook()
    page = book.add_sheet(DATA_SHEET)
    page.write(0, 0, "学校代码")
    page.write(65535, 255, "x")  # 16.7 million cells: 1 GB in calamine without the child's cap
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as refused:
        read_table("大.xls", buffer.getvalue())
    assert "表格范围过大" in refused.value.issues[0].message


def test_an_ods_that_unpacks_to_far_more_than_a_report_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(ImportRejected) as refused:
        read_table("炸.ods", buffer.getvalue())
    assert "解压后过大" in refused.value.issues[0].message


@pytest.mark.parametrize(("name", "data", "says"), [
    ("报表.pdf", b"%PDF-1.7 ...", "不支持的文件类型「.pdf」: 只接受 Excel 工作簿 (.xlsx/.xls/.xlsb)、WPS 表格 (.et)"),
    ("报表.xls", b"not really a workbook", "文件扩展名是 .xls, 内容却不是表格文件"),
    ("报表.ods", b"plain text", "文件扩展名是 .ods, 内容却不是表格文件"),
    ("报表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "无法作为 Excel 97-2003 工作簿 (.xls) 打开"),
])
def test_a_file_that_is_none_of_these_gets_an_actionable_message(name, data, says):
    with pytest.raises(ImportRejected) as refused:
        read_table(name, data)
    message = refused.value.issues[0].message
    assert says in message, message
