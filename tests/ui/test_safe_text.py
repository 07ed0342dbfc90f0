"""User-supplied text is shown literally where Streamlit renders markdown."""

from __future__ import annotations

import re
import tomllib

import pytest

from data_access.importing.spec import MAX_FILE_BYTES
from tests.pages.conftest import ROOT
from ui.safe_text import AUTOLINK_PATTERNS, WORD_JOINER, escape

J = WORD_JOINER


def linkable(markdown: str) -> list[str]:
    """What Streamlit's markdown would turn into links in `markdown`: its bare-URL and e-mail patterns, matched
    (as the frontend does) on the text after backslash escapes are resolved."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return [match.group(0) for pattern in AUTOLINK_PATTERNS for match in pattern.finditer(text)]


def test_an_image_link_in_a_file_name_is_escaped():
    # '!' and the brackets escaped: no image, no link; "http://" broken by a word joiner: no autolinked URL.
    assert escape("![x](http://host/x.png)") == rf"\!\[x\](http{J}://host/x.png)"


def test_markdown_html_latex_and_streamlit_directives_are_escaped():
    assert escape("**粗** <img src=x> $x$ :red[红] # 标题 www.example.com") == \
        rf"\*\*粗\*\* \<img src=x\> \$x\$ :red\[红\] \# 标题 www{J}.example.com"


@pytest.mark.parametrize("text", ["https://evil.example/点我", "见 HTTP://x.cn 和 www.evil.example", "a@evil.example",
                                  "wwww.x.com", "学校年报 https://a.b/c?d=1.csv", "mailto:x@y.org"])
def test_urls_and_addresses_are_never_linkable(text):
    assert linkable(text)  # the test's pattern finds the link in the raw text...
    shown = escape(text)
    assert linkable(shown) == []  # ...and none once escaped
    assert shown.replace(J, "").replace("\\", "") == text.replace("\\", "")  # reads the same


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
