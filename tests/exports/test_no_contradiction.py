"""No printed value contradicts its status, over a whole demo year (issue 11.2).

A value that does not meet its target must never print as meeting it (19.9967 hours against ">= 20" shown
as "20.00" beside 接近), and a met value never prints as short. Checked on what users read: the CLI's
`mhmonitor indicators` output at every level, the CSV/XLSX table, map hover, the map page's ranking, the final
evaluation's Word tables and CSV, the meeting pack's panels and the completeness page (a share of units
reported never reads 100% before every unit has).
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
from data_access.final_evaluation import final_evaluation
from data_access.formatting import threshold_label, value_text
from data_access.read_model import evaluate_views, resolve_scope
from demo.generate import build_demo
from exports import brief
from exports.evaluation_report import _detail_rows, evaluation_table, summary_rows
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
        chosen = catalog.applicable_target("610000", indicator, 2025)
        target = threshold_label(chosen.threshold, chosen.comparison, chosen.unit)
        labels = {"达标": "met", "接近": "close", "落后": "behind", "达标后回落": "slipped"}
        rows = [(f"{indicator} {u}", v, target, labels.get(s, s))
                for u, v, s in zip(ranking["单位"], ranking["数值"], ranking["状态"], strict=True)]
        seen += len(rows)
        wrong += _contradictions(rows)
    assert seen > 50 and wrong == []


OUTCOME_STATUS = {"达标": "met", "未达标": "behind"}


@pytest.mark.parametrize(("region", "plan"), [("610000", "shaanxi_2024"), ("620800", "pingliang_2023")])
def test_final_evaluation_tables_never_contradict_the_outcome(demo_url, region, plan):
    engine = make_engine(demo_url)
    ev = final_evaluation(engine, region, plan)
    engine.dispose()
    checked = []
    for target in ev.targets:
        for level in ev.levels:
            rows = ev.rows_for(target.id, level)
            # The Word report's detail table (unit, value, outcome, ...) and the CSV's printed number.
            for row, cells in zip(rows.sort_values("unit_id").to_dict("records"), _detail_rows(rows), strict=True):
                status = OUTCOME_STATUS.get(row["outcome"], "")
                checked.append((f"docx {target.id} {row['unit_id']}", cells[1], row["target_label"], status))
    for summary in summary_rows(ev):
        if summary[4] in set(ev.units["name"]):  # the area's own row: value, then outcome
            checked.append((f"summary {summary[0]}", summary[5], summary[2], OUTCOME_STATUS.get(summary[6], "")))
    table = evaluation_table(ev)
    checked += [(f"csv {u}", f"{v}", t, OUTCOME_STATUS.get(o, "")) for u, v, t, o in
                zip(table["代码"], table["数值"], table["目标"], table["结果"], strict=True) if v is not None]
    assert len([row for row in checked if row[3]]) > 100
    assert _contradictions(checked) == []


def test_pack_panels_never_contradict_the_status(demo_url, monkeypatch):
    monkeypatch.setattr(brief, "_map_picture", lambda figure: b"")  # the words are checked, not the picture
    engine = make_engine(demo_url)
    checked = []
    for region, year in (("610000", 2025), ("620800", 2024), ("610100", 2025)):
        scope = resolve_scope(engine, region, year)
        ids = [ind.id for ind in catalog.indicators_for(scope.jurisdiction, year)]
        for view in evaluate_views(engine, scope, ids).values():
            panel = [line.text for line in brief._indicator_slide(view, "1/1").panel]
            if view.overall is not None and view.overall["status"] in JUDGED:
                own = next(text for text in panel if text.endswith(brief.status_label(view.overall["status"])))
                checked.append((f"pack {region} {view.indicator_id}", own, view.overall["target_label"],
                                view.overall["status"]))
            for rank, unit in enumerate(view.ranking().to_dict("records")[:3], start=1):
                line = next((text for text in panel if text.startswith(f"{rank}. {unit['name']}  ")), None)
                if line is not None:
                    printed = line[len(f"{rank}. {unit['name']}  "):]
                    checked.append((f"pack {region} {unit['unit_id']}", printed, unit["target_label"], unit["status"]))
    engine.dispose()
    assert len(checked) > 30
    assert _contradictions(checked) == []


def test_completeness_page_never_reads_complete_when_it_is_not(demo_url, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", demo_url)
    monkeypatch.chdir(ROOT)
    checked = []
    for params in ({"scope": "610000", "year": "2026"}, {"scope": "620800", "year": "2026"},
                   {"scope": "610000", "year": "2025"}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(params)
        at = at.switch_page("pages/completeness.py").run()
        assert not at.exception, at.exception
        counties = next(frame.value for frame in at.dataframe if "上报率" in frame.value.columns)
        for name, reported, expected, share in zip(counties["县(区)"], counties["已上报"], counties["应上报"],
                                                   counties["上报率"], strict=True):
            checked.append((f"completeness {name}", share, "≥100%", "met" if reported == expected else "behind"))
        reported, expected = (int(n.replace(",", "")) for n in at.metric[0].value.split("/"))
        checked.append(("completeness total", at.metric[0].delta, "≥100%",
                        "met" if reported == expected else "behind"))
    assert any(status == "behind" for *_, status in checked)  # 2026 is in mid-reporting in the demo
    assert _contradictions(checked) == []
