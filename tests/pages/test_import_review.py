"""上报导入 and the review chain under AppTest: the preview lists plausibility warnings (file, row, column, old,
new), and a county whose report is submitted refuses the upload with the lock's one line."""

from __future__ import annotations

from data_access import review
from data_access.access import Principal
from data_access.engine import make_engine
from tests.pages.test_import_page import PAGE, everything, upload
from tests.pages.test_pages import open_page

# S1 reported 1200 students and 1 full-time teacher in 2025
WARNED_CSV = "学校代码,年度,在校生数,专职心理健康教师数\nS1,2026,2000,0\n".encode()


def test_preview_lists_the_plausibility_warnings(app_env):
    at = upload(open_page(PAGE), "学校年报.csv", WARNED_CSV)
    assert not at.exception, at.exception
    assert "2 条经验校验提示" in at.warning[0].value
    table = next(df.value for df in at.dataframe if "提示" in df.value.columns)
    assert table[["行", "列", "单位代码", "上次上报年度", "原值", "新值", "规则"]].values.tolist() == [
        [2, "在校生数", "S1", 2025, "1200", "2000", "enrollment_change_30pct"],
        [2, "专职心理健康教师数", "S1", 2025, "1", "0", "fulltime_teachers_to_zero"]]
    at.button(key="import_commit").click().run()
    assert not at.exception, at.exception
    assert "已导入 学校年报.csv" in at.success[0].value


def test_upload_into_a_submitted_county_is_refused_in_one_line(app_env):
    engine = make_engine(app_env)
    review.submit(engine, Principal("rep_xc", "新城区填报员", "reporter", "610102"), "610102", 2025, "school")
    engine.dispose()
    at = upload(open_page(PAGE), "学校年报.csv", "学校代码,年度,在校生数\nS1,2025,1250\n".encode())
    assert not at.exception, at.exception
    assert "未导入: 学校年报.csv (学校年报) 有 1 处问题" in at.error[0].value
    assert "新城区 2025 年学校年报已上报 (rep_xc, " in everything(at)
    assert "需要修改请联系西安市审核人员退回" in everything(at)
