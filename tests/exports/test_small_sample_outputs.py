"""A 3-student survey prints no rate anywhere (issue 17 item 6).

碑林区 (610103) has one survey: 七小 surveyed 3 students, 1 passed. Its 33.3% is 样本不足 at school and county
level, and must not leak through any output: the ranking CSV/XLSX, the page's ranking, map hover, the
all-schools deck, `mhmonitor indicators`, the meeting pack's panel, the final evaluation's Word report and
table, the GIS download. The sample size (3 surveyed) may show; the passes (1), the rate and the gap may not.
"""

from __future__ import annotations

import csv
import io
import math

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from charts.deck import school_points
from charts.maps import status_map_spec
from data_access import migrate, schema
from data_access.engine import make_engine
from data_access.final_evaluation import final_evaluation
from data_access.read_model import evaluate_views, resolve_scope
from exports import brief
from exports.evaluation_report import evaluation_docx, evaluation_table_bytes
from exports.gis import gis_layer
from exports.tables import csv_bytes, indicator_table, xlsx_bytes
from geo.layers import boundary_geojson
from mhmonitor.cli import main
from tests.data_access import fixture_warehouse
from tests.pages.conftest import ROOT, sign_in

AWARENESS = "core_knowledge_awareness"
RATE_TEXTS = ("33.3", "33.33", "56.7")  # 1/3 as a rate, and its gap to the 90% target


@pytest.fixture
def small_sample(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'small.duckdb'}"
    engine = make_engine(url, create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.schools), [{
            "school_id": "S7", "name": "七小", "county_adcode": "610103", "stage": "primary", "boarding": False,
            "urban_rural": "urban", "longitude": 108.94, "latitude": 34.24}])
        conn.execute(sa.insert(schema.awareness_survey), [{"school_id": "S7", "year": 2025, "surveyed": 3,
                                                            "passed": 1}])
    monkeypatch.setenv("WAREHOUSE_URL", url)
    return engine


def _no_rate(text: str) -> bool:
    return not any(rate in text for rate in RATE_TEXTS)


def _views(engine, region: str, level: str):
    return evaluate_views(engine, resolve_scope(engine, region, 2025, child_level=level), [AWARENESS])[AWARENESS]


def test_tables_and_their_files_carry_no_rate(small_sample):
    for region, level, unit in (("610100", "county", "610103"), ("610103", "school", "S7")):
        view = _views(small_sample, region, level)
        row = view.units[view.units["unit_id"] == unit].iloc[0]
        assert row["status"] == "small_sample"
        table = indicator_table(view.ranking())
        mine = table[table["代码"] == unit].iloc[0]
        assert (mine["分子"], mine["数值"], mine["差距(正数为尚差)"], mine["还需数量"]) == (None, None, None, None)
        assert mine["分母"] == 3 and mine["状态"] == "样本不足"
        back = next(r for r in csv.DictReader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))) if r["代码"] == unit)
        assert (back["分子"], back["数值"], back["差距(正数为尚差)"]) == ("", "", "")
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table))).active
        header = [c.value for c in sheet[1]]
        found = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == unit)
        assert [found[header.index(c)] for c in ("分子", "数值", "差距(正数为尚差)")] == [None, None, None]
        gis = gis_layer(view)
        placed = gis[gis["adcode"] == unit].iloc[0]
        assert math.isnan(placed["value"]) and math.isnan(placed["gap"])


def test_hover_and_deck_say_small_sample_not_the_rate(small_sample):
    view = _views(small_sample, "610100", "county")
    spec = status_map_spec(boundary_geojson("610100", "county"), view.units, title="t", subtitle=view.subtitle())
    hover = next(data for data in spec["data"][0]["customdata"] if data[0] == "610103")
    assert hover[2:6] == ["样本不足", "样本不足", "—", "—"] and _no_rate(str(hover))
    schools = _views(small_sample, "610103", "school")
    deck = school_points(schools.units)
    assert deck.rows[deck.ids.index("S7")]["v"] == "样本不足"


def test_cli_prints_the_sample_size_only(small_sample, capsys):
    for region, level, unit in (("610100", "county", "610103"), ("610103", "school", "S7")):
        assert main(["indicators", "--region", region, "--year", "2025", "--level", level]) == 0
        rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
        mine = next(r for r in rows if r["adcode_or_school_id"] == unit and r["indicator"] == AWARENESS)
        assert (mine["numerator"], mine["denominator"], mine["value"], mine["status"], mine["shortfall"]) == \
            ("", "3", "", "small_sample", "")


def test_pack_panel_says_small_sample(small_sample, monkeypatch):
    monkeypatch.setattr(brief, "_map_picture", lambda figure: b"")  # the panel is the point, not the picture
    view = _views(small_sample, "610103", "school")
    slide = brief._indicator_slide(view, "1/1")
    text = "\n".join(line.text for line in slide.panel)
    assert "样本不足" in text and _no_rate(text)


def test_final_evaluation_report_and_table_carry_no_rate(small_sample):
    ev = final_evaluation(small_sample, "610100", "shaanxi_2024")
    row = ev.units[(ev.units["indicator"] == AWARENESS) & (ev.units["unit_id"] == "610103")].iloc[0]
    assert row["outcome"] == "样本不足" and row["denominator"] == 3
    assert all(math.isnan(row[c]) for c in ("numerator", "value", "gap"))
    table = list(csv.DictReader(io.StringIO(evaluation_table_bytes(ev, "csv").decode("utf-8-sig"))))
    mine = next(r for r in table if r["代码"] == "610103" and r["指标"] == "心理健康核心知识知晓率")
    assert (mine["分子"], mine["数值"], mine["差距(正数为尚差)"], mine["分母"]) == ("", "", "", "3")
    document = docx.Document(io.BytesIO(evaluation_docx(ev)))
    rows = [[cell.text for cell in r.cells] for table in document.tables for r in table.rows]
    small = [r for r in rows if r[:2] == ["碑林区", "样本不足"]]
    # value, outcome, gap, shortfall: the judgement withheld, nothing computed from the 1 of 3 passes
    # (the "1/3 (33.3%)" beside them is the county's schools that reported: 1 of 3).
    assert small and all(r[1:5] == ["样本不足", "样本不足", "—", ""] for r in small), small


def test_the_map_page_ranking_carries_no_rate(small_sample, monkeypatch):
    monkeypatch.chdir(ROOT)
    from data_access.accounts import add_user

    add_user(small_sample, "root", role="admin", region="000000", password=None, display_name="管理员",
             email="root@example.org")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    sign_in(at, "root")
    at.query_params.update({"scope": "610000", "city": "610100", "year": "2025", "indicator": AWARENESS,
                            "approved": "0"})  # all data: nothing in the fixture is approved
    at = at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    ranking = at.dataframe[0].value
    mine = ranking[ranking["单位"] == "碑林区"].iloc[0]
    assert (mine["数值"], mine["分子/分母"], mine["还需 / 差距"], mine["状态"]) == ("—", "—", "—", "样本不足")
    assert _no_rate(ranking.to_string())
