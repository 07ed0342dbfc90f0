"""填报 under AppTest: a school account has the entry form and nothing else; one mistake is shown beside its
field and keeps what was typed; fixed, it submits; another school's link and other pages are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.accounts import add_user
from data_access.engine import make_engine
from data_access.schema import school_reports, school_year
from tests.pages.test_access_pages import all_text
from tests.pages.test_pages import PAGES, app, open_page

PASSWORD = "Kongtong-2026!"


@pytest.fixture
def school_env(app_env):
    engine = make_engine(app_env)
    add_user(engine, "P1", role="school", region="P1", password=PASSWORD, display_name="崆峒一小")
    add_user(engine, "ktq", role="reporter", region="620802", password=PASSWORD, display_name="崆峒区填报员")
    engine.dispose()
    return app_env


def fact(url: str, year: int) -> dict | None:
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(school_year).where(school_year.c.school_id == "P1",
                                                        school_year.c.year == year)).mappings().first()
        state = conn.execute(sa.select(school_reports.c.state).where(school_reports.c.school_id == "P1")).scalar()
    engine.dispose()
    return {"row": dict(row) if row else None, "state": state}


def field(at, label_start: str):
    return next(w for w in at.text_input if w.label.startswith(label_start))


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_school_signs_in_to_its_form_fixes_one_mistake_and_submits(school_env):
    at = app("P1").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "填报" and at.subheader[0].value == "崆峒一小"
    year = at.selectbox(key="entry_year").value
    assert "**状态: 未填**" in [m.value for m in at.markdown]
    field(at, "在校生数").input("480人")
    field(at, "专职心理健康教师数").input("1")
    at.selectbox(key=f"entry:P1:{year}:school:counseling_room").select("是")
    button(at, "提交").click()
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("人数应为数字" in e for e in errors), errors
    assert field(at, "在校生数").value == "480人" and field(at, "专职心理健康教师数").value == "1"  # kept
    assert fact(school_env, year)["row"] is None
    field(at, "在校生数").input("480")
    button(at, "提交").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已提交县级" in s.value for s in at.success)
    stored = fact(school_env, year)
    assert stored["state"] == "submitted"
    assert stored["row"]["enrollment"] == 480 and stored["row"]["fulltime_teachers"] == 1
    assert stored["row"]["counseling_room"] is True and stored["row"]["boarding_students"] is None
    assert "**状态: 已提交**" in [m.value for m in at.markdown]
    assert field(at, "在校生数").disabled  # read-only once submitted
    assert not at.dataframe[0].value.empty  # the school's own history


@pytest.mark.parametrize("page", [page for page in PAGES if page != "pages/entry.py"])
def test_every_other_page_is_refused_to_a_school(school_env, page):
    at = open_page(page, login="P1", scope="620800", county="620802")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "学校账号只能使用「填报」页面" in text
    for name in ("崆峒区", "平凉市", "西安市", "二中", "2025年"):
        assert name not in text, (page, name)


def test_a_link_naming_another_school_is_refused(school_env):
    at = open_page("pages/entry.py", login="P1", school="P2")
    assert not at.exception, at.exception
    assert any("不是您的学校" in e.value for e in at.error)
    assert not at.text_input and "崆峒二中" not in all_text(at)


def test_county_reporter_is_pointed_to_the_import_page(school_env):
    at = open_page("pages/entry.py", login="ktq")
    assert not at.exception, at.exception
    assert any("县(区)请用「上报导入」" in i.value for i in at.info)


def test_entry_form_in_english(school_env):
    at = app("P1")
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Report"
    assert field(at, "Students enrolled").label == "Students enrolled (persons)"


def test_county_sees_its_schools_returns_one_and_lists_who_has_not_submitted(school_env):
    from data_access.access import Principal
    from data_access.school_review import save_entry

    engine = make_engine(school_env)
    school = Principal("P1", "崆峒一小", "school", "P1")
    assert save_entry(engine, school, "P1", 2025, "school", {"enrollment": "480"}, submit=True).ok
    engine.dispose()
    at = open_page("pages/school_submissions.py", login="ktq", scope="620800", county="620802", year="2025")
    assert not at.exception, at.exception
    listed = at.dataframe[0].value
    assert listed.set_index("学校标识码").loc["P1", "学校年报"] == "已提交"
    assert listed.set_index("学校标识码").loc["P2", "学校年报"] == "未填"
    assert any(b.label == "下载 CSV" for b in at.get("download_button"))
    at.text_area(key="subs_return_reason").input("在校生数与学籍系统不符")
    button(at, "退回").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已退回 崆峒一小" in s.value for s in at.success)
    assert at.dataframe[0].value.set_index("学校标识码").loc["P1", "退回原因"] == "在校生数与学籍系统不符"
    school_at = app("P1")
    school_at.session_state["year"] = 2025
    school_at.run()
    assert "**状态: 已退回**" in [m.value for m in school_at.markdown]
    assert "在校生数与学籍系统不符" in [x.value for x in school_at.text]


def test_a_viewer_is_told_school_reports_need_a_county_account(school_env):
    at = open_page("pages/school_submissions.py", login="root")  # an admin of every region: no county chosen
    assert not at.exception, at.exception
    assert any("请在左侧选择一个县(区)" in i.value for i in at.info)
