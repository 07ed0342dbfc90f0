"""审核 under AppTest: a county reporter submits, a city reviewer returns and approves, a province reviewer
confirms a city; deadlines, overdue counties and the reminder list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from data_access import review
from data_access.access import Principal
from data_access.accounts import add_user
from data_access.engine import make_engine
from data_access.schema import review_states
from tests.pages.test_pages import open_page, texts

PAGE = "pages/review.py"
YEAR = 2025
KONGTONG, PINGLIANG, XIAN, XINCHENG, BEILIN = "620802", "620800", "610100", "610102", "610103"
REPORTER = Principal("kt.rep", "崆峒区填报员", "reporter", KONGTONG)
CITY = Principal("pl.rev", "平凉市审核员", "reviewer", PINGLIANG)
XIAN_REVIEWER = Principal("xa.rev", "西安市审核员", "reviewer", XIAN)
XINCHENG_REPORTER = Principal("xc.rep", "新城区填报员", "reporter", XINCHENG)
BEILIN_REPORTER = Principal("bl.rep", "碑林区填报员", "reporter", BEILIN)
PROVINCE = Principal("sx.rev", "陕西省审核员", "reviewer", "610000")
ADMIN = Principal("pl.admin", "平凉市管理员", "admin", PINGLIANG)


@pytest.fixture
def accounts(app_env):
    engine = make_engine(app_env)
    for who in (REPORTER, CITY, XIAN_REVIEWER, XINCHENG_REPORTER, BEILIN_REPORTER, PROVINCE, ADMIN):
        add_user(engine, who.login, role=who.role, region=who.region, password=None, display_name=who.display_name,
                 email=f"{who.login}@example.org")
    yield engine
    engine.dispose()


def state(engine, unit: str, kind: str = "school") -> str:
    with engine.connect() as conn:
        found = conn.execute(sa.select(review_states.c.state).where(
            review_states.c.unit_adcode == unit, review_states.c.year == YEAR,
            review_states.c.report_type == kind)).scalar()
    return found or review.STATE_OPEN


def everything(at) -> str:
    parts = [texts(at)]
    parts += [str(e.value) for group in (at.error, at.success, at.exception, at.text) for e in group]
    parts += [df.value.to_string() if hasattr(df.value, "to_string") else str(df.value) for df in at.dataframe]
    return "\n".join(parts)


def test_county_reporter_sees_each_report_type_and_submits(accounts):
    at = open_page(PAGE, login=REPORTER.login, scope=PINGLIANG, year=str(YEAR))
    assert not at.exception, at.exception
    shown = everything(at)
    assert "崆峒区 · 2025年 各类上报" in shown
    for name in ("学校年报", "核心知识知晓率调查", "医院门诊情况", "区县人口与精神科医师"):
        assert name in shown
    assert "填报中" in shown and "完整性 0/2" in shown  # 崆峒区's two schools reported 2024, not 2025
    assert not any(df for df in at.dataframe if "催报" in str(df.value))
    at.session_state["rv_open_school"] = True
    at.run()
    at.button(key="rv_submit_school").click().run()
    assert "请先勾选确认" in everything(at)
    assert state(accounts, KONGTONG) == review.STATE_OPEN
    at.checkbox(key="rv_confirm_school").check().run()
    at.button(key="rv_submit_school").click().run()
    assert not at.exception, at.exception
    assert state(accounts, KONGTONG) == review.STATE_SUBMITTED
    assert "已完成: 提交" in everything(at)
    assert "已上报" in everything(at)


def test_city_reviewer_returns_with_a_reason_then_approves(accounts):
    review.submit(accounts, REPORTER, KONGTONG, YEAR, "school")
    at = open_page(PAGE, login=CITY.login, scope=PINGLIANG, year=str(YEAR))
    assert not at.exception, at.exception
    assert "各县(区)上报与审核" in everything(at)
    assert "崆峒区" in everything(at) and "已上报" in everything(at)
    at.selectbox(key="rv_county").set_value(KONGTONG)
    at.selectbox(key="rv_kind").set_value("school")
    at.radio(key="rv_action").set_value("return").run()
    at.button(key="rv_run").click().run()
    assert "退回和取消审核须填写原因" in everything(at)  # reason required
    assert state(accounts, KONGTONG) == review.STATE_SUBMITTED
    at.text_area(key="rv_reason").input("二中在校生数与去年相差过大, 请核实").run()
    at.button(key="rv_run").click().run()
    assert not at.exception, at.exception
    assert state(accounts, KONGTONG) == review.STATE_RETURNED

    county = open_page(PAGE, login=REPORTER.login, scope=PINGLIANG, year=str(YEAR))
    assert "退回原因: 二中在校生数与去年相差过大, 请核实" in [t.value for t in county.text]  # plain text

    review.submit(accounts, REPORTER, KONGTONG, YEAR, "school")
    at = open_page(PAGE, login=CITY.login, scope=PINGLIANG, year=str(YEAR))
    at.selectbox(key="rv_county").set_value(KONGTONG)
    at.radio(key="rv_action").set_value("approve").run()
    at.button(key="rv_run").click().run()
    assert not at.exception, at.exception
    assert state(accounts, KONGTONG) == review.STATE_APPROVED
    assert "已完成: 审核通过" in everything(at)
    # The reviewer cannot act on a county they do not review: the state machine says why, the page shows it.
    at.radio(key="rv_action").set_value("approve").run()
    at.button(key="rv_run").click().run()
    assert "只有已上报的才能审核" in everything(at)


def test_province_reviewer_confirms_a_city_once_its_counties_are_approved(accounts):
    for reporter in (XINCHENG_REPORTER, BEILIN_REPORTER):
        review.submit(accounts, reporter, reporter.region, YEAR, "school")
    review.approve(accounts, XIAN_REVIEWER, XINCHENG, YEAR, "school")
    at = open_page(PAGE, login=PROVINCE.login, scope="610000", year=str(YEAR))
    assert not at.exception, at.exception
    shown = everything(at)
    assert "各市审核 (省级确认)" in shown and "1/2" in shown
    at.selectbox(key="rv_city").set_value(XIAN)
    at.selectbox(key="rv_city_kind").set_value("school")
    at.radio(key="rv_city_action").set_value("approve").run()
    at.button(key="rv_city_run").click().run()
    assert "还有县(区)未经西安市审核通过 (碑林区)" in everything(at)
    review.approve(accounts, XIAN_REVIEWER, BEILIN, YEAR, "school")
    at.button(key="rv_city_run").click().run()
    assert not at.exception, at.exception
    assert state(accounts, XIAN) == review.STATE_APPROVED
    assert "2/2" in everything(at)


def test_deadline_overdue_counties_and_reminder_list(accounts):
    review.set_deadline(accounts, ADMIN, PINGLIANG, YEAR, "school", date.today() - timedelta(days=3))
    at = open_page(PAGE, login=CITY.login, scope=PINGLIANG, year=str(YEAR))
    assert not at.exception, at.exception
    shown = everything(at)
    assert "已逾期" in shown and "逾期未提交的县(区): 1" in shown
    reminders = next(df.value for df in at.dataframe if "填报账号" in str(getattr(df.value, "columns", "")))
    row = reminders.iloc[0].to_dict()
    assert row["县(区)"] == "崆峒区" and row["填报账号"] == "kt.rep" and row["填报人"] == "崆峒区填报员"
    assert int(row["逾期天数"]) in (2, 3, 4)  # Beijing's date may differ from the machine's by a day
    assert "学校年报未提交" in row["缺少"]

    completeness = open_page("pages/completeness.py", login=CITY.login, scope=PINGLIANG, year=str(YEAR))
    assert not completeness.exception, completeness.exception
    assert "逾期未提交 (1)" in everything(completeness)
    overdue = next(df.value for df in completeness.dataframe if "距截止" in str(df.value.columns))
    assert overdue.iloc[0]["县(区)"] == "崆峒区" and "已逾期" in overdue.iloc[0]["距截止"]


def test_english(accounts):
    at = open_page(PAGE, login=CITY.login, scope=PINGLIANG, year=str(YEAR), lang="en")
    assert not at.exception, at.exception
    shown = everything(at)
    assert "Counties: reports and review" in shown and "Review action" in shown


def test_viewer_is_told_which_account_it_needs(accounts):
    engine = accounts
    add_user(engine, "pl.view", role="viewer", region=PINGLIANG, password=None, display_name="查看",
             email="v@example.org")
    at = open_page(PAGE, login="pl.view", scope=PINGLIANG, year=str(YEAR))
    assert not at.exception, at.exception
    assert "审核页面须以填报员、审核员或管理员账号登录" in everything(at)
