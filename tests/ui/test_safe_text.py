"""User-supplied text is shown literally where Streamlit renders markdown."""

from __future__ import annotations

import tomllib

from data_access.importing.spec import MAX_FILE_BYTES
from tests.pages.conftest import ROOT
from ui.safe_text import escape


def test_an_image_link_in_a_file_name_is_escaped():
    # '!' and the brackets escaped: no image, no link; "://" broken: no autolinked URL.
    assert escape("![x](http://host/x.png)") == r"\!\[x\](http\://host/x.png)"


def test_markdown_html_latex_and_streamlit_directives_are_escaped():
    assert escape("**粗** <img src=x> $x$ :red[红] # 标题 www.example.com") == \
        r"\*\*粗\*\* \<img src=x\> \$x\$ :red\[红\] \# 标题 www\.example.com"


def test_list_markers_at_the_start_and_line_breaks():
    assert escape("- 一\n+ 二") == r"\- 一 + 二"
    assert escape("1. 第一") == r"1\. 第一"
    assert escape("2025 年, -5 人") == "2025 年, -5 人"  # not list markers: unchanged


def test_ordinary_text_is_unchanged():
    assert escape("未导入: 学校年报.csv (学校年报), 批次 3f2a-11: 共 1 行") == \
        "未导入: 学校年报.csv (学校年报), 批次 3f2a-11: 共 1 行"


def test_streamlit_config_matches_the_importer_and_hides_error_details():
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        config = tomllib.load(handle)
    # server.maxUploadSize is in MB: the server refuses what the importer would refuse (10 MB).
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
    assert config["client"]["showErrorDetails"] == "none"
