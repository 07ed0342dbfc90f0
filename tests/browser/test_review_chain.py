"""Real browser, network off, on a warehouse that is not the demo: the review chain end to end.

崆峒区's reporter submits its 2025 school report; 平凉市's reviewer returns it with a reason; the reporter sees
the reason, re-imports (a figure that raises a plausibility warning), resubmits with an explanation; the city
approves. The city's map with 仅显示已审核数据 shows 崆峒区 as 待审核 until the approval, coloured after it.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.browser.servers import dashboard, fixture_warehouse_url, sign_in
from tests.browser.test_smoke import ARTIFACTS, CHROMIUM, ROOT, _free_port, _upload, _wait_idle  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "Pingliang-2025"
REPORTER, REVIEWER = "ktq", "pl.rev"
REASON = "崆峒一小在校生数漏填, 请补报"
EXPLANATION = "崆峒一小 2025 年合并了两所村小, 在校生增加属实"
MAP = "/map?scope=620800&year=2025&indicator=counseling_room_coverage&approved=1"


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> str:
    from data_access.engine import make_engine
    from tests.data_access import fixture_warehouse

    url = fixture_warehouse_url(
        tmp_path_factory.mktemp("review"),
        {"login": REPORTER, "role": "reporter", "region": "620802", "password": PASSWORD,
         "display_name": "崆峒区填报员"},
        {"login": REVIEWER, "role": "reviewer", "region": "620800", "password": PASSWORD,
         "display_name": "平凉市审核员"})
    engine = make_engine(url)
    with engine.begin() as conn:  # 崆峒区's 2025 school report (its 2024 one is in the fixture)
        conn.execute(sa.insert(fixture_warehouse.schema.school_year), [
            {"school_id": "P1", "year": 2025, "enrollment": 520, "fulltime_teachers": 0, "parttime_teachers": 1,
             "counseling_room": True},
            {"school_id": "P2", "year": 2025, "enrollment": 1480, "fulltime_teachers": 1, "parttime_teachers": 0,
             "counseling_room": True}])
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(real_url):
    with dashboard(real_url) as base:
        yield base


def _sign_in(tab, server: str, login: str, path: str = "/review?scope=620800&year=2025") -> None:
    """A fresh page load is a new session: sign in on the login form the address shows, then that page opens."""
    tab.goto(server + path)
    _wait_idle(tab)
    sign_in(tab, login, PASSWORD)


def _sign_out(tab) -> None:
    tab.get_by_role("button", name="退出登录").click()
    _wait_idle(tab)


def _done(tab, text: str) -> None:
    tab.get_by_text(text).first.wait_for(timeout=60_000)
    _wait_idle(tab)


def _expand(tab, label: str) -> None:
    tab.locator('[data-testid="stExpander"] summary', has_text=label).first.click()
    _wait_idle(tab)


def _submit(tab, explanation: str | None = None) -> None:
    _expand(tab, "提交 学校年报")
    if explanation is not None:
        tab.get_by_role("textbox", name="说明 (第 1 条提示)").fill(explanation)
        tab.keyboard.press("Tab")
        _wait_idle(tab)
    tab.get_by_text("我确认上报的数据已核对无误").first.click()
    _wait_idle(tab)
    tab.get_by_role("button", name="提交", exact=True).click()
    _done(tab, "已完成: 提交")


def _review(tab, action: str, reason: str | None = None) -> None:
    """On the reviewer's table: 崆峒区 (the only county) and 学校年报 are preselected; pick the action."""
    tab.locator('[data-testid="stRadio"]', has_text="操作").get_by_text(action, exact=True).click()
    _wait_idle(tab)
    if reason is not None:
        tab.get_by_role("textbox", name="原因").fill(reason)
        tab.keyboard.press("Tab")
        _wait_idle(tab)
    tab.get_by_role("button", name="执行", exact=True).click()
    _done(tab, f"已完成: {action}")


def _open(tab, link: str) -> None:
    """Move inside the app by its navigation (a reload would be a new session)."""
    tab.get_by_role("link", name=link, exact=True).click()
    _wait_idle(tab)


def _county_status(tab) -> str:
    """The status label of 崆峒区 on the city's map (its hover data), on the approved-only basis the session
    took from the address it signed in at (approved=1)."""
    _open(tab, "地图")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "review_chain_map.png"))
    tab.wait_for_function("() => document.querySelector('.js-plotly-plot') && "
                           "document.querySelector('.js-plotly-plot').data", timeout=60_000)
    rows = tab.evaluate("() => document.querySelector('.js-plotly-plot').data[0].customdata")
    found = {row[0]: row for row in json.loads(json.dumps(rows))}
    return found["620802"][2]


def test_submit_return_resubmit_approve_and_the_approved_only_map(page, server, tmp_path):  # noqa: F811
    _sign_in(page, server, REPORTER)
    page.get_by_text("崆峒区 · 2025年 各类上报").wait_for(timeout=60_000)
    _submit(page)

    _sign_out(page)
    _sign_in(page, server, REVIEWER, MAP)
    assert _county_status(page) == "待审核"  # submitted is not approved
    _open(page, "审核")
    _review(page, "退回", REASON)

    _sign_out(page)
    _sign_in(page, server, REPORTER)
    page.get_by_text("退回原因: " + REASON).wait_for(timeout=60_000)
    _open(page, "上报导入")
    corrected = tmp_path / "崆峒区学校年报.csv"
    corrected.write_text("学校代码,年度,在校生数\nP1,2025,900\n", encoding="utf-8")  # +73% on 2024's 500
    _upload(page, corrected)
    page.get_by_role("button", name="确认导入").click()
    _done(page, "已导入 崆峒区学校年报.csv")
    _open(page, "审核")
    _submit(page, EXPLANATION)

    _sign_out(page)
    _sign_in(page, server, REVIEWER, MAP)
    assert _county_status(page) == "待审核"
    _open(page, "审核")
    _review(page, "审核通过")
    assert _county_status(page) not in ("待审核", "无数据")  # coloured from its approved figures
    assert page.outside_requests == []
