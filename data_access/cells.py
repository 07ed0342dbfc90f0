"""The one rule for every cell the product writes to CSV, TSV or XLSX: text is never a formula.

Excel and WPS take a cell starting with `=`, `+`, `-` or `@` (and, after a tab or carriage return, the same) as
a formula when a file is opened ("CSV injection"): a school registered as `=HYPERLINK("http://…","click")` would
become a live link in every pre-filled template and table. `neutral_cell` gives such text the leading `'` Excel
itself uses for "typed as text"; numbers, dates and empty cells pass unchanged. Templates, page downloads, the
final evaluation, GIS attributes and every `mhmonitor` CSV/TSV output write through it, and the importer reads
the `'` back off (`restored_cell`), so a pre-filled template round-trips unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def neutral_cell(value: object) -> object:
    """The value as it may be written into a spreadsheet cell: formula-like text gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return TEXT_MARK + value
    return value


def restored_cell(text: str) -> str:
    """The inverse for a cell read back from a file: `'=…` (as neutral_cell wrote it) is `=…` again."""
    if text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell through neutral_cell (numeric columns untouched)."""
    neutral = frame.copy()
    for column in neutral.columns:
        if neutral[column].dtype == object or pd.api.types.is_string_dtype(neutral[column]):
            # object dtype kept: a list would be re-inferred, and [3, None] would be written as 3.0.
            neutral[column] = pd.Series([neutral_cell(value) for value in neutral[column]], index=neutral.index,
                                        dtype=object)
    return neutral


def row_writer(stream: TextIO, fmt: str = "csv", line_end: str = "\n") -> Callable[[Sequence[object]], None]:
    """A function writing one CSV ("csv") or tab-separated ("tsv") row to `stream`, every cell through
    neutral_cell, missing values blank. Both go through the csv module, so a tab or line break inside a value is
    quoted instead of splitting the row."""
    if fmt not in ("csv", "tsv"):
        raise ValueError(f"unknown format {fmt!r}")
    writer = csv.writer(stream, delimiter="," if fmt == "csv" else "\t", lineterminator=line_end)
    return lambda row: writer.writerow(["" if _missing(value) else neutral_cell(value) for value in row])


def delimited_text(header: Sequence[object], rows: Iterable[Sequence[object]], fmt: str = "csv") -> str:
    """CSV or TSV text of a header and rows (row_writer)."""
    buffer = io.StringIO()
    write = row_writer(buffer, fmt)
    write(header)
    for row in rows:
        write(row)
    return buffer.getvalue()


def frame_text(frame: pd.DataFrame, fmt: str = "csv") -> str:
    """A DataFrame as neutral CSV/TSV text (no index)."""
    return delimited_text(list(frame.columns), frame.itertuples(index=False, name=None), fmt)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
