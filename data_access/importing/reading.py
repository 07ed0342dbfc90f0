"""Read an uploaded XLSX or CSV into header + rows, numbered as Excel numbers them.

Tolerated: stray blank rows, blank columns, spaces (also full-width) around text, CSV in UTF-8, UTF-8 with
BOM or GB18030/GBK, comma/tab/semicolon separators. Everything else is an Issue, never a guess.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from data_access.importing.issues import ImportRejected, Issue
from data_access.importing.spec import MAX_DATA_ROWS, MAX_FILE_BYTES

NOTES_SHEET = "填表说明"
DATA_SHEET = "填报"
_SPACES = " \t\r\n\u3000\xa0\ufeff"


@dataclass(frozen=True)
class RawTable:
    file_name: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (Excel row number, cell values)


def clean(value: object) -> object:
    """Strip text (full-width spaces too); blank text becomes None. Numbers and dates pass unchanged."""
    if isinstance(value, str):
        value = value.strip(_SPACES)
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
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise reject("这是旧版 Excel 97-2003 (.xls) 或其他 Office 文件: 请在 Excel 或 WPS 中「另存为」"
                     "Excel 工作簿 (.xlsx) 后上传")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(file_name, data, reject)
    if suffix in (".xlsx", ".xlsm"):
        raise reject("文件扩展名是 .xlsx, 内容却不是 Excel 工作簿 (可能已损坏或被改过扩展名)")
    if suffix not in (".csv", ".txt"):
        raise reject(f"不支持的文件类型「{suffix or '无扩展名'}」: 只接受 Excel 工作簿 (.xlsx) 或 CSV (.csv)")
    return _read_csv(file_name, data, reject)


def _read_xlsx(file_name: str, data: bytes, reject) -> RawTable:
    # openpyxl parses through defusedxml when it is installed (it is a dependency), so hostile XML is refused.
    from openpyxl import load_workbook

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
        rows: list[tuple[int, tuple[object, ...]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = tuple(clean(v) for v in values)
            if any(v is not None for v in values):
                rows.append((number, values))
            if len(rows) > MAX_DATA_ROWS + 1:
                raise reject(f"工作表「{chosen}」超过 {MAX_DATA_ROWS} 行: 请按县(区)拆分后分别导入")
    finally:
        workbook.close()
    return _split_header(file_name, chosen, rows, reject)


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
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            values = tuple(clean(v) for v in values)
            if any(v is not None for v in values):
                rows.append((number, values))
            if len(rows) > MAX_DATA_ROWS + 1:
                raise reject(f"超过 {MAX_DATA_ROWS} 行: 请按县(区)拆分后分别导入")
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
