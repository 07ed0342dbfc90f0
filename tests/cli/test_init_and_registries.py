"""From an empty warehouse to the first map, as a new provincial administrator would, on both engines:
`mhmonitor init`, the three registries (first with mistakes, then fixed), then a yearly school report."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from data_access.codes import organization_code_check, usci_check_character
from data_access.completeness import unit_reports
from data_access.init_warehouse import next_step
from data_access.schema import regions, warehouse_meta
from tests.cli.test_cli import run


@pytest.fixture
def empty_env(engine, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _hospital_code(body: str) -> str:
    first17 = f"12620802{body}{organization_code_check(body)}"
    return first17 + usci_check_character(first17)


HOSPITAL = _hospital_code("43871234")
SCHOOLS_WITH_MISTAKES = (
    "学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡,经度,纬度,开办年份,停办年份\n"
    "2162000101,崆峒东关小学,620802,小学,否,城镇,106.67,35.54,,\n"
    "2161000102,崆峒西关小学,620802,小学,否,城镇,106.66,35.55,,\n"  # 61 is Shaanxi
    "3162000103,崆峒第五中学,620802,初中,是,乡村,108.96,34.27,,\n"  # coordinates in Xi'an
    "2162000104,崆峒柳湖小学,620802,小学,否,城镇,,,2015,2024\n"  # closed after the 2024 school year
)
SCHOOLS_FIXED = (SCHOOLS_WITH_MISTAKES.replace("2161000102", "2162000102")
                 .replace("108.96,34.27", "106.70,35.52"))


def test_init_is_idempotent_and_marks_the_warehouse_real(capsys, empty_env):
    code, out, err = run(capsys, "init", "--region", "620800")
    assert code == 0, err
    assert "平凉市(620800): 新增行政区划 9 个" in out and "school_registry" in out
    with empty_env.connect() as conn:
        before = conn.execute(sa.select(regions).order_by(regions.c.adcode)).all()
        meta = dict(conn.execute(sa.select(warehouse_meta.c.key, warehouse_meta.c.value)).all())
    # 甘肃省, 平凉市 and its 7 counties; no demo rows.
    assert [r.adcode for r in before][:2] == ["620000", "620800"] and len(before) == 9
    assert meta["is_demo"] == "0" and "data_as_of" not in meta
    code, out, _ = run(capsys, "init", "--region", "620800")
    assert code == 0 and "新增行政区划 0 个, 已有 9 个" in out
    with empty_env.connect() as conn:
        assert conn.execute(sa.select(regions).order_by(regions.c.adcode)).all() == before
    assert next_step(empty_env) == "registries"


def test_init_of_a_province(capsys, empty_env):
    code, out, _ = run(capsys, "init", "--region", "610000")
    with empty_env.connect() as conn:
        levels = [row.level for row in conn.execute(sa.select(regions))]
    # Shaanxi: the province, 10 cities, 107 counties.
    assert code == 0 and (levels.count("province"), levels.count("city"), levels.count("county")) == (1, 10, 107)


@pytest.mark.parametrize(("region", "message"), [("999999", "未知的行政区划代码 999999"), ("62080", "6 位数字"),
                                                 ("620802", "县(区)级")])
def test_init_refuses_in_one_chinese_line(capsys, empty_env, region, message):
    code, out, err = run(capsys, "init", "--region", region)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_from_empty_to_map(capsys, empty_env, tmp_path):
    assert run(capsys, "init", "--region", "620800")[0] == 0

    template = tmp_path / "学校名录.xlsx"
    code, out, err = run(capsys, "template", "school_registry", "--region", "620802", "--out", str(template))
    assert code == 0, err
    book = load_workbook(template)
    assert [c.value for c in book["填报"][1]] == ["学校标识码", "学校名称", "县区代码", "学段", "是否寄宿制", "城乡",
                                               "经度", "纬度", "开办年份", "停办年份"]
    assert "填表说明" in book.sheetnames

    schools = tmp_path / "学校名录.csv"
    schools.write_text(SCHOOLS_WITH_MISTAKES, encoding="utf-8")
    code, out, err = run(capsys, "import", str(schools))  # the type is recognised from the headers
    assert code == 1 and "有 2 处问题" in err
    assert "第 3 行, 列「学校标识码」, 值「2161000102」" in err and "第 4 行, 列「经度」, 值「108.96」" in err

    schools.write_text(SCHOOLS_FIXED, encoding="utf-8")
    code, out, err = run(capsys, "import", str(schools), "--type", "school_registry", "--dry-run")
    assert code == 0 and "新增 4 行" in out
    assert run(capsys, "import", str(schools))[0] == 0
    hospitals = tmp_path / "医疗机构名录.csv"
    hospitals.write_text(f"机构代码,机构名称,县区代码,机构类型,开业年份,停业年份\n{HOSPITAL},崆峒区人民医院,620802,综合医院,,\n",
                         encoding="utf-8")
    assert run(capsys, "import", str(hospitals))[0] == 0
    communities = tmp_path / "社区名录.csv"
    communities.write_text("统计用区划代码,名称,城乡分类代码,开始年份,撤销年份\n620802001001,东关社区,111,,\n"
                           "620802100201,柳湖村,220,,\n", encoding="utf-8")
    assert run(capsys, "import", str(communities))[0] == 0
    assert next_step(empty_env) == "reports"

    # The registry exported with its current entries and imported back changes nothing.
    current = tmp_path / "学校名录_现有.xlsx"
    code, out, err = run(capsys, "template", "school_registry", "--region", "620802", "--with-values",
                         "--out", str(current))
    assert code == 0 and "已预填 4 个单位" in out, err
    rows = list(load_workbook(current)["填报"].iter_rows(min_row=2, max_row=5, values_only=True))
    assert rows[0] == ("2162000101", "崆峒东关小学", "620802", "小学", "否", "城镇", 106.67, 35.54, None, None)
    assert {row[0]: row[-2:] for row in rows}["2162000104"] == (2015, 2024)
    code, out, _ = run(capsys, "import", str(current), "--dry-run")
    assert code == 0 and "新增 0 行, 修改 0 行, 不变 4 行" in out
    notes = [row[0] for row in load_workbook(current)["填表说明"].iter_rows(values_only=True) if row[0]]
    assert any("九年一贯制学校用 31" in note for note in notes)

    # The yearly school report for 2025: two of the three open schools; the closed one cannot report.
    report = tmp_path / "学校年报.csv"
    report.write_text("学校代码,年度,在校生数,专职心理健康教师数\n2162000101,2025,800,1\n2162000102,2025,400,0\n",
                      encoding="utf-8")
    code, out, err = run(capsys, "import", str(report))
    assert code == 0, err
    late = tmp_path / "停办后.csv"
    late.write_text("学校代码,年度,在校生数\n2162000104,2025,100\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(late))
    assert code == 1 and "停办" in err
    assert next_step(empty_env) is None

    # Completeness: exactly the imported schools open in 2025 (the one closed after 2024 is not missing).
    units = unit_reports(empty_env, "620800", 2025, "school").set_index("unit_id")
    assert sorted(units.index) == ["2162000101", "2162000102", "3162000103"]
    assert units["reported"].to_dict() == {"2162000101": True, "2162000102": True, "3162000103": False}
    communities_2025 = unit_reports(empty_env, "620802", 2025, "community")
    assert sorted(communities_2025["unit_id"]) == ["620802001001", "620802100201"]

    code, out, err = run(capsys, "indicators", "--region", "620802", "--year", "2025", "--level", "school")
    assert code == 0, err
    shown = {row["adcode_or_school_id"] for row in csv.DictReader(io.StringIO(out))}
    # Only imported units (no demo rows); the reported schools are there.
    assert {"2162000101", "2162000102"} <= shown <= {"2162000101", "2162000102", "3162000103", "2162000104"}


def test_init_refuses_a_demo_warehouse(capsys, empty_env):
    with empty_env.begin() as conn:
        conn.execute(sa.insert(warehouse_meta).values(key="is_demo", value="1"))
    code, _, err = run(capsys, "init", "--region", "620800")
    assert code == 2 and "演示数据" in err
    with empty_env.connect() as conn:
        assert conn.execute(sa.select(regions)).first() is None  # nothing written
