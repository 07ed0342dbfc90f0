"""上报导入 under AppTest on the fixture warehouse: template, upload -> problems -> fix -> preview -> commit,
history, changes of a batch and undo."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from data_access.importing import import_file
from data_access.regions import ALL_REGIONS
from data_access.schema import import_batches, school_year
from tests.pages.test_pages import open_page, texts
from ui.state import INDICATOR, widget_key

PAGE = "pages/import.py"
BAD_CSV = "学校代码,年度,在校生数\nS1,2025,-5\nX9,2025,100\n".encode()
GOOD_CSV = "学校代码,年度,在校生数\nS1,2025,1250\nS4,2025,1100\n".encode()
LATER_CSV = "学校代码,年度,在校生数\nS1,2025,1300\n".encode()


def everything(at: AppTest) -> str:
    """Every text on the page, messages and tables included."""
    parts = [texts(at)]
    parts += [str(e.value) for group in (at.error, at.success, at.exception) for e in group]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(parts)


def history_rows(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url, create=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_batches.c.status, import_batches.c.imported_by,
                                      import_batches.c.file_name).order_by(import_batches.c.imported_at)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def enrollment(url: str, school_id: str, year: int) -> int | None:
    engine = make_engine(url, create=True)
    with engine.connect() as conn:
        value = conn.execute(sa.select(school_year.c.enrollment).where(
            school_year.c.school_id == school_id, school_year.c.year == year)).scalar()
    engine.dispose()
    return value


def history_frame(at: AppTest):
    return next(df.value for df in at.dataframe if "批次" in df.value.columns)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="import_upload").set_value((name, data, "text/csv"))
    return at.run()


def test_page_renders_with_template_and_empty_history(app_env):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "上报导入"
    assert at.radio(key="import_type").value == "school"
    assert at.radio(key="import_type").options == ["学校年报", "核心知识知晓率调查", "医院门诊情况",
                                                   "社区家长学校/指导站点", "区县人口与精神科医师", "学校名录",
                                                   "医疗机构名录", "社区(村)名录"]
    assert at.checkbox(key="import_prefill").value is True
    assert "陕西省" in at.checkbox(key="import_prefill").label
    assert at.checkbox(key="import_with_values").value is True
    assert "2025年已上报的数值" in at.checkbox(key="import_with_values").label
    at.checkbox(key="import_prefill").uncheck().run()
    assert at.checkbox(key="import_with_values").disabled
    assert "学校年报" in at.get("download_button")[0].proto.label
    assert "整份文件一起导入: 有任何问题则整份不写入" in texts(at)
    assert "还没有导入记录" in texts(at)


def test_template_is_prefilled_with_the_region_units_and_year(app_env):
    from ui.resources import import_template

    workbook = load_workbook(io.BytesIO(import_template(app_env, "school", "610102", 2025, allowed=ALL_REGIONS)))
    rows = [row for row in workbook["填报"].iter_rows(min_row=2, values_only=True) if any(row)]
    assert [row[:3] for row in rows] == [("S1", "一小", 2025), ("S2", "二小", 2025), ("S3", "三中", 2025),
                                         ("S4", "四中", 2025), ("U1", "甲大学", 2025), ("U2", "乙学院", 2025),
                                         ("U3", "丙学院", 2025)]
    with_values = load_workbook(io.BytesIO(import_template(app_env, "school", "610102", 2025, with_values=True,
                                                                allowed=ALL_REGIONS)))
    rows = [row for row in with_values["填报"].iter_rows(min_row=2, values_only=True) if any(row)]
    assert [row[:4] for row in rows][:4] == [("S1", "一小", 2025, 1200), ("S2", "二小", 2025, 300),
                                             ("S3", "三中", 2025, 150), ("S4", "四中", 2025, None)]
    blank = load_workbook(io.BytesIO(import_template(app_env, "hospital", None, None, allowed=ALL_REGIONS)))
    assert not any(any(row) for row in blank["填报"].iter_rows(min_row=2, values_only=True))
    assert "填表说明" in blank.sheetnames


def test_prefill_stays_inside_the_allowed_region(app_env, monkeypatch):
    monkeypatch.setenv("MHMONITOR_ALLOWED_REGION", "610103")
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "碑林区" in at.checkbox(key="import_prefill").label


def test_upload_rejected_then_fixed_previewed_and_committed(app_env):
    at = open_page(PAGE)
    at = upload(at, "学校年报.csv", BAD_CSV)
    assert not at.exception, at.exception
    assert "未导入: 学校年报.csv (学校年报) 有 2 处问题" in at.error[0].value
    issues = at.dataframe[0].value
    assert list(issues.columns) == ["文件", "工作表", "行", "列", "值", "问题"]
    assert [(int(r["行"]), r["列"], r["值"]) for _, r in issues.iterrows()] == [(2, "在校生数", "-5"),
                                                                              (3, "学校代码", "X9")]
    assert [b.proto.label for b in at.get("download_button")][1:3] == ["下载 CSV", "下载 Excel"]
    at.run()  # a rerun (any widget) must not record the same rejection again
    assert history_rows(app_env) == [("rejected", "root", "学校年报.csv")]
    assert "被拒绝 (未写入)" in history_frame(at)["结果"].tolist()

    at = upload(at, "学校年报.csv", GOOD_CSV)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"新增": "1 行", "修改": "1 行", "不变": "0 行"}
    assert "预览 (尚未写入)" in at.info[0].value
    changes = at.dataframe[0].value
    assert changes[["单位代码", "操作", "原值", "新值"]].values.tolist() == [
        ["S1", "修改", "1200", "1250"], ["S4", "新增", "", "在校生数=1100"]]

    at.button(key="import_commit").click().run()
    assert not at.exception, at.exception
    assert "已导入 学校年报.csv (学校年报), 批次" in at.success[0].value
    assert enrollment(app_env, "S1", 2025) == 1250 and enrollment(app_env, "S4", 2025) == 1100
    assert "该文件已导入 (批次" in texts(at)

    at.run()  # the file is still in the uploader: nothing is imported twice
    assert "该文件已导入 (批次" in texts(at)
    assert [row[:2] for row in history_rows(app_env)] == [("rejected", "root"), ("applied", "root")]
    assert history_frame(at)["结果"].tolist() == ["已导入", "被拒绝 (未写入)"]


def test_wrong_file_type_is_explained(app_env):
    at = upload(open_page(PAGE), "学校年报.pdf", b"%PDF-1.4 not a table")
    assert not at.exception, at.exception
    assert "不支持的文件类型「.pdf」" in everything(at)


def test_history_changes_and_undo(app_env):
    engine = make_engine(app_env)
    outcome = import_file(engine, "first.csv", GOOD_CSV, imported_by="李四")
    assert outcome.status == "applied", outcome.summary_lines()
    engine.dispose()

    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert history_frame(at)["文件"].tolist() == ["first.csv"]
    assert at.selectbox(key="import_batch").value == outcome.batch_id
    at.toggle(key="import_show_changes").set_value(True).run()
    assert at.dataframe[-1].value[["单位代码", "操作", "项目", "原值", "新值"]].values.tolist() == [
        ["S4", "新增", "整行", "", "在校生数=1100"], ["S1", "修改", "在校生数", "1200", "1250"]]

    at.button(key="import_undo").click().run()
    assert not at.exception, at.exception
    assert f"已撤销批次 {outcome.batch_id}" in at.success[0].value
    history = history_frame(at)
    assert history["结果"].tolist() == ["已导入", "已撤销"]
    assert history["文件"].tolist() == ["撤销: first.csv", "first.csv"]
    assert enrollment(app_env, "S1", 2025) == 1200 and enrollment(app_env, "S4", 2025) is None


def test_undo_refused_when_a_later_import_changed_the_values(app_env):
    engine = make_engine(app_env)
    first = import_file(engine, "first.csv", GOOD_CSV, imported_by="李四")
    import_file(engine, "second.csv", LATER_CSV, imported_by="李四")
    engine.dispose()

    at = open_page(PAGE)
    at.selectbox(key="import_batch").set_value(first.batch_id).run()
    at.button(key="import_undo").click().run()
    assert not at.exception, at.exception
    assert "请先撤销之后的导入" in at.error[0].value
    assert enrollment(app_env, "S1", 2025) == 1300


HOSPITAL_CSV = "医院代码,医院名称,年度,是否开设学生心理门诊\nH4,市儿童医院,2025,是\n".encode("gb18030")


def test_commit_updates_the_completeness_page_and_the_map(app_env):
    """The clerk's whole round: the laggard list and the map read before the import are not served from the
    cache afterwards."""
    at = open_page("pages/completeness.py")
    at.radio(key="completeness_kind").set_value("hospital").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "3/4"
    assert at.dataframe[-1].value["单位代码"].tolist() == ["H4"]
    # The fixture is a real warehouse, so the map shows approved data only by default; nothing in it is
    # approved, and this test is about the caches seeing the import: all data.
    at.session_state["approved"] = "0"
    at.switch_page("pages/map.py").run()
    at.sidebar.selectbox(key=widget_key(INDICATOR)).set_value("children_general_mch_clinic").run()
    assert not at.exception, at.exception
    ranking = at.dataframe[0].value.set_index("单位")
    # 西安市's general, maternal-child and children's hospitals: H2 no clinic, H3 a clinic, H4 no report
    assert ranking.loc["西安市", "报送本项指标"] == "2/3" and ranking.loc["西安市", "分子/分母"] == "1/2"

    at.switch_page(PAGE).run()
    at.radio(key="import_type").set_value("hospital").run()
    at = upload(at, "儿童医院.csv", HOSPITAL_CSV)
    assert {m.label: m.value for m in at.metric} == {"新增": "1 行", "修改": "0 行", "不变": "0 行"}
    at.button(key="import_commit").click().run()
    assert not at.exception, at.exception
    assert "已导入 儿童医院.csv (医院门诊情况)" in at.success[0].value

    at.switch_page("pages/completeness.py").run()
    at.radio(key="completeness_kind").set_value("hospital").run()  # a page's own widgets start afresh
    assert not at.exception, at.exception
    assert at.metric[0].value == "4/4"
    assert "全部单位均已上报" in at.success[0].value
    at.switch_page("pages/map.py").run()
    ranking = at.dataframe[0].value.set_index("单位")
    assert ranking.loc["西安市", "报送本项指标"] == "3/3" and ranking.loc["西安市", "分子/分母"] == "2/3"
