"""User-supplied text is shown literally where Streamlit renders markdown."""

from __future__ import annotations

import tomllib

from data_access.importing.spec import MAX_FILE_BYTES
from tests.pages.conftest import ROOT
from ui.safe_text import escape


def test_an_image_link_in_a_file_name_is_escaped():
    # Every bracket, parenthesis, '!' ':' and '.' gets a backslash: no image, no link, no autolinked URL.
    assert escape("![x](http://host/x.png)") == r"\!\[x\]\(http\://host/x\.png\)"


def test_markdown_html_latex_and_streamlit_directives_are_escaped():
    assert escape("**粗** <img src=x> $x$ :red[红] # 标题") == \
        r"\*\*粗\*\* \<img src\=x\> \$x\$ \:red\[红\] \# 标题"


def test_line_breaks_become_spaces_and_plain_chinese_is_unchanged():
    assert escape("第一行\n- 第二行") == r"第一行 \- 第二行"
    assert escape("学校年报 2025年") == "学校年报 2025年"


def test_streamlit_config_matches_the_importer_and_hides_error_details():
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        config = tomllib.load(handle)
    # server.maxUploadSize is in MB: the server refuses what the importer would refuse (10 MB).
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
    assert config["client"]["showErrorDetails"] == "none"
