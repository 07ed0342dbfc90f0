"""Read an uploaded XLSX, XLS (also WPS .et), XLSB, ODS or CSV into header + rows, numbered as Excel numbers them.

XLSX goes through openpyxl; the other office formats through python-calamine in a child process with a
memory cap (office_sheet.py); all behind the same bounds: file size, unpacked size (zipped formats), columns,
rows, cell size and time.

Tolerated: stray blank rows, blank columns, spaces (also full-width) around text, CSV in UTF-8, UTF-8 with
BOM or GB18030/GBK, comma/tab/semicolon separators. Everything else is an Issue, never a guess.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from data_access.cells import TEXT_MARK, restored_cell
from data_access.importing.issues import ImportRejected, Issue, shorten
from data_access.importing.spec import MAX_DATA_ROWS, MAX_FILE_BYTES, REPORT_TYPES

NOTES_SHEET = "填表说明"
DATA_SHEET = "填报"
_SPACES = " \t\r\n\u3000\xa0\ufeff"

# Bounds that hold whatever the file declares (a hostile sheet can declare A1:XFD1048576 in 1.9 kB, or hide
# a 100 MB string in a 100 kB zip). The widest report type plus room for the clerk's own note columns.
MAX_COLUMNS = max(len(spec.columns) for spec in REPORT_TYPES.values()) + 50
MAX_CELL_CHARS = 1_000
MAX_LONG_CELLS = 20  # long cells listed before giving up
# Uncompressed size of one zip member and of all of them: a 10 MB workbook of plain numbers unpacks to
# well under this; a text bomb does not.
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
READ_SECONDS = 20.0
# Address space of the calamine child: a 50,000-row report fits in a fraction of it; a sheet that declares
# millions of cells does not.
OFFICE_CHILD_BYTES = 768 * 1024 * 1024
OFFICE_SUFFIXES = (".xls", ".et", ".xlsb", ".ods")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ACCEPTED = "Excel 工作簿 (.xlsx/.xls/.xlsb)、WPS 表格 (.et)、OpenDocument 表格 (.ods) 或 CSV (.csv)"


@dataclass(frozen=True)
class RawTable:
    file_name: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (Excel row number, cell values)


def clean(value: object) -> object:
    """Strip text (full-width spaces too); blank text becomes None. Numbers and dates pass unchanged. Text our
    own files marked with a leading `'` (data_access.cells) reads as it was stored."""
    if isinstance(value, str):
        value = value.strip(_SPACES)
        if value.startswith(TEXT_MARK):  # only then can restored_cell change it (500,000 cells: skip the call)
            value = restored_cell(value).strip(_SPACES)
        return value or None
    return value


def read_table(file_name: str, data: bytes) -> RawTable:
    """The data sheet of an XLSX or the records of a CSV; ImportRejected for an unreadable or empty file."""
    def reject(message: str) -> ImportRejected:
        return ImportRejected([Issue(file_name, None, None, None, None, message)])

    if len(data) > MAX_FILE_BYTES:
        raise reject(f"文件大小 {len(data) / 1024 / 1024:.1f} MB, 超过上限 {MAX_FILE_BYTES // 1024 // 1024} MB; "
                     "请按县(区)拆分后分别导入")
    if not data.strip():
        raise reject("文件是空的: 请使用模板填写后再上传")
    suffix = PurePath(file_name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003 .xls, WPS .et (the same format), or Word...
        return _read_office(file_name, data, suffix if suffix in OFFICE_SUFFIXES else ".xls", reject)
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data, reject)
        if kind == "xlsx":
            return _read_xlsx(file_name, data, reject)
        return _read_office(file_name, data, kind, reject)
    if suffix in (".xlsx", ".xlsm", *OFFICE_SUFFIXES):
        raise reject(f"文件扩展名是 {suffix}, 内容却不是表格文件 (可能已损坏或被改过扩展名)")
    if suffix not in (".csv", ".txt"):
        raise reject(f"不支持的文件类型「{suffix or '无扩展名'}」: 只接受 {ACCEPTED}")
    return _read_csv(file_name, data, reject)


def _zip_kind(data: bytes, reject) -> str:
    """"xlsx", ".ods" or ".xlsb" for a zipped workbook, after its unpacked size was checked."""
    _check_unpacked_size(data, reject)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip().startswith(ODS_MIMETYPE):
            return ".ods"
    return ".xlsb" if "xl/workbook.bin" in names else "xlsx"


def _read_office(file_name: str, data: bytes, kind: str, reject) -> RawTable:
    """A .xls/.et/.xlsb/.ods through python-calamine in a child process (office_sheet.py): its memory is capped
    and its time bounded, since calamine holds a sheet as one dense block of every cell it declares."""
    import pickle
    import subprocess
    import sys

    shown = {".et": "WPS 表格 (.et)", ".ods": "OpenDocument 表格 (.ods)", ".xlsb": "Excel 二进制工作簿 (.xlsb)"}.get(
        kind, "Excel 97-2003 工作簿 (.xls)")
    started = time.monotonic()
    try:
        child = subprocess.run(
            [sys.executable, "-I", str(PurePath(__file__).with_name("office_sheet.py")), DATA_SHEET, NOTES_SHEET,
             str(OFFICE_CHILD_BYTES)], input=data, capture_output=True, timeout=READ_SECONDS, check=False)
    except subprocess.TimeoutExpired as error:
        raise reject(f"读取{shown}超过 {READ_SECONDS:.0f} 秒仍未完成: 文件结构异常, 请用模板重新填写后上传") from error
    if child.returncode == 3:
        raise reject(f"工作簿中没有数据工作表 (应有名为「{DATA_SHEET}」的工作表)")
    if child.returncode == 4:
        detail = child.stderr.decode("utf-8", "replace").strip().split(":")[0]
        raise reject(f"无法作为 {shown} 打开: 文件可能已损坏、已加密, 或是 Word 等其他 Office 文件 ({detail});"
                     " 请在 Excel、WPS 或 LibreOffice 中「另存为」Excel 工作簿 (.xlsx) 后上传")
    if child.returncode != 0:
        raise reject(f"{shown}声明的表格范围过大 (读取时超出 {OFFICE_CHILD_BYTES // (1024 * 1024)} MB 内存上限):"
                     " 不像正常的报表, 请删除多余的行和列, 或用模板重新填写后上传")
    sheet, values = pickle.loads(child.stdout)  # our own child's output  # noqa: S301
    left = READ_SECONDS - (time.monotonic() - started)
    rows = _bounded_rows(file_name, sheet, (tuple(row) for row in values), reject, seconds=left)
    return _split_header(file_name, sheet, rows, reject)


def _read_xlsx(file_name: str, data: bytes, reject) -> RawTable:
    # openpyxl parses through defusedxml when it is installed (it is a dependency), so hostile XML is refused.
    from openpyxl import load_workbook

    _check_unpacked_size(data, reject)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise reject("无法作为 Excel 工作簿 (.xlsx) 打开: 文件可能已损坏, 或是 Word/压缩包等其他文件"
                     f" ({type(error).__name__})") from error
    try:
        names = workbook.sheetnames
        chosen = DATA_SHEET if DATA_SHEET in names else next((n for n in names if n != NOTES_SHEET), None)
        if chosen is None:
            raise reject(f"工作簿中没有数据工作表 (应有名为「{DATA_SHEET}」的工作表)")
        sheet = workbook[chosen]
        # The declared dimension is not trusted: read-only openpyxl pads every row to its width (16,384 cells
        # for A1:XFD1048576). Without it a row is as wide as its last real cell, and blank gaps cost nothing.
        sheet.reset_dimensions()
        rows = _bounded_rows(file_name, chosen, sheet.iter_rows(values_only=True), reject)
    finally:
        workbook.close()
    return _split_header(file_name, chosen, rows, reject)


def _check_unpacked_size(data: bytes, reject) -> None:
    """Refuse a workbook whose parts unpack to far more than any real report, before parsing any of them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise reject("无法作为 Excel 工作簿 (.xlsx) 打开: 文件可能已损坏, 或是 Word/压缩包等其他文件"
                     f" ({type(error).__name__})") from error
    largest = max(members, key=lambda member: member.file_size, default=None)
    total = sum(member.file_size for member in members)
    if largest is not None and (largest.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES):
        megabytes = largest.file_size // (1024 * 1024)
        raise reject(f"工作簿解压后过大 (共 {total // (1024 * 1024)} MB, 其中「{shorten(largest.filename)}」"
                     f"{megabytes} MB; 每部分上限 {MAX_MEMBER_BYTES // (1024 * 1024)} MB): 不像正常的报表,"
                     " 请用模板重新填写后上传")


def _bounded_rows(file_name: str, sheet: str | None, source, reject,
                  seconds: float | None = None) -> list[tuple[int, tuple[object, ...]]]:
    """The non-blank rows of `source`, numbered from 1, within the row, column, cell-size and time bounds
    (`seconds` left of READ_SECONDS)."""
    deadline = time.monotonic() + (READ_SECONDS if seconds is None else seconds)
    where = f"工作表「{sheet}」" if sheet else "文件"
    rows: list[tuple[int, tuple[object, ...]]] = []
    long_cells: list[Issue] = []
    for number, values in enumerate(source, start=1):
        if time.monotonic() > deadline:
            raise reject(f"读取{where}超过 {READ_SECONDS:.0f} 秒仍未完成 (已读到第 {number} 行): 文件结构异常,"
                         " 请用模板重新填写后上传")
        if values.count(None) == len(values):  # also () for a blank row of a calamine sheet
            continue  # blank row (also the gaps openpyxl fills between rows)
        if len(values) > MAX_COLUMNS:
            beyond = [index for index, v in enumerate(values[MAX_COLUMNS:], start=MAX_COLUMNS + 1)
                      if clean(v) is not None]
            if beyond:
                raise ImportRejected([Issue(file_name, sheet, number, _column_name(beyond[0]), None,
                                            f"超过 {MAX_COLUMNS} 列: 请删除多余的列, 只保留模板中的列")])
            values = values[:MAX_COLUMNS]
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in values):
            long_cells.extend(
                Issue(file_name, sheet, number, _column_name(index), shorten(value),
                      f"单元格有 {len(value)} 个字符, 超过上限 {MAX_CELL_CHARS}: 请只填写代码、年度和数值")
                for index, value in enumerate(values, start=1)
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS)
        if len(long_cells) >= MAX_LONG_CELLS:
            break
        values = tuple([clean(v) for v in values])
        if values.count(None) != len(values):
            rows.append((number, values))
        if len(rows) > MAX_DATA_ROWS + 1:
            raise reject(f"{where}超过 {MAX_DATA_ROWS} 行: 请按县(区)拆分后分别导入")
    if long_cells:
        raise ImportRejected(long_cells)
    return rows


def _column_name(index: int) -> str:
    """The column as Excel labels it (1 -> A, 28 -> AB): the header is not known yet when reading."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _decode(data: bytes, reject) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise reject("文件是 UTF-16 编码 (Excel「Unicode 文本」): 请另存为「CSV UTF-8」或 Excel 工作簿 (.xlsx)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Chinese Windows Excel/WPS writes as "CSV".
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise reject("无法识别文件编码 (不是 UTF-8, 也不是 GBK/GB18030): 请在 Excel 或 WPS 中另存为"
                     "「CSV UTF-8」或 Excel 工作簿 (.xlsx)") from error


def _read_csv(file_name: str, data: bytes, reject) -> RawTable:
    text = _decode(data, reject)
    if "\x00" in text:
        raise reject("文件含有二进制内容, 不是文本 CSV: 请上传 .xlsx 或另存为 CSV")
    first_line = next((line for line in text.splitlines() if line.strip(_SPACES + ",;")), "")
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        rows = _bounded_rows(file_name, None, (tuple(values) for values in csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter)), reject)
    except csv.Error as error:
        raise reject(f"CSV 格式错误: {error}") from error
    return _split_header(file_name, None, rows, reject)


def _split_header(file_name: str, sheet: str | None, rows: list, reject) -> RawTable:
    if not rows:
        raise reject("文件中没有任何内容: 请使用模板填写后再上传" if sheet is None
                     else f"工作表「{sheet}」是空的: 请使用模板填写后再上传")
    header_row, header_values = rows[0]
    headers = tuple("" if v is None else str(v) for v in header_values)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(rows) == 1:
        raise ImportRejected([Issue(file_name, sheet, header_row, None, None,
                                    "只有表头, 没有数据行: 每个单位每年填一行")])
    return RawTable(file_name, sheet, header_row, headers, tuple(rows[1:]))
