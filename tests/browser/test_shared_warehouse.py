"""The dashboard shares its DuckDB file: `mhmonitor` commands run while it serves pages, and a hostile file
name shown on the import page fetches nothing.

Same real-browser setup as test_smoke.py (Debian's Chromium, every request off localhost aborted and recorded).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.browser.test_smoke import (  # noqa: F401 (fixtures)
    CLERK,
    ROOT,
    _title,
    _wait_idle,
    demo_url,
    open_import_as_clerk,
    server,
)

pytestmark = pytest.mark.browser
COUNTY = "620802"  # 崆峒区


def mhmonitor(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mhmonitor.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "WAREHOUSE_URL": url}, timeout=180)


def no_exception(tab) -> bool:
    return tab.locator('[data-testid="stException"]').count() == 0


def test_cli_import_while_the_dashboard_serves_pages(page, server, demo_url, tmp_path):  # noqa: F811
    page.goto(f"{server}/map?scope=620800&year=2024&county={COUNTY}&indicator=counselor_coverage")
    _wait_idle(page)
    assert "崆峒区" in _title(page) and no_exception(page)

    # Read-only command while the session is open: the template pre-filled with what 崆峒区 reported in 2024.
    template = tmp_path / "模板.xlsx"
    made = mhmonitor(demo_url, "template", "school", "--region", COUNTY, "--year", "2024", "--with-values",
                     "--out", str(template))
    assert made.returncode == 0, made.stderr
    book = load_workbook(io.BytesIO(template.read_bytes()))
    sheet = book["填报"]
    header = [cell.value for cell in sheet[1]]
    enrollment = sheet.cell(row=2, column=header.index("在校生数") + 1)
    enrollment.value = int(enrollment.value) + 1  # one correction: the first school's enrolment + 1
    corrected = tmp_path / "更正.xlsx"
    book.save(corrected)

    # The page reruns (its queries open the file) while the command imports into the same file.
    page.reload()
    imported = mhmonitor(demo_url, "import", str(corrected), "--as", CLERK)
    assert imported.returncode == 0, imported.stderr
    assert "已导入 更正.xlsx" in imported.stdout and "修改 1 行" in imported.stdout, imported.stdout
    _wait_idle(page)
    assert "崆峒区" in _title(page) and no_exception(page)

    history = mhmonitor(demo_url, "imports", "--limit", "5")
    assert history.returncode == 0 and "(clerk)" in history.stdout and "更正.xlsx" in history.stdout

    for path in ("import", f"school?scope=620800&year=2024&county={COUNTY}", "?scope=620800&year=2024"):
        page.goto(f"{server}/{path}")
        _wait_idle(page)
        assert no_exception(page), path
    assert page.outside_requests == [], page.outside_requests[:5]


def test_a_hostile_file_name_is_shown_as_text_and_fetches_nothing(page, server):  # noqa: F811
    open_import_as_clerk(page, server)
    name = "![x](http://attacker.invalid/x.png).csv"
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": "学校代码,年度,在校生数\nS1,2025,-5\n".encode()})
    _wait_idle(page)
    # The URL reads the same but carries an invisible word joiner after "http" (ui.safe_text: no autolink).
    shown = name.replace("http://", "http\u2060://")
    page.get_by_text(f"未导入: {shown}").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stAlert"] a').count() == 0
    assert page.locator('[data-testid="stAlert"] img').count() == 0
    assert page.outside_requests == [], page.outside_requests[:5]
