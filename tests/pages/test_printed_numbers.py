"""Every printed number is a number a person reads: no scientific notation, no more decimals than its unit allows.

`f"{n:g}"` once printed the psychiatrist ranking as `124/3.55077e+06`. Scanned on a demo year: every
indicator at every level through the figure, deck and table functions the pages call (hover, ranking, CSV),
and the pages themselves under AppTest (map for every indicator at province, city and county level,
overview, school, targets, completeness), all that they send: texts, tables cell by cell, chart specs.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from charts.deck import school_points
from charts.maps import school_points_spec, status_map_spec
from data_access import catalog
from data_access.engine import make_engine
from data_access.evaluation import evaluate
from data_access.formatting import (
    decimals_for,
    fraction_text,
    missing_text,
    reported_text,
    target_text,
    trajectory_text,
    value_text,
)
from data_access.meta import warehouse_info
from data_access.read_model import indicator_view, scope_for
from data_access.regions import region_frame
from demo.generate import build_demo
from exports.tables import csv_bytes, indicator_table
from geo.layers import boundary_geojson, outline_geojson
from tests.pages.conftest import ROOT

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
WIDGET_ID = re.compile(r"\$\$ID-[0-9a-f]+-[\w-]*|\b[0-9a-f]{16,}\b|^\s*(?:weight|scale): [\d.]+$", re.MULTILINE)
# A number as printed (thousands separators allowed) and what follows it: its unit decides the decimals.
PRINTED = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s*(?:%|学时/人|人/10万人|hours per person|"
                     r"per 100,000 people|个百分点|pp))?")
UNIT_DECIMALS = {"%": 1, "个百分点": 1, "pp": 1, "学时/人": 2, "hours per person": 2, "人/10万人": 2,
                 "per 100,000 people": 2}
ANY_DECIMALS = 2  # counts of hours are the finest unitless figures printed
# The views of a demo year: province -> cities, province -> counties, city -> counties, county -> schools.
YEAR = 2025
VIEWS = [("610000", "city"), ("610000", "county"), ("610100", "county"), ("620800", "county"),
         ("610102", "school"), ("620821", "school")]


def problems_in(text: str, where: str) -> list[str]:
    """Scientific notation, and numbers with more decimals than their unit (or any figure) is printed with."""
    found = [f"{where}: scientific notation in {text[max(0, m.start() - 20):m.end() + 20]!r}"
             for m in SCIENTIFIC.finditer(text)]
    for match in PRINTED.finditer(text):
        decimals, unit = match.group(2) or "", (match.group(3) or "").strip()
        allowed = UNIT_DECIMALS.get(unit, ANY_DECIMALS)
        if len(decimals) > allowed:
            found.append(f"{where}: {match.group(0)!r} has {len(decimals)} decimals (at most {allowed})")
    return found


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('printed') / 'demo.duckdb'}"
    engine = make_engine(url, create=True)
    build_demo(engine)
    engine.dispose()
    return url


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings_in(item)]
    return []


def _chart_texts(spec: dict) -> str:
    """What a figure prints: hover data and templates, annotations, titles, legend names (no geometry)."""
    parts = []
    for trace in spec["data"]:
        # Texts in customdata are printed as they are; its numbers only through the hovertemplate's formats.
        parts += [json.dumps(_strings_in(trace.get("customdata", [])), ensure_ascii=False),
                  trace.get("hovertemplate", ""),
                  trace.get("name", "")]
    layout = spec["layout"]
    parts += [a["text"] for a in layout.get("annotations", [])]
    parts.append(layout.get("title", {}).get("text", ""))
    return "\n".join(parts)


def _page_text(at: AppTest) -> str:
    """Everything a page sent a reader: element texts, tables cell by cell, what its charts print."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            if node.type == "plotly_chart":
                parts.append(_chart_texts(json.loads(proto.spec)))
            elif node.type not in ("arrow_data_frame", "dataframe", "deck_gl_json_chart"):
                # Element and file ids (hex: "8e8" looks like 8e+8) and column layout weights are read by nobody.
                parts.append(WIDGET_ID.sub("", text_format.MessageToString(proto, as_utf8=True)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        parts.append(frame.value.astype(str).to_string())
    return "\n".join(parts)


def test_hover_ranking_deck_and_tables_of_every_indicator_at_every_level(demo_url):
    engine = make_engine(demo_url)
    regions, info = region_frame(engine), warehouse_info(engine)
    found, scanned = [], 0
    for region, level in VIEWS:
        scope = scope_for(regions, region, YEAR, child_level=level)
        frame = evaluate(engine, region, level, [YEAR])
        for indicator in frame["indicator"].unique():
            view = indicator_view(scope, indicator, frame, info)
            rows = view.ranking().to_dict("records")
            where = f"{region} {level} {indicator}"
            if level == "school":
                spec = school_points_spec(outline_geojson(region), view.units, title=view.title(),
                                          subtitle=view.subtitle())
                deck = school_points(view.units)
                texts = [_chart_texts(spec), "\n".join(row["v"] for row in deck.rows)]
            else:
                spec = status_map_spec(boundary_geojson(region, level), view.units, title=view.title(),
                                       subtitle=view.subtitle())
                texts = [_chart_texts(spec)]
            for lang in ("zh", "en"):
                texts += [" | ".join((value_text(r, lang), missing_text(r, lang), fraction_text(r),
                                      trajectory_text(r, lang), reported_text(r["reported"], r["expected"], lang),
                                      target_text(r, lang))) for r in rows]
                texts += [view.subtitle(lang), view.shortfall_text(lang)]
            for text in texts:
                found += problems_in(text, where)
            scanned += len(rows)
            table = indicator_table(frame[frame["indicator"] == indicator])
            found += _table_problems(table, where)
    engine.dispose()
    assert scanned > 3000  # the whole demo year, not an empty frame
    assert found == [], "\n".join(found[:30])


def _table_problems(table, where: str) -> list[str]:
    """The CSV a user downloads: numeric cells at their unit's decimals, nothing scientific."""
    found = []
    rows = list(csv.DictReader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    for row in rows:
        unit = row["计量单位"]
        for column, allowed in (("数值", decimals_for(unit)), ("差距(正数为尚差)", decimals_for(unit)),
                                ("分子", ANY_DECIMALS), ("分母", ANY_DECIMALS), ("还需数量", 0)):
            cell = row.get(column, "")
            if SCIENTIFIC.search(cell):
                found.append(f"{where} CSV {column}: scientific {cell!r}")
            if "." in cell and len(cell.split(".")[1]) > allowed:
                found.append(f"{where} CSV {column}: {cell!r} has more than {allowed} decimals")
    return found


def _page_views() -> list[tuple[str, dict]]:
    views = [("pages/map.py", {"scope": "610000", "year": str(YEAR), "indicator": indicator.id})
             for indicator in catalog.indicators_for("610000", YEAR)]
    views += [("pages/map.py", {"scope": "610000", "city": "610100", "year": str(YEAR), "indicator": indicator.id})
              for indicator in catalog.indicators_for("610000", YEAR)]
    views += [("pages/map.py", {"scope": "610000", "city": "610100", "county": "610102", "year": str(YEAR),
                                "indicator": indicator.id})
              for indicator in catalog.indicators_for("610000", YEAR) if indicator.unit_kind in ("school", "survey")]
    views += [("pages/map.py", {"scope": "620800", "year": "2024", "indicator": indicator.id})
              for indicator in catalog.indicators_for("620800", 2024)]
    views += [(page, params) for page in ("pages/overview.py", "pages/targets.py", "pages/completeness.py")
              for params in ({"scope": "610000", "year": str(YEAR)}, {"scope": "620800", "year": "2024"},
                             {"scope": "610000", "city": "610100", "county": "610102", "year": str(YEAR)})]
    return views


def test_every_page_prints_readable_numbers(demo_url, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", demo_url)
    monkeypatch.chdir(ROOT)
    found, pages = [], 0
    for page, params in _page_views():
        # Both languages where the page's own words differ most (overview, targets, completeness); the map
        # pages print their numbers through the same calls in either language.
        for lang in ("zh", "en") if page != "pages/map.py" else ("zh",):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.query_params.update({**params, "lang": lang})
            at = at.switch_page(page).run()
            assert not at.exception, (page, params, at.exception)
            found += problems_in(_page_text(at), f"{page} {params} {lang}")
            pages += 1
    assert pages > 60
    assert found == [], "\n".join(found[:30])
