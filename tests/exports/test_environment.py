"""Missing Chromium or CJK font: one Chinese message per problem, naming the Debian package."""

from __future__ import annotations

import os

import pytest

from exports.environment import check_export_environment, chromium_path


def test_browser_path_pointing_nowhere_names_the_chromium_package(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert chromium_path() is None
    problems = check_export_environment()
    assert any("apt-get install chromium" in p and "/nonexistent/chromium" in p for p in problems)


def test_no_chromium_on_path_names_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # neither chromium nor fc-list can be found
    problems = check_export_environment()
    assert len(problems) == 2
    assert "chromium" in problems[0] and "fonts-wqy-microhei" in problems[1]


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium")
def test_missing_font_alone_names_the_font_package(monkeypatch, tmp_path):
    # fontconfig is reachable only through fc-list on PATH; hiding it is what a machine without fonts sees.
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert check_export_environment() == ["未找到中文字体, 导出的中文会显示为方框: 请安装 Debian 软件包 "
                                          "fonts-wqy-microhei (apt-get install fonts-wqy-microhei)"]
