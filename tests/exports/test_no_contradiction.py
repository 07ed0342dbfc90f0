"""No printed value contradicts its status, over a whole demo year (issue 11.2).

A value that does not meet its target must never print as meeting it (19.9967 hours against ">= 20" shown
as "20.00" beside 接近), and a met value never prints as short. Checked on what users read: the CLI's
`mhmonitor indicators` output at every level, the CSV/XLSX table, map hover, and the map page's ranking.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from streamlit.testing.v1 import AppTest

from charts.maps import status_choropleth
from data_access import catalog
from data_access.engine import make_engine
from data_access.evaluation import evaluate
from data_access.read_model import value_text
from demo.generate import build_demo
from exports.tables import indicator_table
from geo.layers import boundary_geojson
from mhmonitor.cli import main
from tests.pages.conftest import ROOT

JUDGED = {"met", "close", "behind", "slipped"}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
TARGET = re.compile(r"([≥≤])(-?\d+(?:\.\d+)?)")
VIEWS = [("610000", 2025, "city"), ("610000", 2025, "county"), ("620800", 2024, "county"),
         ("620800", 2024, "school")]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('contradiction') / 'demo.duckdb'}"
    engine = make_engine(url, create=True)
    build_demo(engine)
    engine.dispose()
    return url


def _meets(printed: float, sign: str, threshold: float) -> bool:
    return printed >= threshold if sign == "≥" else printed <= threshold


def _contradictions(rows: list[tuple[str, str, str, str]]) -> list[tuple]:
    """(what, printed value, target label, status) rows whose printed value reads on the wrong side."""
    wrong = []
    for what, printed, target, status in rows:
        match, number = TARGET.search(target or ""), NUMBER.search(printed or "")
        if status not in JUDGED or not match or not number:
            continue
        if _meets(float(number.group()), match.group(1), float(match.group(2))) != (status == "met"):
            wrong.append((what, printed, target, status))
    return wrong


def test_cli_indicators_never_contradict_the_status(demo_url, capsys, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", demo_url)
    checked: list[tuple[str, str, str, str]] = []
    for region, year, level in VIEWS:
        assert main(["indicators", "--region", region, "--year", str(year), "--level", level]) == 0
        for row in csv.DictReader(io.StringIO(capsys.readouterr().out)):
            checked.append((f"{row['adcode_or_school_id']} {row['indicator']}", row["value"], row["target"],
                            row["status"]))
    judged = [row for row in checked if row[3] in JUDGED and row[1]]
    assert len(judged) > 1000  # the demo year is checked, not an empty output
    assert _contradictions(checked) == []


def test_tables_and_hover_never_contradict_the_status(demo_url):
    engine = make_engine(demo_url, create=True)
    checked = []
    for region, year, level in VIEWS:
        frame = evaluate(engine, region, level, [year])
        table = indicator_table(frame)
        checked += [(f"table {u}", f"{v}", t, s) for u, v, t, s in
                    zip(frame["unit_id"], table["数值"], frame["target_label"], frame["status"], strict=True)]
        checked += [(f"page {r['unit_id']}", value_text(r), r["target_label"], r["status"])
                    for r in frame.to_dict("records")]
        if level != "school":
            for indicator in frame["indicator"].unique():
                part = frame[frame["indicator"] == indicator]
                figure = status_choropleth(boundary_geojson(region, level), part, title="t")
                for trace in figure.data:
                    for data in trace.customdata if trace.customdata is not None else []:
                        status = part.loc[part["unit_id"] == data[0], "status"]
                        if not status.empty:
                            checked.append((f"hover {data[0]} {indicator}", data[2], data[4], status.iloc[0]))
    engine.dispose()
    assert len(checked) > 3000
    assert _contradictions(checked) == []


def test_map_page_ranking_never_contradicts_the_status(demo_url, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", demo_url)
    monkeypatch.chdir(ROOT)
    wrong, seen = [], 0
    # The headline indicators (one page run each): the page formats every indicator through the same call.
    for indicator in [ind.id for ind in catalog.indicators_for("610000") if ind.headline]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"scope": "610000", "year": "2025", "indicator": indicator})
        at = at.switch_page("pages/map.py").run()
        assert not at.exception, at.exception
        ranking = at.dataframe[0].value
        target = catalog.applicable_target("610000", indicator, 2025).threshold_label()
        labels = {"达标": "met", "接近": "close", "落后": "behind", "达标后回落": "slipped"}
        rows = [(f"{indicator} {u}", v, target, labels.get(s, s))
                for u, v, s in zip(ranking["单位"], ranking["数值"], ranking["状态"], strict=True)]
        seen += len(rows)
        wrong += _contradictions(rows)
    assert seen > 50 and wrong == []
