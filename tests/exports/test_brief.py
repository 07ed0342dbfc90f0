"""The meeting pack: slides in order, scope, year, targets and clauses on them, fonts, PDF, both engines."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from data_access import catalog
from data_access.status import STATUS_COLOURS
from demo.generate import build_demo
from exports.brief import FONT, meeting_pack, meeting_slides, pdf_bytes, pptx_bytes, slide_png
from exports.images import DEMO_MARK
from tests.data_access import fixture_warehouse
from tests.exports.conftest import needs_renderer

pytestmark = needs_renderer
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "exports"
PINGLIANG_HEADLINE = ("心理健康专(兼)职教师配备率", "千人以上及200人以上寄宿制学校专职配备率", "心理辅导室达标率",
                      "家庭教育指导站点开展心理健康教育比例", "精神专科医院学生心理门诊设立率",
                      "妇幼及综合医院心理门诊开设率", "心理健康核心知识知晓率", "年度心理健康测评开展率")


def slide_text(slide) -> str:
    parts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    parts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows
              for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pingliang(warehouse):
    steps: list[tuple[float, str]] = []
    data = meeting_pack(warehouse, "620800", 2024, progress=lambda fraction, message: steps.append((fraction, message)))
    return Presentation(io.BytesIO(data)), steps


def test_headline_names_match_the_catalog():
    headline = sorted((i for i in catalog.indicators_for("620800") if i.headline), key=lambda i: (i.headline, i.id))
    assert tuple(i.name_zh for i in headline) == PINGLIANG_HEADLINE


def test_pack_is_16_9_with_slides_in_order(pingliang):
    deck, _ = pingliang
    assert (deck.slide_width, deck.slide_height) == (12191695, 6858000)  # 13.333 x 7.5 in
    slides = list(deck.slides)
    assert len(slides) == 1 + len(PINGLIANG_HEADLINE) + 2
    cover, indicators, ranking, completeness = slides[0], slides[1:-2], slides[-2], slides[-1]
    assert "平凉市学生心理健康专项行动 2024年进展" in slide_text(cover)
    for slide, name in zip(indicators, PINGLIANG_HEADLINE, strict=True):
        assert slide_text(slide).startswith(name)
    assert "平凉市各单位重点指标达标情况排名" in slide_text(ranking)
    assert "平凉市2024年数据上报情况" in slide_text(completeness)
    for number, slide in enumerate(slides, start=1):
        assert f"第 {number}/{len(slides)} 页" in slide_text(slide)


def test_cover_names_plan_scope_year_and_date(pingliang):
    text = slide_text(pingliang[0].slides[0])
    assert "《平凉市全面加强和改进新时代学生心理健康工作专项行动方案(2023—2025年)》" in text
    assert "重点指标 8 项: 达标 1 · 接近 0 · 落后 3 · 达标后回落 0 · 样本不足 0 · 不适用 3 · 无数据 1" in text
    assert "数据截至 2025-12-31" in text and DEMO_MARK not in text


def test_indicator_slide_has_map_target_clause_and_units_behind(pingliang):
    slide = pingliang[0].slides[1]
    text = slide_text(slide)
    assert "平凉市 · 2024年" in text
    assert "50.0%  落后" in text  # 崆峒区 is Pingliang's only county in the fixture: 1 of 2 schools staffed
    assert "目标 ≥95% · 期限 2025年底" in text and "报送本项指标 2/2" in text
    assert "1. 崆峒区  50.0% (还需 1 名专(兼)职教师)" in text  # P2 has no mental-health teacher
    assert "「至2025年底,配备专兼职心理健康教育教师的学校比例达到95%」" in text
    assert "三、(二)强化师资和硬件保障" in text
    pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    image = Image.open(io.BytesIO(pictures[0].image.blob))
    assert image.size == (2430, 1635)  # 8.1 x 5.45 in at 300 dpi


def test_ranking_and_completeness_tables(pingliang):
    ranking, completeness = pingliang[0].slides[-2], pingliang[0].slides[-1]
    table = next(shape.table for shape in ranking.shapes if shape.has_table)
    assert [cell.text for cell in table.rows[0].cells] == ["名次", "单位", "达标", "接近", "落后", "达标后回落",
                                                           "样本不足", "不适用", "无数据", "待审核", "达标占比"]
    assert [cell.text for cell in table.rows[1].cells] == ["1", "崆峒区", "1", "0", "3", "0", "0", "3", "1", "0",
                                                           "25.0%"]
    table = next(shape.table for shape in completeness.shapes if shape.has_table)
    assert [cell.text for cell in table.rows[0].cells][:2] == ["单位", "学校年报"]
    assert [cell.text for cell in table.rows[1].cells][:2] == ["崆峒区", "2/2 (100.0%)"]
    assert table.rows[len(table.rows) - 1].cells[0].text == "合计"


def test_every_run_is_set_in_the_cjk_font(pingliang):
    for slide in pingliang[0].slides:
        for run in slide.element.iter(qn("a:r")):
            properties = run.find(qn("a:rPr"))
            assert properties.find(qn("a:latin")).get("typeface") == FONT
            assert properties.find(qn("a:ea")).get("typeface") == FONT


def test_progress_rises_to_one(pingliang):
    fractions = [fraction for fraction, _ in pingliang[1]]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("心理辅导室达标率" in message for _, message in pingliang[1])


def test_demo_pack_is_marked_on_every_slide(demo_warehouse):
    deck = Presentation(io.BytesIO(meeting_pack(demo_warehouse, "620800", 2024)))
    assert all(DEMO_MARK in slide_text(slide) for slide in deck.slides)


def test_county_pack_maps_only_school_indicators(warehouse):
    deck = meeting_slides(warehouse, "610102", 2025)
    titles = [slide.title for slide in deck.slides[1:-2]]
    assert "心理健康专(兼)职教师配备率" in titles and "每10万人精神科执业(助理)医师数" not in titles
    assert all(slide.picture is not None for slide in deck.slides[1:-2])


def test_pdf_has_one_page_per_slide(warehouse):
    deck = meeting_slides(warehouse, "620800", 2024)
    data = pdf_bytes(deck, scale=1)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) == len(deck.slides)
    assert len(re.findall(rb"/Subtype\s*/Image", data)) == len(deck.slides)


def test_pack_is_the_same_on_both_engines(engine):
    fixture_warehouse.populate(engine)
    deck = meeting_slides(engine, "620800", 2024)
    texts = [[line.text for line in slide.panel] for slide in deck.slides]
    assert [slide.title for slide in deck.slides][1:-2] == list(PINGLIANG_HEADLINE)
    assert "50.0%  落后" in texts[1]
    assert pptx_bytes(deck).startswith(b"PK")


def test_two_slides_rendered_for_review(tmp_path):
    """The demo warehouse's Pingliang pack: the first indicator slide and the ranking slide as PNG."""
    from data_access.engine import make_engine

    engine = make_engine(f"duckdb:///{tmp_path / 'demo.duckdb'}", create=True)
    build_demo(engine, seed=2024)
    deck = meeting_slides(engine, "620800", 2024)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pingliang_2024.pptx").write_bytes(pptx_bytes(deck))
    for number, name in ((2, "slide_02_counselor_coverage.png"), (len(deck.slides) - 1, "slide_10_ranking.png")):
        png = slide_png(deck, number)
        (ARTIFACTS / name).write_bytes(png)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        assert image.size == (1600, 900)
        pixels = np.asarray(image).reshape(-1, 3)
        for status in ("met", "close", "behind"):
            colour = np.array([int(STATUS_COLOURS[status][i:i + 2], 16) for i in (1, 3, 5)])
            assert (np.abs(pixels - colour).max(axis=1) <= 4).sum() > 100, (name, status)
    engine.dispose()


def test_pack_evaluates_once_and_says_what_is_still_needed(warehouse, monkeypatch):
    """The engine wrapped to add the shortfall (2 teachers for every unit short of its target) and count calls."""
    from data_access import read_model

    calls = []
    real = read_model.evaluate

    def evaluate(*args, **kwargs):
        calls.append(kwargs.get("indicator_ids"))
        frame = real(*args, **kwargs)
        short = frame["status"].isin(["close", "behind"])
        frame["shortfall"] = [2.0 if s else float("nan") for s in short]
        frame["shortfall_unit"] = ["名专职教师" if s else None for s in short]
        return frame

    monkeypatch.setattr(read_model, "evaluate", evaluate)
    deck = meeting_slides(warehouse, "620800", 2024)
    # One evaluation of the counties and one of the city itself, each for all headline indicators at once.
    assert len(calls) == 2 and all(len(ids) == len(PINGLIANG_HEADLINE) for ids in calls)
    panel = [line.text for line in deck.slides[1].panel]
    # 崆峒区 (50% staffed, behind) is the only county: 2 teachers short, so Pingliang too.
    assert "还需 2 名专职教师 · 报送本项指标 2/2" in panel
    assert "1. 崆峒区  50.0% (还需 2 名专职教师)" in panel
