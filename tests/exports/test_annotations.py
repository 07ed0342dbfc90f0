"""What an exported image says (no rendering): title, scope, filters, target, clause, counts, date, demo mark."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from charts.maps import band_legend_text
from data_access.read_model import UnknownIndicator
from data_access.regions import RegionError
from data_access.status import BANDS
from exports.images import DEMO_MARK, annotate_for_slide, map_view, slide_texts, view_figure


def _texts(figure: go.Figure) -> str:
    return figure.layout.title.text + "\n" + "\n".join(a.text for a in figure.layout.annotations)


def test_annotation_carries_everything_a_reader_needs(warehouse):
    view = map_view(warehouse, "620800", 2024, "counselor_coverage")
    figure = view_figure(view)
    slide = annotate_for_slide(figure, **slide_texts(view, "学段: 全部"))
    text = _texts(slide)
    for expected in ("平凉市 心理健康专(兼)职教师配备率", "平凉市 · 2024年", "学段: 全部", "目标 ≥95% (2025年底)",
                     "报送本项指标 2/2", "数据截至 2025-12-31", "配备专兼职心理健康教育教师的学校比例达到95%",
                     "三、(二)", band_legend_text("zh")):
        assert expected in text, expected
    assert DEMO_MARK not in text
    assert text.count("报送本项指标") == 1  # the map's own one-line note is replaced, not repeated
    legend = [trace.name for trace in slide.data if trace.showlegend is not False]  # plotly shows by default
    # Every declared band is listed: 崆峒区 behind, Pingliang's 6 other counties not in the fixture: no data.
    counts = {"behind": 1, "no_data": 6}
    assert legend == [f"{band.label_zh} ({counts.get(band.status.value, 0)})" for band in BANDS]
    assert figure.layout.annotations != slide.layout.annotations  # a copy: the screen figure is untouched


def test_demo_warehouse_is_marked(demo_warehouse):
    view = map_view(demo_warehouse, "620800", 2024, "counselor_coverage")
    assert DEMO_MARK in _texts(annotate_for_slide(view_figure(view), **slide_texts(view)))


def test_long_clause_is_wrapped():
    clause = "到2025年," + "全省各级各类学校心理健康专(兼)职教师配备达到100%" * 4
    slide = annotate_for_slide(go.Figure(), title="t", scope_year="s", clause=clause)
    footer = slide.layout.annotations[0].text.split("<br>")
    assert len(footer) >= 2 and max(len(line) for line in footer) <= 100


@pytest.mark.parametrize(("region", "indicator", "refusal", "message"), [
    ("999999", "counselor_coverage", RegionError, "不在数据仓库中"),
    ("620800", "no_such_indicator", UnknownIndicator, "未知的指标"),  # not a region problem: its own error
    ("610102", "psychiatrists_per_100k", RegionError, "没有学校点位"),
])
def test_bad_requests_say_why_in_chinese(warehouse, region, indicator, refusal, message):
    with pytest.raises(refusal, match=message):
        map_view(warehouse, region, 2025, indicator)


def test_year_without_reports_is_refused(warehouse):
    with pytest.raises(RegionError, match="2019 年没有上报数据"):
        map_view(warehouse, "620800", 2019, "counselor_coverage")
