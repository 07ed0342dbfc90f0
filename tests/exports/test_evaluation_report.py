"""The final evaluation as Word/CSV/XLSX and `mhmonitor evaluation-report`, on the hand-computable fixture.

The DOCX is read back with python-docx: one summary row per target and unit level, values equal to
`mhmonitor indicators` for the deadline year, every clause quoted, the demo mark in the page header,
every run's east-asian font declared and every character covered by the installed CJK font.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import zipfile

import docx
import pandas as pd
import pytest
from lxml import etree
from PIL import ImageFont

from data_access import catalog
from data_access.final_evaluation import final_evaluation, require_plan
from data_access.formatting import deadline_label
from exports.evaluation_report import (
    DEMO_MARK,
    SUMMARY_HEADER,
    evaluation_docx,
    evaluation_report,
    evaluation_table,
    evaluation_table_bytes,
)
from mhmonitor.cli import main
from tests.data_access import fixture_warehouse
from tests.exports.conftest import needs_renderer

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CJK_FONT = "WenQuanYi Micro Hei"


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(table) -> list[dict[str, str]]:
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


def _cli_values(capsys, monkeypatch, engine, region: str, year: int, level: str) -> dict[tuple[str, str], str] | None:
    """(indicator name, unit name) -> the value column of `mhmonitor indicators` ("" = not reported).

    For a year without any report the CLI refuses: None then, and every unit must read 无数据."""
    monkeypatch.setenv("WAREHOUSE_URL", _url(engine))
    code, out, err = _run(capsys, "indicators", "--region", region, "--year", str(year), "--level", level)
    if code == 2 and f"{year} 年没有上报数据" in err:
        return None
    assert code == 0, err
    names = {ind.id: ind.name_zh for ind in catalog.indicators().values()}
    return {(names[r["indicator"]], r["name"]): r["value"] for r in csv.DictReader(io.StringIO(out))}


def _same_value(shown: str, printed: str) -> bool:
    """A report cell ("81.8%", "3.20 人/10万人", "无数据") against the CLI's number ("" = none): both print through
    the one formatter, so the digits are the same."""
    if printed == "":
        return shown == "无数据"
    number = re.match(r"-?\d+(\.\d+)?", shown)
    return number is not None and number.group() == printed


@pytest.fixture(scope="module")
def pingliang(warehouse) -> docx.Document:
    return docx.Document(io.BytesIO(evaluation_report(warehouse, "620800", "pingliang_2023", with_maps=False)))


def test_summary_has_one_row_per_target_and_level(pingliang):
    rows = _rows(pingliang.tables[0])
    assert tuple(pingliang.tables[0].rows[0].cells[i].text for i in range(len(SUMMARY_HEADER))) == SUMMARY_HEADER
    names = {ind.id: ind.name_zh for ind in catalog.indicators().values()}
    expected = [(names[t.indicator], deadline_label(t.deadline_year), level)
                for t in catalog.targets_of(require_plan("pingliang_2023")) for level in ("市", "县区")]
    assert [(r["指标"], r["期限"], r["层级"]) for r in rows] == expected
    # The city row holds the city, the county row the tally of its one county.
    assert {r["范围"] for r in rows if r["层级"] == "市"} == {"平凉市"}
    assert {r["范围"] for r in rows if r["层级"] == "县区"} == {"各县区 (1个)"}
    # Kongtong has no university: the course target applies to none of its units (not a miss).
    course = next(r for r in rows if r["指标"] == "高校心理健康必修课开设率" and r["层级"] == "县区")
    assert (course["期限年度数值"], course["结果"]) == ("达标 0/0", "0 个达标, 0 个未达标, 0 个无数据, 1 个不适用")


@pytest.mark.parametrize(("region", "plan", "levels"), [
    ("620800", "pingliang_2023", ("city", "county")),
    ("610000", "shaanxi_2024", ("province", "city", "county")),
])
def test_values_equal_mhmonitor_indicators_for_the_deadline_year(engine, capsys, monkeypatch, region, plan, levels):
    fixture_warehouse.populate(engine)
    ev = final_evaluation(engine, region, plan)
    document = docx.Document(io.BytesIO(evaluation_docx(ev)))
    summary = _rows(document.tables[0])
    details = iter(document.tables[1:])
    cli: dict[tuple[int, str], dict | None] = {}

    def printed(year: int, level: str, name: str, unit: str) -> str:
        values = cli[(year, level)]
        return "" if values is None else values[(name, unit)]

    checked = 0
    for target in ev.targets:
        year = int(ev.rows_for(target.id, levels[0]).at[0, "evaluation_year"])
        for level in levels:
            if (year, level) not in cli:
                cli[(year, level)] = _cli_values(capsys, monkeypatch, engine, region, year, level)
        name = catalog.indicators()[target.indicator].name_zh
        # The area's own figure, in the summary table (Pingliang 2024 staffing: 1 of 2 schools = 50.0%).
        own = next(r for r in summary if r["指标"] == name and r["期限"] == deadline_label(target.deadline_year)
                   and r["层级"] == ev.rows_for(target.id, levels[0]).at[0, "level"].replace("city", "市")
                   .replace("province", "省"))
        assert _same_value(own["期限年度数值"], printed(year, levels[0], name, own["范围"])), (target.id, own)
        checked += 1
        # Each finer level: its table, one row per unit.
        for level in levels[1:]:
            table = _rows(next(details))
            assert len(table) == len(ev.rows_for(target.id, level))
            for row in table:
                assert _same_value(row["数值"], printed(year, level, name, row["单位"])), (target.id, row)
                checked += 1
    assert next(details, None) is None
    assert checked >= len(ev.targets) * len(levels)


def test_pingliang_staffing_value_and_gap_by_hand(pingliang):
    # 2024: P1 has a part-time teacher, P2 none: 1/2 = 50%, 50 points short of 100%.
    row = next(r for r in _rows(pingliang.tables[0]) if r["指标"] == "中小学专(兼)职教师配备率" and r["层级"] == "市")
    assert (row["期限年度数值"], row["结果"], row["差距"], row["上报 (已/应)"]) == \
        ("50.0%", "未达标", "差 50.0 个百分点", "2/2 (100.0%)")


def _text(document: docx.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def test_every_clause_is_quoted(pingliang):
    text = _text(pingliang)
    for target in catalog.targets_of(require_plan("pingliang_2023")):
        assert f"「{target.clause}」" in text, target.id


def test_demo_mark_is_in_the_page_header_only_for_demo_data(warehouse, demo_warehouse, pingliang):
    demo = docx.Document(io.BytesIO(evaluation_report(demo_warehouse, "620800", "pingliang_2023",
                                                      with_maps=False)))
    # One section, so its header is on every page.
    assert len(demo.sections) == 1 and DEMO_MARK in demo.sections[0].header.paragraphs[0].text
    assert DEMO_MARK not in _text(pingliang)


def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*|styles)\.xml", name)}


def _east_asian_of(properties) -> str | None:
    fonts = properties.find(f"{W}rFonts") if properties is not None else None
    return fonts.get(f"{W}eastAsia") if fonts is not None else None


def test_every_run_has_a_declared_east_asian_font(warehouse):
    data = evaluation_report(warehouse, "620800", "pingliang_2023", with_maps=False)
    parts = _parts(data)
    styles = parts.pop("word/styles.xml")
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    default = _east_asian_of(styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"))
    assert default == "宋体"

    def style_font(style_id: str | None) -> str | None:
        while style_id in by_id:
            style = by_id[style_id]
            found = _east_asian_of(style.find(f"{W}rPr"))
            if found:
                return found
            based = style.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return None

    runs = 0
    for root in parts.values():
        for paragraph in root.iter(f"{W}p"):
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            paragraph_font = style_font(style.get(f"{W}val") if style is not None else "Normal")
            for run in paragraph.iter(f"{W}r"):
                if not "".join(t.text or "" for t in run.iter(f"{W}t")):
                    continue
                declared = _east_asian_of(run.find(f"{W}rPr")) or paragraph_font
                assert declared in ("宋体", "黑体"), etree.tostring(paragraph, encoding=str)[:300]
                runs += 1
    assert runs > 100
    assert style_font("Heading1") == "黑体" and style_font("TableText") == "宋体"


def _cjk_font() -> ImageFont.FreeTypeFont:
    found = subprocess.run(["fc-list", CJK_FONT, "file"], capture_output=True, text=True, check=False)
    path = found.stdout.strip().splitlines()[0].rstrip(":") if found.stdout.strip() else ""
    if not path:
        if os.environ.get("CI"):
            pytest.fail(f"{CJK_FONT} not installed")
        pytest.skip(f"{CJK_FONT} not installed")
    return ImageFont.truetype(path, 24)


def _missing_glyphs(text: str, font: ImageFont.FreeTypeFont) -> set[str]:
    """Characters the font draws as its "no glyph" box (the mask of a code point no font has)."""
    notdef = font.getmask(chr(0x10FFFD))
    box = (notdef.size, bytes(notdef))
    return {c for c in set(text) if not c.isspace() and (font.getmask(c).size, bytes(font.getmask(c))) == box}


def test_the_cjk_font_covers_every_character(demo_warehouse):
    font = _cjk_font()
    assert _missing_glyphs("平凉\U00020000", font) == {"\U00020000"}  # the check can fail
    data = evaluation_report(demo_warehouse, "620800", "pingliang_2023", with_maps=False)
    text = "".join(t.text or "" for root in _parts(data).values() for t in root.iter(f"{W}t"))
    assert "终期评估" in text and "「" in text and "≥" in text
    assert _missing_glyphs(text, font) == set()


def test_table_round_trips_through_csv_and_xlsx(demo_warehouse):
    ev = final_evaluation(demo_warehouse, "620800", "pingliang_2023")
    table = evaluation_table(ev)
    assert len(table) == len(ev.units) and (table["数据性质"] == DEMO_MARK).all()
    data = evaluation_table_bytes(ev, "csv")
    assert data.startswith("\ufeff".encode())
    from_csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"代码": str})
    from_xlsx = pd.read_excel(io.BytesIO(evaluation_table_bytes(ev, "xlsx")), dtype={"代码": str})
    for read in (from_csv, from_xlsx):
        assert list(read.columns) == list(table.columns)
        assert read["代码"].tolist() == table["代码"].tolist()
        assert read["规划条款"].tolist() == table["规划条款"].tolist()
        pd.testing.assert_series_equal(read["数值"], table["数值"].astype(float), check_names=False)


def test_formula_like_names_stay_text(engine):
    fixture_warehouse.populate(engine)
    import sqlalchemy as sa

    from data_access import schema

    with engine.begin() as conn:
        conn.execute(sa.update(schema.regions).where(schema.regions.c.adcode == "620802").values(name="=1+1"))
    ev = final_evaluation(engine, "620800", "pingliang_2023")
    read = pd.read_csv(io.BytesIO(evaluation_table_bytes(ev, "csv")), encoding="utf-8-sig")
    assert "'=1+1" in set(read["单位"])


@pytest.fixture
def warehouse_env(warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", _url(warehouse))
    return warehouse


@pytest.mark.parametrize("suffix", [".docx", ".csv", ".xlsx"])
def test_cli_writes_each_format(warehouse_env, capsys, tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    code, stdout, err = _run(capsys, "evaluation-report", "--region", "620800", "--plan", "pingliang_2023",
                             "--out", str(out), "--no-maps")
    assert code == 0, err
    assert f"已生成终期评估: {out} (12 项目标" in stdout and out.stat().st_size > 0
    if suffix == ".docx":
        assert len(_rows(docx.Document(str(out)).tables[0])) == 2 * 12


@pytest.mark.parametrize(("argv", "message"), [
    (("--region", "620800", "--plan", "nope", "--out", "x.docx"), "未知的规划 nope"),
    (("--region", "610100", "--plan", "pingliang_2023", "--out", "x.docx"), "不在《平凉市"),
    (("--region", "620800", "--plan", "pingliang_2023", "--out", "x.docx", "--allowed-region", "610000"),
     "超出允许范围"),
    (("--region", "620800", "--plan", "pingliang_2023", "--out", "x.pdf"), "类型应为 .docx / .csv / .xlsx"),
])
def test_cli_mistakes_are_one_chinese_line(warehouse_env, capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "evaluation-report", *argv, "--no-maps")
    assert code == 2 and message in err and err.count("\n") == 1
    assert not any(tmp_path.iterdir())


@pytest.mark.export
@needs_renderer[1]
def test_maps_of_headline_targets_are_pictures(warehouse):
    progress: list[str] = []
    data = evaluation_report(warehouse, "620800", "pingliang_2023",
                             progress=lambda fraction, message: progress.append(message))
    document = docx.Document(io.BytesIO(data))
    headline = [t for t in catalog.targets_of(require_plan("pingliang_2023"))
                if catalog.indicators()[t.indicator].headline]
    # The fixture has no 2023 report: the two 2023 headline targets get a note instead of a map.
    dated_2023 = [t for t in headline if t.deadline_year == 2023]
    assert len(document.inline_shapes) == len(headline) - len(dated_2023)
    assert sum("未绘制地图: 2023 年没有上报数据" in p.text for p in document.paragraphs) == len(dated_2023)
    assert any(message.startswith("正在绘制地图") for message in progress)


def test_shortfall_appears_once_evaluate_counts_it(warehouse, monkeypatch):
    """evaluate's shortfall/shortfall_unit columns (contract 3) flow into the cells and the group paragraph."""
    import data_access.read_model as module

    counted = module.evaluate

    def with_shortfall(*args, **kwargs):
        frame = counted(*args, **kwargs)
        # Pretend every missed staffing unit lacks (denominator - numerator) teachers: Pingliang 2024, 2 - 1 = 1.
        staffing = (frame["indicator"] == "counselor_coverage_k12") & (frame["gap"] > 0)
        frame["shortfall"] = (frame["denominator"] - frame["numerator"]).where(staffing)
        frame["shortfall_unit"] = ["名专(兼)职教师" if s else None for s in staffing]
        return frame

    monkeypatch.setattr(module, "evaluate", with_shortfall)
    document = docx.Document(io.BytesIO(evaluation_report(warehouse, "620800", "pingliang_2023", with_maps=False)))
    rows = [r for r in _rows(document.tables[0]) if r["指标"] == "中小学专(兼)职教师配备率"]
    assert [r["尚缺"] for r in rows] == ["还需 1 名专(兼)职教师", "合计还需 1 名专(兼)职教师"]
    assert {r["尚缺"] for r in _rows(document.tables[0]) if r["指标"] != "中小学专(兼)职教师配备率"} == {""}
    assert "未达标县区合计还需 1 名专(兼)职教师" in _text(document)
