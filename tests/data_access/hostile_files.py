"""Hostile workbooks as an attacker builds them: tiny zips that declare or hide enormous content.

Written by hand (zipfile + XML) because openpyxl would write an honest dimension and a sane string table.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="填报" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def _cell(reference: str, value: object) -> str:
    if isinstance(value, int):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if isinstance(value, tuple):  # ("shared", index): a shared string
        return f'<c r="{reference}" t="s"><v>{value[1]}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def workbook(rows: dict[int, dict[str, object]], *, dimension: str, shared: list[str] = ()) -> bytes:
    """An XLSX whose only sheet 填报 declares `dimension` and holds `rows` ({row: {column letter: value}})."""
    sheet_rows = "".join(
        f'<row r="{number}">' + "".join(_cell(f"{col}{number}", value) for col, value in cells.items()) + "</row>"
        for number, cells in sorted(rows.items()))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{sheet_rows}</sheetData></worksheet>')
    strings = ('<?xml version="1.0" encoding="UTF-8"?>'
               f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" '
               f'uniqueCount="{len(shared)}">' + "".join(f"<si><t>{text}</t></si>" for text in shared) + "</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            archive.writestr(name, text)
    return buffer.getvalue()


HEADER = {"A": "学校代码", "B": "年度", "C": "在校生数"}


def declared_huge() -> bytes:
    """About 1.9 kB: declares A1:XFD1048576 and has a value in the sheet's last row, so a reader trusting the
    dimension pads a million rows to 16,384 cells each (40 minutes of one CPU core before the bounds)."""
    return workbook({1: HEADER, 2: {"A": "S1", "B": 2025, "C": 1250}, 1048576: {"A": "S2", "B": 2025, "C": -1}},
                    dimension="A1:XFD1048576")


def far_column() -> bytes:
    """A value in the sheet's last column (XFD = column 16,384) of the header row."""
    return workbook({1: {**HEADER, "XFD": "备注"}, 2: {"A": "S1", "B": 2025, "C": 1250}}, dimension="A1:XFD2")


def huge_shared_string(megabytes: int = 100) -> bytes:
    """About 100 kB holding one shared string of `megabytes` MB (the value of the first data cell)."""
    return workbook({1: HEADER, 2: {"A": ("shared", 0), "B": 2025, "C": 1250}}, dimension="A1:C2",
                    shared=["9" * (megabytes * 1024 * 1024)])


def long_cell(characters: int) -> bytes:
    """A cell of `characters` characters (inline, not shared): small enough to unpack, too long to quote."""
    return workbook({1: HEADER, 2: {"A": "S1", "B": 2025, "C": 1250}, 3: {"A": "S" * characters, "B": 2025}},
                    dimension="A1:C3")
