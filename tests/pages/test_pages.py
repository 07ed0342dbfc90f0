"""Every page under AppTest: default view, filters, URL round trip, drill state, empty year."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT, ROOT_LOGIN, sign_in

PAGES = ("pages/overview.py", "pages/map.py", "pages/school.py", "pages/targets.py", "pages/completeness.py",
         "pages/import.py")


def app(login: str | None = ROOT_LOGIN) -> AppTest:
    """The dashboard, signed in as `login` (None: anonymous)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if login:
        sign_in(at, login)
    return at


def texts(at: AppTest) -> str:
    elements = (at.title, at.subheader, at.markdown, at.info, at.caption, at.warning)
    parts = [e.value for group in elements for e in group]
    return "\n".join(str(p) for p in parts)


def test_default_view_is_shaanxi_2025_overview(app_env):
    at = app().run()
    assert not at.exception, at.exception
    assert "陕西省 · 2025年" in at.title[0].value
    assert at.query_params["scope"] == "610000" and at.query_params["year"] == "2025"
    assert "心理健康专(兼)职教师配备率" in texts(at)


def _no_years(url: str):
    from dataclasses import replace

    from data_access.engine import make_engine
    from data_access.meta import warehouse_info

    return replace(warehouse_info(make_engine(url)), years=())


def open_page(page: str, login: str | None = ROOT_LOGIN, **params: str) -> AppTest:
    """Open a page the way a pasted link does: URL parameters in, that page first.

    Before its first run AppTest looks a page up by file name: a page's url_path must match its file name
    (pages/import.py is served at /import), else AppTest and a first visit to a pasted link open the wrong page.
    """
    at = app(login)
    at.query_params.update(params)
    return at.switch_page(page).run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(app_env, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="w_scope").value == "610000"


def test_url_round_trip_reopens_the_same_view(app_env):
    at = app()
    at.query_params.update({"scope": "620800", "year": "2024", "county": "620802",
                            "indicator": "counseling_room_coverage", "mode": "value"})
    at.run()
    assert not at.exception, at.exception
    for key, value in {"scope": "620800", "year": 2024, "county": "620802",
                       "indicator": "counseling_room_coverage", "mode": "value"}.items():
        assert at.session_state[key] == value
    assert at.query_params["county"] == "620802" and at.query_params["indicator"] == "counseling_room_coverage"
    assert "崆峒区 · 2024年" in at.title[0].value


def test_filters_change_the_view_and_the_url(app_env):
    at = app().run()
    at.sidebar.radio(key="w_scope").set_value("620800").run()
    assert not at.exception, at.exception
    assert at.session_state["year"] == 2024  # Pingliang opens on its 2024 targets
    assert "平凉市 · 2024年" in at.title[0].value
    at.sidebar.selectbox(key="w_year").set_value(2025).run()
    assert at.query_params["year"] == "2025"
    at.sidebar.selectbox(key="w_stage").set_value("primary").run()
    assert not at.exception and at.query_params["stage"] == "primary"
    at.sidebar.radio(key="w_lang").set_value("en").run()
    assert not at.exception and at.query_params["lang"] == "en"


def test_view_survives_page_switches(app_env):
    """A sidebar widget created by another page is a new widget to Streamlit: it must show the view, not its
    first option (this once reset the year to the earliest one and the scope to Shaanxi)."""
    at = open_page("pages/map.py", scope="620800", county="620802", year="2025", indicator="counseling_room_coverage")
    at.sidebar.radio(key="w_mode").set_value("value").run()
    for page in ("pages/overview.py", "pages/completeness.py", "pages/targets.py", "pages/map.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert at.sidebar.radio(key="w_scope").value == "620800", page
        assert at.sidebar.selectbox(key="w_year").value == 2025, page
        assert at.sidebar.selectbox(key="w_county").value == "620802", page
        assert at.sidebar.radio(key="w_mode").value == "value", page
        assert dict(at.query_params) == {"scope": "620800", "county": "620802", "year": "2025",
                                         "indicator": "counseling_room_coverage", "mode": "value", "lang": "zh"}
    assert "崆峒区 · 心理辅导室" in at.title[0].value


def test_drill_state_without_a_click(app_env):
    at = open_page("pages/map.py", scope="610000", city="610100", county="610102", year="2025",
                   indicator="counselor_coverage")
    assert not at.exception, at.exception
    assert "新城区" in at.title[0].value
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("crumb_")]
    assert crumbs[:3] == ["陕西省", "› 西安市", "› 新城区"]
    at.button(key="crumb_city").click().run()  # breadcrumb back up to the city
    assert at.session_state["county"] == "" and "西安市" in at.title[0].value


def test_school_page_from_url(app_env):
    at = open_page("pages/school.py", scope="610000", city="610100", county="610102", year="2025", school="U1")
    assert not at.exception, at.exception
    assert "甲大学" in texts(at)
    assert "高校专职教师师生比达标率" in texts(at) or any("师生比" in str(df.value) for df in at.dataframe)


@pytest.mark.parametrize("page", ("pages/overview.py", "pages/map.py"))
def test_year_without_data_says_so(app_env, page, monkeypatch):
    # The fixture holds 2024-2025 only; a year the URL asks for but the warehouse lacks falls back to the
    # plan's default, so the empty year is made by hiding the reports of every year.
    at = open_page(page, year="2025")
    assert not at.exception, at.exception
    monkeypatch.setattr("ui.resources.warehouse_info", _no_years)
    at.run()
    assert not at.exception, at.exception
    assert "所选年度没有任何上报数据" in texts(at)


def test_county_without_schools_has_a_plain_message(app_env):
    at = open_page("pages/map.py", scope="610000", city="610100", county="610103", year="2025",
                   indicator="fulltime_coverage_basic")
    assert not at.exception, at.exception
    assert "没有适用该指标的单位" in texts(at)


def test_completeness_of_a_county_maps_its_schools_and_lists_the_laggard(app_env):
    at = open_page("pages/completeness.py", scope="610000", city="610100", county="610102", year="2025")
    assert not at.exception, at.exception
    assert at.metric[0].value == "6 / 7"
    assert len(at.get("plotly_chart")) == 1  # the county's schools, reported or not
    assert at.dataframe[-1].value[["单位代码", "单位名称"]].values.tolist() == [["S4", "四中"]]
    at.radio(key="completeness_kind").set_value("hospital").run()  # hospitals have no coordinates: list only
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 0 and at.metric[0].value == "2 / 2"
