"""Real browser at a phone's size (375 × 812), network off, on a warehouse that is NOT the demo: a school signs
in with the initial password `add-schools` gave it, sets its own, fills its report with one mistake, reads the
problem beside the field, fixes it and submits; the county then sees 已提交 and the figures."""

from __future__ import annotations

import pytest

from tests.browser.servers import dashboard, launch, offline_tab, sign_in
from tests.browser.test_smoke import ARTIFACTS, _title, _wait_idle

pytestmark = pytest.mark.browser

COUNTY_PASSWORD = "Kongtong-2026!"
NEW_PASSWORD = "Qingquan-2026#"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The fixture warehouse with 崆峒区's school accounts made by add_school_accounts (initial passwords)."""
    from data_access import migrate
    from data_access.access import SHELL_OPERATOR
    from data_access.accounts import add_user
    from data_access.engine import make_engine
    from data_access.school_accounts import add_school_accounts
    from tests.data_access import fixture_warehouse

    url = f"duckdb:///{tmp_path_factory.mktemp('school') / 'real.duckdb'}"
    engine = make_engine(url, create=True)
    migrate.upgrade(engine)
    fixture_warehouse.populate(engine)
    add_user(engine, "ktq", role="reporter", region="620802", password=COUNTY_PASSWORD, display_name="崆峒区填报员")
    created = {account.login: account.initial_password
               for account in add_school_accounts(engine, "620802", SHELL_OPERATOR)}
    engine.dispose()
    return url, created["P1"]


@pytest.fixture(scope="module")
def server(warehouse):
    with dashboard(warehouse[0]) as base:
        yield base


@pytest.fixture(scope="module")
def phone(server):
    """One Chromium for the module, a phone-sized page; every request leaving localhost is aborted and kept."""
    with launch() as browser, offline_tab(browser, {"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                          device_scale_factor=2) as tab:
        yield tab


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page is {width} px wide at a 375 px phone"


def _field(page, label: str):
    return page.get_by_role("textbox", name=label, exact=False).first


def test_school_on_a_phone_sets_its_password_fixes_a_mistake_and_submits(phone, server, warehouse):
    page = phone
    page.goto(server)
    _wait_idle(page)
    sign_in(page, "P1", warehouse[1])
    # The initial password must be replaced before anything else.
    page.get_by_label("原密码", exact=True).wait_for(state="visible", timeout=60_000)
    page.get_by_label("原密码", exact=True).fill(warehouse[1])
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    _wait_idle(page)
    page.get_by_role("heading", name="填报", exact=True).wait_for(timeout=60_000)
    assert _title(page) == "填报"
    _no_horizontal_scroll(page)
    page.screenshot(path=ARTIFACTS / "school_1_form.png", full_page=True)

    enrollment = _field(page, "在校生数 (人)")
    enrollment.fill("480人")
    _field(page, "专职心理健康教师数 (人)").fill("1")
    page.get_by_role("button", name="提交", exact=True).click()
    _wait_idle(page)
    problem = page.locator('[data-testid="stAlert"]', has_text="人数应为数字")
    problem.first.wait_for(timeout=60_000)
    # Beside its field: the problem is the next element after the enrollment box, above the next field.
    field_box = enrollment.bounding_box()
    problem_box = problem.first.bounding_box()
    next_box = _field(page, "寄宿生数 (人)").bounding_box()
    assert field_box["y"] < problem_box["y"] < next_box["y"], (field_box, problem_box, next_box)
    assert enrollment.input_value() == "480人"  # what was typed is kept
    _no_horizontal_scroll(page)
    page.screenshot(path=ARTIFACTS / "school_2_mistake.png", full_page=True)

    enrollment.fill("480")
    page.get_by_role("button", name="提交", exact=True).click()
    _wait_idle(page)
    page.get_by_text("已提交县级").first.wait_for(timeout=60_000)
    assert "状态: 已提交" in page.locator("body").inner_text()
    page.screenshot(path=ARTIFACTS / "school_3_submitted.png", full_page=True)

    # The county's clerk at another phone: a browser without the school's session cookie.
    # A shared link opens the login form and, once signed in, that page.
    page.context.clear_cookies()
    page.goto(f"{server}/school_submissions?scope=620800&county=620802&year=2026")
    _wait_idle(page)
    sign_in(page, "ktq", COUNTY_PASSWORD)
    page.screenshot(path=ARTIFACTS / "school_4_county_list.png", full_page=True)
    page.get_by_role("heading", name="学校填报", exact=True).wait_for(timeout=60_000)
    body = page.locator("body").inner_text()
    assert "已提交 1" in body  # the summary above the list (the list itself is a canvas grid)
    # The school's figures, as typed (a small HTML table for the chosen school).
    page.get_by_role("cell", name="480", exact=True).first.wait_for(timeout=60_000)
    assert "在校生数 (人)" in page.locator('[data-testid="stTable"]').first.inner_text()
    _no_horizontal_scroll(page)
    page.screenshot(path=ARTIFACTS / "school_4_county.png", full_page=True)
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests[:5]}"
