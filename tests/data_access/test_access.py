"""The access rule as a matrix (role x region x action), and the importer and undo enforcing it on both
engines whatever page or command calls them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.access import ANONYMOUS_DEMO, SHELL_OPERATOR, AccessDenied, Principal, allowed_region, can
from data_access.importing import UndoRefused, import_file, import_history, undo_import
from data_access.schema import school_year
from tests.data_access import fixture_warehouse

ROWS = {row[0]: dict(zip(("adcode", "name", "level", "parent_adcode", "city_adcode", "province_adcode"), row,
                         strict=True)) for row in fixture_warehouse.REGIONS}
ACTIONS = ("view", "export", "import", "undo_own", "undo_any", "manage_users", "submit", "approve", "return",
           "withdraw", "set_deadline")
# The review actions' level rules (who approves what) are data_access/review.py's: tests/data_access/test_review.py.
RIGHTS = {"viewer": {"view", "export"}, "reporter": {"view", "export", "import", "undo_own", "submit"},
          "reviewer": {"view", "export", "approve", "return", "withdraw"}, "admin": set(ACTIONS)}
# Which fixture regions lie inside each principal region (itself, its city, its province).
INSIDE = {"610000": {"610000", "610100", "610102", "610103"}, "610100": {"610100", "610102", "610103"},
          "610102": {"610102"}, "620800": {"620800", "620802"}}


@pytest.mark.parametrize("role", RIGHTS)
@pytest.mark.parametrize("home", INSIDE)
@pytest.mark.parametrize("target", ROWS)
def test_matrix_role_region_action(role, home, target):
    user = Principal("u", "用户", role, home)
    for action in ACTIONS:
        expected = action in RIGHTS[role] and target in INSIDE[home]
        assert can(user, action, ROWS[target]) is expected, (role, home, target, action)
    assert allowed_region(user) == home


def test_anonymous_demo_visitor_only_views_and_exports():
    for target in ROWS.values():
        assert can(ANONYMOUS_DEMO, "view", target) and can(ANONYMOUS_DEMO, "export", target)
        assert not any(can(ANONYMOUS_DEMO, action, target) for action in ACTIONS if action not in ("view", "export"))
    assert ANONYMOUS_DEMO.anonymous and not SHELL_OPERATOR.anonymous


def test_a_bare_adcode_is_only_inside_itself_and_all_regions_only_for_national_users():
    city = Principal("u", "用户", "viewer", "610100")
    assert can(city, "view", "610100") and not can(city, "view", "610102") and not can(city, "view", "000000")
    assert can(Principal("n", "全国", "viewer", "000000"), "view", "000000")


GOOD_CSV = "学校代码,年度,在校生数\nP1,2024,510\n".encode()  # 崆峒区 (620802)
XIAN_CSV = "学校代码,年度,在校生数\nS1,2025,1250\n".encode()  # 新城区 (610102)
REPORTER = Principal("ktq", "崆峒区填报员", "reporter", "620802")
OTHER_REPORTER = Principal("ktq2", "崆峒区另一填报员", "reporter", "620802")
CITY_ADMIN = Principal("pl.admin", "平凉市管理员", "admin", "620800")
VIEWER = Principal("pl.viewer", "平凉市查看", "viewer", "620800")


@pytest.fixture
def warehouse(engine):
    fixture_warehouse.populate(engine)
    return engine


def enrollment(engine, school_id: str, year: int):
    with engine.connect() as conn:
        return conn.execute(sa.select(school_year.c.enrollment).where(
            school_year.c.school_id == school_id, school_year.c.year == year)).scalar()


def test_import_is_recorded_under_the_login_and_scoped_to_the_region(warehouse):
    outcome = import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER)
    assert outcome.status == "applied", outcome.summary_lines()
    history = import_history(warehouse)
    assert history[["imported_by", "allowed_region"]].values.tolist() == [["ktq", "620802"]]
    # A file naming a 西安 school is outside 崆峒区: rejected by the importer, nothing written.
    refused = import_file(warehouse, "xian.csv", XIAN_CSV, principal=REPORTER)
    assert refused.status == "rejected" and enrollment(warehouse, "S1", 2025) == 1200
    # Asking for a wider region than one's own is refused outright.
    with pytest.raises(AccessDenied, match="无权导入"):
        import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER, allowed_region="620800")


def test_viewer_cannot_import_or_undo(warehouse):
    with pytest.raises(AccessDenied, match="无权导入"):
        import_file(warehouse, "p1.csv", GOOD_CSV, principal=VIEWER)
    with pytest.raises(AccessDenied, match="无权导入"):
        import_file(warehouse, "p1.csv", GOOD_CSV, principal=ANONYMOUS_DEMO)
    batch = import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER).batch_id
    with pytest.raises(AccessDenied, match="无权撤销本人导入"):
        undo_import(warehouse, batch, principal=VIEWER)
    assert enrollment(warehouse, "P1", 2024) == 510


def test_reporter_undoes_only_own_batches_admin_any_in_region(warehouse):
    batch = import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER).batch_id
    with pytest.raises(AccessDenied, match="填报员只能撤销本人的导入"):
        undo_import(warehouse, batch, principal=OTHER_REPORTER)
    assert enrollment(warehouse, "P1", 2024) == 510
    undo_import(warehouse, batch, principal=CITY_ADMIN)  # an administrator of the city: any batch in it
    assert enrollment(warehouse, "P1", 2024) == 500
    again = import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER).batch_id
    undo_import(warehouse, again, principal=REPORTER)  # one's own batch
    assert enrollment(warehouse, "P1", 2024) == 500
    # Newest first: ktq's undo of their own batch, that batch, the administrator's undo, the first batch.
    assert import_history(warehouse)["imported_by"].tolist() == ["ktq", "ktq", "pl.admin", "ktq"]


def test_admin_of_another_region_cannot_undo(warehouse):
    batch = import_file(warehouse, "p1.csv", GOOD_CSV, principal=REPORTER).batch_id
    xian_admin = Principal("xa.admin", "西安市管理员", "admin", "610100")
    with pytest.raises(UndoRefused, match="超出您的权限范围"):
        undo_import(warehouse, batch, principal=xian_admin)
    assert enrollment(warehouse, "P1", 2024) == 510
