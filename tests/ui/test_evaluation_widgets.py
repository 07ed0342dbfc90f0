"""The final evaluation downloads on the targets page (AppTest on the fixture warehouse)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import docx
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from data_access.final_evaluation import require_plan
from data_access.regions import ALL_REGIONS
from tests.pages.conftest import ROOT, ROOT_LOGIN, app_env, sign_in  # noqa: F401 - fixture
from ui.evaluation_widgets import _build, report_region


def _targets_page(scope: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    sign_in(at, ROOT_LOGIN)  # the fixture warehouse is not a demo
    at.query_params.update({"scope": scope, "year": "2024"})
    return at.switch_page("pages/targets.py").run()


def test_each_plan_offers_word_csv_and_excel(app_env):  # noqa: F811
    at = _targets_page("620800")
    assert not at.exception, at.exception
    keys = {button.key: button.label for button in at.download_button}
    for plan in ("pingliang_2023", "shaanxi_2024"):
        assert keys[f"final_{plan}_docx"] == "下载终期评估报告 (Word)"
        assert keys[f"final_{plan}_csv"] == "下载明细 CSV" and keys[f"final_{plan}_xlsx"] == "下载明细 Excel"
    # Pingliang's report covers the chosen area; Shaanxi's the whole province.
    labels = [expander.label for expander in at.expander]
    assert "终期评估报告 · 平凉市" in labels and "终期评估报告 · 陕西省" in labels


def test_report_covers_the_chosen_area_inside_the_plan_and_fails_closed(app_env):  # noqa: F811
    def view(region: str, allowed: str) -> SimpleNamespace:
        return SimpleNamespace(url=app_env, region=region, allowed=allowed)

    pingliang, shaanxi = require_plan("pingliang_2023"), require_plan("shaanxi_2024")
    assert report_region(view("620802", "620800"), pingliang) == "620802"  # a county chosen in the sidebar
    assert report_region(view("620800", ALL_REGIONS), shaanxi) == "610000"  # another plan: its jurisdiction
    assert report_region(view("620800", "620800"), shaanxi) is None  # ... unless the user may not see it
    assert report_region(view("610100", "610100"), shaanxi) == "610100"


def test_the_deferred_builder_returns_the_report(app_env):  # noqa: F811
    engine = make_engine(app_env)
    data = _build(engine, "620800", "pingliang_2023", "docx", ALL_REGIONS, False)
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables[0].rows) == 1 + 2 * 12  # header + 12 targets x (city, county)
    assert _build(engine, "620800", "pingliang_2023", "csv", ALL_REGIONS, False).startswith("\ufeff".encode())
    engine.dispose()
