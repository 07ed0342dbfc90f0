"""One problem found in an uploaded file, located the way the clerk sees the file in Excel.

Every text in an issue comes from the file or quotes it, so each is cut to a bound: a hostile file cannot
make the page, the history or a download carry megabytes of its own text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ISSUE_HEADER = ("文件", "工作表", "行", "列", "值", "问题")
VALUE_CHARS = 80  # a quoted cell, header or sheet name
FILE_NAME_CHARS = 255
MESSAGE_CHARS = 500  # one issue's message (it may quote headers)
HISTORY_MESSAGE_CHARS = 2_000  # the message stored on an import_batches row


def shorten(text: str, limit: int = VALUE_CHARS) -> str:
    """`text` cut to `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Issue:
    file: str
    sheet: str | None  # None for CSV and for problems with the whole file
    row: int | None  # row number as Excel shows it (header row included)
    column: str | None  # the header as written in the file, or the template header when missing
    value: str | None  # the offending cell text
    message: str  # Chinese, says what is wrong and what to write instead

    def __post_init__(self) -> None:
        bounded = {"file": FILE_NAME_CHARS, "sheet": VALUE_CHARS, "column": VALUE_CHARS, "value": VALUE_CHARS,
                   "message": MESSAGE_CHARS}
        for name, limit in bounded.items():
            text = getattr(self, name)
            if isinstance(text, str) and len(text) > limit:
                object.__setattr__(self, name, shorten(text, limit))

    def describe(self) -> str:
        """One line: 文件 x.xlsx, 工作表「填报」, 第 5 行, 列「在校生数」, 值「-3」: 不能为负数."""
        where = [f"文件 {self.file}"]
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列「{self.column}」")
        if self.value not in (None, ""):
            where.append(f"值「{self.value}」")
        return f"{', '.join(where)}: {self.message}"


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """Issues as a table with Chinese headers (page display, CSV/XLSX download for the clerk)."""
    return pd.DataFrame(
        [(i.file, i.sheet or "", i.row if i.row is not None else pd.NA, i.column or "", i.value or "", i.message)
         for i in issues],
        columns=list(ISSUE_HEADER),
    ).astype({"行": "Int64"})


class ImportRejected(Exception):
    """The file cannot be imported; `issues` says every reason found."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues[0].describe() if issues else "文件被拒绝")
        self.issues = issues
