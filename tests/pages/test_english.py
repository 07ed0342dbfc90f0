"""English mode is complete: no page shows Chinese except unit names and quoted plan text (issue 11.6).

Every element of every page is read from the script's output (text, widgets, tables, chart specs) and
every allowed Chinese string removed: unit names from the warehouse, the plans' clauses, clause
references and titles, the signed-in person's display name, and the language switch (which names each
language in itself). What is left must contain no CJK character.

The import page is walked in its opening state. What the importer says about an uploaded file (problems,
previews, history cells) quotes the Chinese template's headers and values and stays Chinese; the tables'
own column headers are translated (ui.i18n.headers).
"""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from data_access import catalog
from data_access.accounts import add_user
from data_access.engine import make_engine
from geo.admin_units import units_within
from tests.data_access import fixture_warehouse
from tests.pages.test_pages import app

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
LANGUAGE_SWITCH = ("语言", "中文")
QUOTE_MARKS = ("《》", "「」")  # left behind once a quoted title or clause is removed

VIEWS = [
    ("pages/overview.py", {}),
    ("pages/overview.py", {"scope": "620800", "year": "2024"}),
    ("pages/map.py", {}),
    ("pages/map.py", {"scope": "610000", "city": "610100", "year": "2025"}),
    ("pages/map.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025",
                      "indicator": "counselor_coverage"}),
    ("pages/map.py", {"scope": "620800", "year": "2024", "indicator": "counseling_room_coverage"}),
    ("pages/school.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025"}),
    ("pages/school.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025", "school": "S3"}),
    ("pages/targets.py", {}),
    ("pages/completeness.py", {}),
    ("pages/completeness.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025"}),
    ("pages/import.py", {}),
    ("pages/account.py", {}),
    ("pages/review.py", {"scope": "620800", "year": "2025"}),
    ("pages/review.py", {"scope": "610000", "year": "2025"}),
    ("pages/entry.py", {}),
    ("pages/school_submissions.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025"}),
    ("pages/schools_map.py", {"scope": "610000", "year": "2025"}),
    ("pages/schools_map.py", {"scope": "610000", "city": "610100", "county": "610102", "year": "2025",
                              "indicator": "counselor_coverage"}),
    ("pages/schools_map.py", {"scope": "620800", "year": "2024", "indicator": "psychiatrist_rate"}),
]
SCHOOL_LOGIN = "S1"  # a school's own account: the entry form, and every other address refused (school_only)
SCHOOL_VIEWS = [("pages/entry.py", {"year": "2025"}), ("pages/school_only.py", {"scope": "610000", "year": "2025"})]


def _allowed() -> list[str]:
    """Chinese that stays Chinese in English mode, longest first so a name inside a clause goes with it."""
    names = [row[1] for table in (fixture_warehouse.REGIONS, fixture_warehouse.SCHOOLS, fixture_warehouse.HOSPITALS)
             for row in table]
    names += [c[1] for c in getattr(fixture_warehouse, "COMMUNITIES", [])]
    names += [name for root in ("610000", "620800") for name in units_within(root)["name"]]  # map boundaries
    quoted = [text for target in catalog.targets() for text in (target.clause, target.clause_ref)]
    plans = [text for plan in catalog.PLANS.values() for text in (plan.name_zh, plan.short_zh)]
    # The signed-in accounts' display names (tests/pages/conftest.py, SCHOOL_LOGIN), typed by a person.
    people = ["管理员", "一小填报员"]
    return sorted({*names, *quoted, *plans, *people, *LANGUAGE_SWITCH, *QUOTE_MARKS}, key=len, reverse=True)


def _chart_text(spec: str) -> str:
    figure = json.loads(spec)
    for trace in figure.get("data", []):
        trace.pop("geojson", None)  # boundary feature names are unit names
    return json.dumps(figure, ensure_ascii=False)


def _page_text(at: AppTest) -> str:
    """Everything the page sent: element protos as text, tables cell by cell, chart specs without geometry."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            if node.type == "plotly_chart":
                parts.append(_chart_text(proto.spec))
            elif node.type not in ("arrow_data_frame", "dataframe"):
                parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        value = frame.value
        parts.append(" ".join(map(str, value.columns)) + " " + " ".join(map(str, value.index.names)))
        parts.append(value.astype(str).to_string())
    return "\n".join(parts)


def _chinese_left(text: str) -> list[str]:
    """Each Chinese fragment left after removing the allowed strings, with a little context to find it."""
    text = text.replace("<br>", "")  # hover text wraps long clauses
    for allowed in _allowed():
        text = text.replace(allowed, "")
    return sorted({text[max(0, m.start() - 25):m.end() + 25].replace("\n", " ") for m in CJK.finditer(text)})


def _english(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "en"
    left = _chinese_left(_page_text(at))
    assert left == [], "\n".join(left)
    return at


@pytest.mark.parametrize(("page", "params"), VIEWS)
def test_english_pages_show_no_chinese_but_names_and_clauses(app_env, page, params):
    at = app()
    at.query_params.update({**params, "lang": "en"})
    _english(at.switch_page(page).run())


def test_english_login_page(app_env):
    """Nobody signed in on a warehouse that is not the demo: the login form, at any address, in English."""
    at = app(login=None)
    at.query_params.update({"scope": "620800", "year": "2024", "lang": "en"})
    at = _english(at.run())
    assert at.button[0].label == "Sign in" or any(b.label == "Sign in" for b in at.button)


@pytest.mark.parametrize(("page", "params"), SCHOOL_VIEWS)
def test_english_pages_of_a_school_account(app_env, page, params):
    engine = make_engine(app_env)
    add_user(engine, SCHOOL_LOGIN, role="school", region=SCHOOL_LOGIN, password=None, display_name="一小填报员",
             email="s1@example.org")
    engine.dispose()
    at = app(login=SCHOOL_LOGIN)
    at.query_params.update({**params, "lang": "en"})
    _english(at.switch_page(page).run())
