"""The map page's ranking and indicator view, built once per view for every session (ui/resources,
ui/ranking_table.py): keyed by the user's allowed region and the warehouse revision, and the same table the
page built for itself before."""

from __future__ import annotations

import pytest

from data_access import meta
from data_access.engine import make_engine
from data_access.read_model import indicator_view, scope_for
from data_access.regions import ALL_REGIONS
from tests.pages.conftest import app_env  # noqa: F401 - the pages' fixture warehouse
from ui import resources
from ui.ranking_table import build_ranking_table

INDICATOR = "counselor_coverage"


@pytest.fixture
def url(app_env):  # noqa: F811
    resources.clear_data_caches()
    yield app_env
    resources.clear_data_caches()


def scope(url: str, region: str, allowed: str):
    return scope_for(resources.regions(url, allowed), region, 2025, allowed=allowed)


def test_a_table_is_built_once_per_view_and_shared(url):
    xian = scope(url, "610100", ALL_REGIONS)
    first = resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False)
    assert first is not None and first.arrow.num_rows == 2  # 新城区, 碑林区
    assert resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False) is first
    assert resources.indicator_shown(url, xian, INDICATOR) is resources.indicator_shown(url, xian, INDICATOR)


def test_users_of_different_regions_never_share_an_entry(url):
    """An administrator and the Xi'an viewer open the same city: each gets their own entry, never the other's."""
    everyone = resources.ranking_table(url, scope(url, "610100", ALL_REGIONS), INDICATOR, "zh", slipped_first=False)
    xian_viewer = resources.ranking_table(url, scope(url, "610100", "610100"), INDICATOR, "zh", slipped_first=False)
    assert xian_viewer is not everyone
    shown_all = resources.indicator_shown(url, scope(url, "610100", ALL_REGIONS), INDICATOR)
    shown_xian = resources.indicator_shown(url, scope(url, "610100", "610100"), INDICATOR)
    assert shown_xian is not shown_all and shown_xian.scope.allowed == "610100"
    # A county reporter's own county: only its schools.
    xincheng = resources.ranking_table(url, scope(url, "610102", "610102"), INDICATOR, "zh", slipped_first=False)
    beilin = resources.ranking_table(url, scope(url, "610103", "610103"), INDICATOR, "zh", slipped_first=False)
    names = set(xincheng.arrow.column("单位").to_pylist())
    assert "五高" not in names and "一小" in names
    assert "一小" not in set(beilin.arrow.column("单位").to_pylist())


def test_language_order_and_basis_are_part_of_the_key(url):
    xian = scope(url, "610100", ALL_REGIONS)
    zh = resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False)
    en = resources.ranking_table(url, xian, INDICATOR, "en", slipped_first=False)
    assert "单位" in zh.arrow.column_names and "Unit" in en.arrow.column_names
    assert resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=True) is not zh
    assert resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False, approved_only=True) is not zh


def test_a_new_revision_builds_a_new_table(url):
    xian = scope(url, "610100", ALL_REGIONS)
    before = resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False)
    engine = make_engine(url)
    with engine.begin() as conn:
        meta.bump_revision(conn)
    engine.dispose()
    resources.begin_run(url)  # what the next script run does first
    assert resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False) is not before


def test_the_cached_table_is_the_one_built_from_the_evaluation(url):
    xian = scope(url, "610100", ALL_REGIONS)
    frame = resources.evaluation(url, "610100", "county", (2025,), ALL_REGIONS, (INDICATOR,), "")
    fresh = build_ranking_table(indicator_view(xian, INDICATOR, frame, resources.warehouse_info(url)), lang="zh",
                                slipped_first=False, approved_only=False)
    cached = resources.ranking_table(url, xian, INDICATOR, "zh", slipped_first=False)
    assert cached.arrow.equals(fresh.arrow) and cached.column_config == fresh.column_config
    assert cached.height == fresh.height == 38 * 3
    assert list(cached.ranking["name"]) == list(fresh.ranking["name"])

