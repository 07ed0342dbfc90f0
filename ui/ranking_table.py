"""The map page's ranking as it goes on the wire, built once per view and shared by every session.

Building it took a third of a map rerun's CPU (issue 20: pandas sorting, one formatted text per cell, column
widths). ui/resources.ranking_table caches it under the view's scope, indicator, basis, language, order, the
user's allowed region and the warehouse revision; the page only hands it to st.dataframe (which copies the
column config before changing it). Treat a RankingTable as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from data_access.formatting import (
    format_share,
    fraction_text,
    missing_text,
    status_label,
    trajectory_text,
    value_text,
)
from data_access.read_model import IndicatorView
from data_access.review_basis import row_basis_text
from ui.i18n import STRINGS
from ui.wire import fitted_columns, text_table

ROW_PX, MAX_HEIGHT_PX = 38, 560


@dataclass(frozen=True)
class RankingTable:
    ranking: pd.DataFrame  # IndicatorView.ranking(): the units in ranking order (the table exports read it)
    arrow: pa.Table  # the display table, every cell a printed text (ui/wire.text_table)
    column_config: dict  # st.dataframe's column_config: every column as wide as its longest text
    height: int  # px: every row shown, up to MAX_HEIGHT_PX


def _text(key: str, lang: str) -> str:
    zh, en = STRINGS[key]
    return en if lang == "en" else zh


def build_ranking_table(shown: IndicatorView, *, lang: str, slipped_first: bool, approved_only: bool) -> RankingTable:
    """The ranking of `shown`'s units as printed under the map: rank, unit, value, status, what is still missing,
    fraction and yearly progress needed (areas only), reported share and basis (unless no unit has one)."""
    ranking = shown.ranking(slipped_first=slipped_first)
    rows = ranking.to_dict("records")
    table = pd.DataFrame({
        _text("rank", lang): [("" if pd.isna(r) else str(r)) for r in ranking["rank"]],
        _text("unit", lang): ranking["name"],
        _text("value", lang): [value_text(row, lang) for row in rows],
        # The status right after the value: what a meeting reads first stays in view in a narrow window.
        _text("status", lang): [status_label(s, lang) for s in ranking["status"]],
        _text("missing", lang): [missing_text(row, lang) for row in rows],  # "还需 3 名专职教师" / "差 5.1 个百分点"
        _text("trajectory", lang): [trajectory_text(row, lang) for row in rows],
        _text("reported_col", lang): [format_share(row["reported"], row["expected"]) for row in rows],
        _text("basis", lang): [row_basis_text(row, approved_only=approved_only, lang=lang) or "—" for row in rows],
    })
    if shown.scope.child_level == "school":
        # A school is met or not, and lacks something: its "1/1" and "+95.0 a year" say nothing more.
        table = table.drop(columns=[_text("trajectory", lang)])
    else:
        table.insert(4, _text("fraction", lang), [fraction_text(row) for row in rows])
    if (table[_text("basis", lang)] == "—").all():
        # 数据口径 says nothing for any unit: its room goes to the others.
        table = table.drop(columns=[_text("basis", lang)])
    # Rank and unit stay in view when a narrow window scrolls the table sideways.
    return RankingTable(ranking=ranking, arrow=text_table(table), column_config=fitted_columns(table, pinned=2),
                        height=min(MAX_HEIGHT_PX, ROW_PX * (len(table) + 1)))
