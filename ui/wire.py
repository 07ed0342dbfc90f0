"""Keeping what a rerun sends small: tables as plain Arrow (the map page's ranking is resent on every rerun)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def text_table(frame: pd.DataFrame) -> pa.Table:
    """A table of display strings as Arrow without pandas' schema metadata and with 32-bit string offsets.

    st.dataframe(pandas) embeds ~1.3 kB of pandas metadata JSON and large_string columns: a third of a ten-row
    ranking's bytes. Every column is text here (the one formatter already printed the numbers); the index is
    dropped, as hide_index would.
    """
    columns = {str(name): pa.array([None if pd.isna(value) else str(value) for value in frame[name]], pa.string())
               for name in frame.columns}
    return pa.table(columns)
