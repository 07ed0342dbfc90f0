"""CSV with BOM and XLSX: Chinese headers survive, formula-like cells stay text, missing stays empty."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from exports.tables import csv_bytes, indicator_table, xlsx_bytes
from tests.data_access import fixture_warehouse

SCHOOLS = pd.DataFrame({"学校名称": ["=1+1", "+SUM(A1)", "@cmd", "-2", "\tx", "崆峒一小"],
                        "在校生": [1, 2, 3, 4, 5, 500]})


def test_csv_has_bom_and_round_trips():
    data = csv_bytes(SCHOOLS)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["学校名称", "在校生"]
    assert back["学校名称"].tolist() == ["'=1+1", "'+SUM(A1)", "'@cmd", "'-2", "'\tx", "崆峒一小"]
    assert back["在校生"].tolist() == [1, 2, 3, 4, 5, 500]


def test_csv_leaves_numbers_alone():
    data = csv_bytes(pd.DataFrame({"差距": [-2.5, 3.0]}))
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")["差距"].tolist() == [-2.5, 3.0]


def test_xlsx_keeps_formula_like_names_as_text():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(SCHOOLS, "学校")))
    sheet = book["学校"]
    assert [c.value for c in sheet[1]] == ["学校名称", "在校生"]
    for row in range(2, 7):
        assert sheet.cell(row, 1).data_type == "s", sheet.cell(row, 1).value  # strings, never formulas
    # The same mark as in CSV (data_access.cells): the importer reads it back off.
    assert sheet["A2"].value == "'=1+1" and sheet["B7"].value == 500 and sheet["B7"].data_type == "n"
    assert sheet.freeze_panes == "A2"


def test_xlsx_sheet_name_is_made_valid():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(SCHOOLS, "平凉/崆峒 [2024]: 各校指标一览表" * 2)))
    assert len(book.sheetnames[0]) <= 31 and "/" not in book.sheetnames[0]


def test_indicator_table_from_a_real_evaluation(engine):
    from data_access.evaluation import evaluate

    fixture_warehouse.populate(engine)
    frame = evaluate(engine, "610102", "school", [2025], indicator_ids=["counselor_coverage"])
    table = indicator_table(frame)
    assert list(table.columns[:4]) == ["代码", "单位", "所属县区", "年度"]
    assert {"指标", "分子", "分母", "数值", "计量单位", "目标", "期限", "差距(正数为尚差)", "状态", "已上报单位数",
            "应上报单位数", "规划条款"} <= set(table.columns)
    silent = table[table["代码"] == "S4"].iloc[0]  # 四中 did not report in 2025
    assert silent["状态"] == "无数据" and silent["数值"] is None and silent["分子"] is None
    zero = table[table["代码"] == "S3"].iloc[0]  # 三中 reported zero teachers
    assert zero["数值"] == 0 and zero["状态"] == "落后" and zero["计量单位"] == "%"
    assert (zero["分子"], zero["分母"]) == (0, 1) and isinstance(zero["分母"], int)  # counts print as 1, not 1.0
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), encoding="utf-8-sig", dtype={"代码": str})
    assert back.loc[back["代码"] == "S4", "数值"].isna().all()  # missing stays empty, not 0
    english = indicator_table(frame, "en")
    assert "Status" in english.columns and set(english["Status"]) <= {"Met", "Close", "Behind", "No data"}


def test_school_named_like_a_formula_stays_text_end_to_end(engine):
    import sqlalchemy as sa

    from data_access import schema
    from data_access.evaluation import evaluate

    fixture_warehouse.populate(engine)
    with engine.begin() as conn:
        conn.execute(sa.update(schema.schools).where(schema.schools.c.school_id == "S1").values(name="=1+1"))
    table = indicator_table(evaluate(engine, "610102", "school", [2025], indicator_ids=["counselor_coverage"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, "学校"))).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "S1")
    assert cell.value == "'=1+1" and cell.data_type == "s"
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), encoding="utf-8-sig")
    assert "'=1+1" in back["单位"].tolist()
