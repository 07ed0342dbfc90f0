"""Tables on the wire: plain Arrow (the map page's ranking is resent on every rerun), columns as wide as their text."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pyarrow as pa
import streamlit as st


def text_table(frame: pd.DataFrame) -> pa.Table:
    """A table of display strings as Arrow without pandas' schema metadata and with 32-bit string offsets.

    st.dataframe(pandas) embeds ~1.3 kB of pandas metadata JSON and large_string columns: a third of a ten-row
    ranking's bytes. Every column is text here (the one formatter already printed the numbers); the index is
    dropped, as hide_index would.
    """
    columns = {str(name): pa.array([None if pd.isna(value) else str(value) for value in frame[name]], pa.string())
               for name in frame.columns}
    return pa.table(columns)


# st.dataframe sizes a column from a sample of its first rows and cuts longer cells ("还需 29 名精神科医"):
# every column gets the width of its longest text instead. Measured in Chromium on the 14 px grid font: a 汉字
# 14 px, a digit or latin letter ~8 px, a space or punctuation ~4 px; 16 px of cell padding.
WIDE_CHAR_PX, NARROW_CHAR_PX, THIN_CHAR_PX, CELL_PADDING_PX, MAX_COLUMN_PX = 14, 8, 4, 16, 420
THIN_CHARS = frozenset(" ,.;:'()/|-·")


def _text_px(text: str) -> int:
    return sum(WIDE_CHAR_PX if unicodedata.east_asian_width(c) in "WF" else THIN_CHAR_PX if c in THIN_CHARS
               else NARROW_CHAR_PX for c in text)


def fitted_columns(frame: pd.DataFrame, pinned: int = 0) -> dict[str, st.column_config.Column]:
    """column_config giving every column the width of its longest cell or header, so nothing is cut off; the
    first `pinned` columns stay in view when a narrow window scrolls the table sideways."""
    widths = {}
    for position, name in enumerate(frame.columns):
        texts = [str(name), *("" if pd.isna(value) else str(value) for value in frame[name])]
        widths[str(name)] = st.column_config.Column(
            width=min(MAX_COLUMN_PX, CELL_PADDING_PX + max(_text_px(text) for text in texts)),
            pinned=True if position < pinned else None)
    return widths
