"""Real browser, network off: start the dashboard on the demo warehouse and click from province to school.

Playwright drives Debian's /usr/bin/chromium (never `playwright install`). Every request that does not go
to localhost is recorded and aborted; the test fails if there is any. Screenshots at 1600x900 land in
test-artifacts/browser/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.servers import ARTIFACTS, CHROMIUM, ROOT, dashboard, sign_in, wait_idle  # noqa: F401
from tests.browser.servers import free_port as _free_port  # noqa: F401 (other modules import it from here)

CLERK, CLERK_PASSWORD = "clerk", "Kongtong-2025"
_wait_idle = wait_idle  # the name the other modules import from here

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    from data_access import review
    from data_access.access import Principal
    from data_access.accounts import add_user
    from data_access.engine import make_engine
    from demo.generate import build_demo

    url = f"duckdb:///{tmp_path_factory.mktemp('browser') / 'demo.duckdb'}"
    engine = make_engine(url, create=True)
    build_demo(engine)
    # Importing always needs a login, even on the demo: a 崆峒区 reporter.
    add_user(engine, CLERK, role="reporter", region="620802", password=CLERK_PASSWORD, display_name="崆峒区填报员")
    # The demo's 2024 is approved and locked; the city reopens 崆峒区's school report through the chain so the
    # import tests can write into it (取消审核, then 退回 with a reason).
    city = Principal("rev.620800", "平凉市审核员", "reviewer", "620800")
    review.withdraw(engine, city, "620802", 2024, "school", reason="浏览器测试: 重新开放以便更正")
    review.return_(engine, city, "620802", 2024, "school", reason="浏览器测试: 请更正后重新上报")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(demo_url):
    with dashboard(demo_url) as base:
        yield base


def _title(page) -> str:
    return page.locator("h1").first.inner_text()


def _click_largest(page, selector: str) -> None:
    """Click the centre of the largest visible shape (a region polygon or a school point)."""
    shapes = page.locator(selector)
    best, best_area = None, 0.0
    for index in range(shapes.count()):
        box = shapes.nth(index).bounding_box()
        if box and box["width"] * box["height"] > best_area:
            best, best_area = box, box["width"] * box["height"]
    assert best is not None, f"nothing to click for {selector}"
    page.mouse.click(best["x"] + best["width"] / 2, best["y"] + best["height"] / 2)


def _polygons(page) -> int:
    page.wait_for_selector(".js-plotly-plot .choroplethlocation, .js-plotly-plot .choropleth path", timeout=60_000)
    return page.locator(".js-plotly-plot .choroplethlocation").count()


def test_drill_from_province_to_school_offline(page, server):
    page.goto(f"{server}/map?scope=610000&year=2025&indicator=counselor_coverage")
    _wait_idle(page)
    assert "陕西省" in _title(page)
    assert _polygons(page) >= 10, "the province map should draw its 10 cities"
    page.screenshot(path=ARTIFACTS / "1_province.png")

    _click_largest(page, ".js-plotly-plot .choroplethlocation")
    page.wait_for_url(re.compile(r"city=61\d{4}"), timeout=60_000)
    _wait_idle(page)
    city_title = _title(page)
    assert "陕西省" not in city_title and "市" in city_title
    assert _polygons(page) >= 3
    page.screenshot(path=ARTIFACTS / "2_city.png")

    _click_largest(page, ".js-plotly-plot .choroplethlocation")
    page.wait_for_url(re.compile(r"county=61\d{4}"), timeout=60_000)
    _wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .scattergeo .point, .js-plotly-plot path.point", timeout=60_000)
    page.screenshot(path=ARTIFACTS / "3_county_schools.png")

    _click_largest(page, ".js-plotly-plot .scattergeo .point")
    page.wait_for_url(re.compile(r"/school"), timeout=60_000)
    _wait_idle(page)
    assert "学校" in _title(page)
    page.screenshot(path=ARTIFACTS / "4_school.png", full_page=True)
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"


def test_sidebar_navigation_keeps_the_view(page, server):
    """Clicking another page in the sidebar keeps area, county and year (it once fell back to Shaanxi 2022)."""
    page.goto(f"{server}/map?scope=620800&county=620802&year=2025&indicator=counselor_coverage")
    _wait_idle(page)
    assert "崆峒区" in _title(page) and "2025年" in _title(page)
    for link, title in (("总览", "崆峒区 · 2025年"), ("上报完整性", "2025年"), ("地图", "崆峒区 · ")):
        page.get_by_role("link", name=link, exact=True).click()
        _wait_idle(page)
        assert title in _title(page), (link, _title(page))
        for param in ("scope=620800", "county=620802", "year=2025"):
            assert param in page.url, (link, page.url)
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"


@pytest.mark.parametrize(("path", "name"), [
    ("?scope=610000&year=2025", "overview_shaanxi"),
    ("map?scope=620800&year=2024&indicator=counselor_coverage_k12", "map_pingliang"),
    ("targets", "targets"),
    ("school?scope=620800&year=2024&county=620802", "school_list"),
    ("completeness?scope=620800&year=2024", "completeness"),
    ("completeness?scope=620800&year=2024&county=620802", "completeness_county"),
    ("login", "login"),
])
def test_every_page_screenshot(page, server, path, name):
    page.goto(f"{server}/{path}")
    _wait_idle(page)
    if path.startswith(("map", "completeness")):
        _polygons(page)
    if "county=" in path and path.startswith("completeness"):
        page.wait_for_selector(".js-plotly-plot .scattergeo .point", timeout=60_000)
    page.wait_for_timeout(1500)  # let plotly finish drawing the charts before the screenshot
    page.screenshot(path=ARTIFACTS / f"page_{name}.png", full_page=False)
    assert page.locator('[data-testid="stException"]').count() == 0, "page shows an exception"
    assert page.get_by_text("Page not found").count() == 0
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"


def test_overview_url_opens_the_overview(page, server):
    """A pasted /overview link opens the overview (Streamlit serves the default page at / only).

    The root is opened first: once st.navigation has run in the process, a page URL is resolved by its
    name alone, which is when /overview used to show "Page not found".
    """
    page.goto(server)
    _wait_idle(page)
    page.goto(f"{server}/overview?scope=620800&year=2024")
    _wait_idle(page)
    page.wait_for_timeout(3000)  # the "Page not found" dialog and the redirect to / came after the first render
    assert urlparse(page.url).path == "/overview", page.url
    assert page.get_by_text("Page not found").count() == 0
    assert "平凉市 · 2024年 总览" in _title(page)


def _grid_rows(frame) -> list[list[str]]:
    """The cell texts of an st.dataframe, row by row, from the grid's (hidden) accessible table."""
    frame.locator('[role="gridcell"]').first.wait_for(state="attached", timeout=30_000)
    rows = frame.locator('[role="row"]')
    return [[cell.strip() for cell in rows.nth(i).locator('[role="gridcell"]').all_text_contents()]
            for i in range(rows.count()) if rows.nth(i).locator('[role="gridcell"]').count()]


def _scroll_to(page, text: str) -> None:
    """Bring the message holding `text` to the top of the view (the app scrolls inside its own container)."""
    page.locator('[data-testid="stAlert"]', has_text=text).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)


def _upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    _wait_idle(page)


def open_import_as_clerk(page, server: str) -> None:
    """Importing needs a login, even on the demo. A reload starts a new Streamlit session: sign in as the
    崆峒区 reporter, then move inside the app by its own links to the import page."""
    page.goto(f"{server}/login?scope=620800&year=2024&county=620802")
    _wait_idle(page)
    sign_in(page, CLERK, CLERK_PASSWORD)
    page.get_by_role("link", name="上报导入").click()
    _wait_idle(page)


def test_import_rejected_then_fixed_and_committed(page, server, tmp_path):
    from openpyxl import load_workbook

    open_import_as_clerk(page, server)
    assert _title(page) == "上报导入"

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=re.compile("下载「学校年报」模板")).click()
    assert download.value.suggested_filename == "崆峒区_学校年报_模板_2024.xlsx"
    template = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(template))["填报"]
    assert [cell.value for cell in sheet[1]][:4] == ["学校代码", "学校名称", "年度", "在校生数"]
    units = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(units) >= 3 and all(row[2] == 2024 for row in sheet.iter_rows(min_row=2, max_row=len(units) + 1,
                                                                            values_only=True)), units

    def filled(name: str, cells: dict[str, object]) -> Path:
        """The downloaded template with a few cells typed in (the clerk leaves the other schools empty)."""
        book = load_workbook(io.BytesIO(template))
        for address, value in cells.items():
            book["填报"][address] = value
        book.save(tmp_path / name)
        return tmp_path / name

    bad = filled("学校年报_有误.xlsx", {"D2": -5, "A3": "999999-X-999", "D3": 100})
    _upload(page, bad)
    page.get_by_text("未导入: 学校年报_有误.xlsx").wait_for(timeout=60_000)
    issues = _grid_rows(page.locator('[data-testid="stDataFrame"]').first)
    located = {(row[1], row[2], row[3], row[4]) for row in issues}  # 工作表, 行, 列, 值
    assert ("填报", "2", "在校生数", "-5") in located and ("填报", "3", "学校代码", "999999-X-999") in located, issues
    _scroll_to(page, "未导入: 学校年报_有误.xlsx")
    page.screenshot(path=ARTIFACTS / "import_1_rejected.png")

    good = filled("学校年报.xlsx", {"D2": 1234, "D3": 2345})
    _upload(page, good)
    page.get_by_text("预览 (尚未写入): 学校年报.xlsx").wait_for(timeout=60_000)
    page.get_by_role("button", name="确认导入").click()
    _wait_idle(page)
    page.get_by_text("已导入 学校年报.xlsx (学校年报), 批次").wait_for(timeout=60_000)
    assert page.get_by_text("该文件已导入 (批次").count() == 1
    history = _grid_rows(page.locator('[data-testid="stDataFrame"]').last)
    results = {(row[1], row[2], row[4]) for row in history}  # 导入人, 文件, 结果
    assert results == {("崆峒区填报员 (clerk)", "学校年报_有误.xlsx", "被拒绝 (未写入)"),
                       ("崆峒区填报员 (clerk)", "学校年报.xlsx", "已导入")}, history
    _scroll_to(page, "已导入 学校年报.xlsx")
    page.screenshot(path=ARTIFACTS / "import_2_committed.png")
    assert page.locator('[data-testid="stException"]').count() == 0, "page shows an exception"
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"
