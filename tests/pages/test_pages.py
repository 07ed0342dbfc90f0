"""Every page under AppTest: default view, filters, URL round trip, drill state, empty year."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from tests.data_access.plan_fixtures import PINGLIANG_SUCCESSOR, THIRD_JURISDICTION, enable_plans, populate_ningxia
from tests.pages.conftest import ROOT, ROOT_LOGIN, sign_in

PAGES = ("pages/overview.py", "pages/map.py", "pages/school.py", "pages/targets.py", "pages/completeness.py",
         "pages/import.py", "pages/entry.py", "pages/school_submissions.py")


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

    return replace(warehouse_info(make_engine(url, create=True)), years=())


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
    if page != "pages/entry.py":  # a school's own form has no shared region filters
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
    assert at.session_state["year"] == 2025  # the latest year with data, kept across scopes
    assert "平凉市 · 2025年" in at.title[0].value
    at.sidebar.selectbox(key="w_year").set_value(2024).run()
    assert at.query_params["year"] == "2024"
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
    assert at.metric[0].value == "6/7"
    assert len(at.get("plotly_chart")) == 1  # the county's schools, reported or not
    assert at.dataframe[-1].value[["单位代码", "单位名称"]].values.tolist() == [["S4", "四中"]]
    at.radio(key="completeness_kind").set_value("hospital").run()  # hospitals have no coordinates: list only
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 0 and at.metric[0].value == "2/2"


def test_a_scope_without_a_plan_says_so(app_env):
    at = open_page("pages/overview.py", scope="620000", year="2025")  # Gansu: in the warehouse, no plan
    assert not at.exception, at.exception
    assert "链接中的范围 甘肃省(620000) 没有已录入的规划" in at.error[0].value
    assert "可选的规划范围: 陕西省(610000)、平凉市(620800)" in at.error[0].value
    assert not at.title  # nothing of another scope is shown


def test_a_plan_scope_missing_from_the_warehouse_is_not_offered(app_env, monkeypatch):
    enable_plans(monkeypatch, THIRD_JURISDICTION)  # test fixture: Ningxia's plan, but no Ningxia regions
    at = open_page("pages/overview.py", scope="640000")
    assert at.sidebar.radio(key="w_scope").options == ["陕西省", "平凉市"]
    assert "链接中的范围 640000 有规划, 但数据仓库中没有其行政区划" in at.error[0].value


def test_targets_page_lists_plans_by_period(app_env, monkeypatch):
    enable_plans(monkeypatch, PINGLIANG_SUCCESSOR)  # test fixture: an invented 2026-2030 Pingliang plan
    at = open_page("pages/targets.py", scope="620800", year="2025")
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["陕西省 (610000)", "平凉市 (620800)"]
    plans = [h.value for h in at.subheader]
    assert plans == ["2024—2025年: 《全面加强和改进新时代陕西省学生心理健康工作专项行动计划》",
                     "2023—2025年: 《平凉市全面加强和改进新时代学生心理健康工作专项行动方案(2023—2025年)》",
                     "2026—2030年: 《测试夹具(虚构):平凉市学生心理健康后续方案(2026—2030年)》"]
    captions = texts(at)
    assert "规划期 2023—2025年 · 印发 2023-06-22 · 规划代码 pingliang_2023 · 2025年据此规划考核" in captions
    assert "规划代码 fixture_pingliang_2026 · 2025年不据此规划考核" in captions
    assert "(虚构)到2027年,各学校心理健康专(兼)职教师配备率达到100%" in captions


def test_a_third_jurisdiction_is_a_scope_by_its_plan_file(app_env, monkeypatch):
    enable_plans(monkeypatch, THIRD_JURISDICTION)  # test fixture: an invented plan for Ningxia (640000)
    engine = make_engine(app_env)
    populate_ningxia(engine)
    engine.dispose()
    at = open_page("pages/overview.py")
    assert at.sidebar.radio(key="w_scope").options == ["陕西省", "宁夏", "平凉市"]
    at.sidebar.radio(key="w_scope").set_value("640000").run()
    assert not at.exception, at.exception
    assert "宁夏回族自治区 · 2025年" in at.title[0].value
    assert at.sidebar.selectbox(key="w_city").options == ["全省", "银川市"]  # a province scope lists its cities
    assert "心理健康专(兼)职教师配备率" in texts(at)
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    assert "宁夏回族自治区" in at.title[0].value


def test_map_boundaries_are_named_by_url_and_served_from_static(app_env):
    """The page's map names its boundary file (fetched once by the browser) instead of carrying it."""
    import json

    from geo.offline import STATIC_DIR
    from geo.published import URL_PREFIX

    at = open_page("pages/map.py", scope="620800", year="2024")
    assert not at.exception, at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    url = spec["data"][0]["geojson"]
    assert isinstance(url, str) and url.startswith(f"{URL_PREFIX}/620800_county-")
    served = json.loads((STATIC_DIR / "geo" / url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
    assert sorted(f["id"] for f in served["features"]) == sorted(spec["data"][0]["locations"])
    assert len(at.get("plotly_chart")[0].proto.spec) < 8_000  # ids, colours and hover texts only
