"""The engine's shortfall and new statuses as the pages show them (contract 2 and 3 of the engine helper).

The engine is wrapped to add `shortfall`/`shortfall_unit` and a 达标后回落 (slipped) unit, so these tests fix
what the pages print independently of how the engine computes them.
"""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from data_access import evaluation
from tests.pages.test_pages import open_page


@pytest.fixture
def engine_with_shortfall(app_env, monkeypatch):
    """Every unit short of its target lacks 2 teachers; 碑林区 (610103) slipped after meeting its target.
    The pages are opened with approved="0" (all data): the fixture is a real warehouse with nothing approved."""
    real = evaluation.evaluate

    def evaluate(*args, **kwargs) -> pd.DataFrame:
        frame = real(*args, **kwargs)
        short = frame["status"].isin(["close", "behind"])
        frame["shortfall"] = [2.0 if s else (0.0 if status == "met" else float("nan"))
                              for s, status in zip(short, frame["status"], strict=True)]
        frame["shortfall_unit"] = ["名专职教师" if s == s else None for s in frame["shortfall"]]
        frame.loc[frame["unit_id"] == "610103", "status"] = "slipped"
        return frame

    monkeypatch.setattr("ui.resources.evaluate", evaluate)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _ranking(at) -> pd.DataFrame:
    return at.dataframe[0].value.set_index("单位")


def test_school_ranking_says_what_is_missing_not_a_percentage(engine_with_shortfall):
    # 新城区 2025: 三中 reported zero teachers -> not met, 2 teachers short (wrapped engine).
    at = open_page("pages/map.py", approved="0", scope="610000", city="610100", county="610102", year="2025",
                   indicator="counselor_coverage")
    assert not at.exception, at.exception
    ranking = _ranking(at)
    assert ranking.loc["三中", "数值"] == "未达标" and ranking.loc["三中", "还需 / 差距"] == "缺 2 名专职教师"
    assert ranking.loc["一小", "数值"] == "达标"
    assert "0.0%" not in ranking["数值"].tolist() and "达标所需年均进度" not in ranking.columns
    assert ranking.loc["四中", "名次"] == ""  # no data: listed, not ranked
    assert ranking.index[-1] == "四中"


def test_county_ranking_and_subtitle_carry_the_shortfall_and_slipped_can_come_first(engine_with_shortfall):
    at = open_page("pages/map.py", approved="0", scope="610000", city="610100", year="2025",
                   indicator="counselor_coverage")
    assert not at.exception, at.exception
    ranking = _ranking(at)
    assert ranking.loc["新城区", "还需 / 差距"] == "还需 2 名专职教师"
    assert "还需 2 名专职教师" in at.get("plotly_chart")[0].proto.spec  # the map subtitle
    assert ranking.index[0] != "碑林区"
    at.toggle(key="map_slipped_first").set_value(True).run()
    assert _ranking(at).index[0] == "碑林区"


def test_overview_card_says_what_is_still_needed(engine_with_shortfall):
    at = open_page("pages/overview.py", approved="0", scope="620800", year="2024")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "还需 2 名专职教师" in captions
