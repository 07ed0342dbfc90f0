"""Real browser: URL-bearing user text (an uploaded file's name, a school's name) is shown, and no link is made.

Streamlit's markdown turns bare `http://`, `www.` and e-mail addresses into links after escapes are resolved
(ui/safe_text.py); this checks the rendered DOM, not the markdown source.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.test_smoke import CLERK, CLERK_PASSWORD, _wait_idle, open_import_as_clerk, server  # noqa: F401

pytestmark = pytest.mark.browser

SCHOOL_NAME = "https://evil.example/点我 www.evil.example 崆峒测试小学"
FILE_NAME = "https://evil.example/x www.evil.example 学校年报.csv"
RENAMED: dict[str, str] = {}  # filled by demo_url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    """The demo warehouse with one 崆峒区 school renamed to SCHOOL_NAME (the id in `school_id` below)."""
    from data_access import schema
    from data_access.accounts import add_user
    from data_access.engine import make_engine
    from demo.generate import build_demo

    url = f"duckdb:///{tmp_path_factory.mktemp('plain_text') / 'demo.duckdb'}"
    engine = make_engine(url, create=True)
    build_demo(engine)
    add_user(engine, CLERK, role="reporter", region="620802", password=CLERK_PASSWORD, display_name="崆峒区填报员")
    with engine.begin() as conn:
        school_id = conn.execute(sa.select(sa.func.min(schema.schools.c.school_id))
                                 .where(schema.schools.c.county_adcode == "620802")).scalar_one()
        conn.execute(sa.update(schema.schools).where(schema.schools.c.school_id == school_id)
                     .values(name=SCHOOL_NAME))
    engine.dispose()
    RENAMED["school_id"] = school_id
    return url


def _links_to_evil(page) -> list[str]:  # noqa: F811 (the fixture's name)
    return page.eval_on_selector_all("a", "links => links.map(a => a.href).filter(h => h.includes('evil'))")


def test_url_bearing_file_name_in_import_alerts_makes_no_link(page, server):  # noqa: F811
    open_import_as_clerk(page, server)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": "学校代码,年度,在校生数\n999,2024,-1\n".encode()})
    _wait_idle(page)
    alert = page.locator('[data-testid="stAlert"]', has_text="未导入")
    alert.first.wait_for(timeout=60_000)
    shown = alert.first.inner_text().replace("\u2060", "")
    assert FILE_NAME in shown, shown
    assert _links_to_evil(page) == []
    assert alert.first.locator("a").count() == 0


def test_url_bearing_school_name_makes_no_link(page, server):  # noqa: F811
    school_id = RENAMED["school_id"]
    page.goto(f"{server}/school?scope=620800&city=620800&county=620802&year=2024&school={school_id}")
    _wait_idle(page)
    heading = page.locator("h3", has_text="崆峒测试小学")
    heading.first.wait_for(timeout=60_000)
    assert heading.first.inner_text().replace("\u2060", "").strip() == SCHOOL_NAME
    hrefs = heading.first.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [], hrefs
    assert _links_to_evil(page) == []
